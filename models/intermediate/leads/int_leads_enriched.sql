-- One row per accepted lead: where it came from (source, campaign, first-touch channel), its
-- segment (country, region, industry, employee band, persona, seniority) and its surviving
-- lead when merged: what dim_leads publishes, less the lifecycle stage, for the models below
-- the marts (they never read a mart). No email or names here: only the email domain and a hash
-- of the address. A table: dim_leads and the funnel's lead slices read it.
{{ config(materialized='table') }}

with

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

leads_resolved as (
    select * from {{ ref('int_leads_resolved') }}
),

account_matches as (
    select * from {{ ref('int_lead_account_matches') }}
),

campaigns as (
    select * from {{ ref('stg_marketing__campaigns') }}
),

accounts as (
    select * from {{ ref('int_accounts_enriched') }}
),

fit_attributes as (
    select * from {{ ref('int_lead_fit_attributes_derived') }}
),

personas as (
    select
        lead_id,
        max(case when attribute = 'persona' then attribute_value end) as persona,
        max(case when attribute = 'seniority' then attribute_value end) as seniority
    from fit_attributes
    group by lead_id
),

final as (
    select
        leads.lead_id,
        leads_resolved.survivor_lead_id,
        leads_resolved.is_survivor,
        account_matches.account_id,
        account_matches.crm_account_id,
        account_matches.account_match_method,
        {{ lf_keyed_hash('leads.email') }} as email_hash,
        leads.email_domain,
        leads.is_free_mail,
        leads.job_title,
        personas.persona,
        personas.seniority,
        leads.lead_source,
        leads.campaign_id,
        campaigns.channel,
        coalesce(leads.country, accounts.country) as country,
        accounts.region,
        accounts.industry,
        accounts.employee_band,
        leads.created_at,
        {{ dbt.date_trunc('month', 'leads.created_at') }} as created_month
    from leads
    inner join leads_resolved
        on leads.lead_id = leads_resolved.lead_id
    left join campaigns
        on leads.campaign_id = campaigns.campaign_id
    inner join account_matches
        on leads.lead_id = account_matches.lead_id
    left join accounts
        on account_matches.account_id = accounts.account_id
    left join personas
        on leads_resolved.survivor_lead_id = personas.lead_id
)

select * from final
