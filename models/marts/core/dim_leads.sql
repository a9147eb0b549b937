-- One row per accepted lead: where it came from, its segment, its surviving lead when merged,
-- and its current lifecycle stage under the default scoring model. No email or names here:
-- only the email domain and a hash of the address.

with

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

leads_resolved as (
    select * from {{ ref('int_leads_resolved') }}
),

campaigns as (
    select * from {{ ref('stg_marketing__campaigns') }}
),

accounts as (
    select * from {{ ref('dim_accounts') }}
),

fit_attributes as (
    select * from {{ ref('int_lead_fit_attributes_derived') }}
),

stage_history as (
    select * from {{ ref('fct_lead_stage_history') }}
),

scoring_models as (
    select * from {{ ref('scoring_models') }}
),

personas as (
    select
        lead_id,
        max(case when attribute = 'persona' then attribute_value end) as persona,
        max(case when attribute = 'seniority' then attribute_value end) as seniority
    from fit_attributes
    group by lead_id
),

current_stages as (
    select
        stage_history.lead_id,
        stage_history.stage as current_stage,
        stage_history.valid_from as current_stage_at
    from stage_history
    inner join scoring_models
        on stage_history.scoring_model = scoring_models.scoring_model
    where stage_history.is_current and scoring_models.is_default
),

final as (
    select
        leads.lead_id,
        leads_resolved.survivor_lead_id,
        leads_resolved.is_survivor,
        leads.account_id,
        {{ dbt.hash('leads.email') }} as email_hash,
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
        {{ dbt.date_trunc('month', 'leads.created_at') }} as created_month,
        current_stages.current_stage,
        current_stages.current_stage_at
    from leads
    inner join leads_resolved
        on leads.lead_id = leads_resolved.lead_id
    left join campaigns
        on leads.campaign_id = campaigns.campaign_id
    left join accounts
        on leads.account_id = accounts.account_id
    left join personas
        on leads_resolved.survivor_lead_id = personas.lead_id
    left join current_stages
        on leads_resolved.survivor_lead_id = current_stages.lead_id
)

select * from final
