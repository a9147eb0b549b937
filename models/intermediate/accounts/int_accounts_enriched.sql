-- One row per accepted account with its size and revenue bands, region and lead counts: what
-- dim_accounts publishes and what the account and lead models below the marts read (they never
-- read a mart). A table: dim_accounts, int_leads_enriched and int_account_fit_scored read it.
{{ config(materialized='table') }}

with

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

leads_resolved as (
    select * from {{ ref('int_leads_resolved') }}
),

account_matches as (
    select * from {{ ref('int_lead_account_matches') }}
),

bands as (
    select * from {{ ref('scoring_bands') }}
),

regions as (
    select * from {{ ref('scoring_regions') }}
),

lead_counts as (
    select
        account_matches.account_id,
        count(*) as lead_count
    from leads
    inner join leads_resolved
        on leads.lead_id = leads_resolved.lead_id
    inner join account_matches
        on leads.lead_id = account_matches.lead_id
    where leads_resolved.is_survivor
    group by account_matches.account_id
),

final as (
    select
        accounts.account_id,
        accounts.account_name,
        accounts.account_domain,
        accounts.industry,
        accounts.employee_count,
        employee_bands.attribute_value as employee_band,
        accounts.annual_revenue,
        revenue_bands.attribute_value as revenue_band,
        accounts.country,
        regions.region,
        coalesce(lead_counts.lead_count, 0) as lead_count,
        accounts.created_at,
        accounts.updated_at
    from accounts
    left join bands as employee_bands
        on
            employee_bands.attribute = 'employee_band'
            and accounts.employee_count >= employee_bands.lower_bound
            and (employee_bands.upper_bound is null or accounts.employee_count < employee_bands.upper_bound)
    left join bands as revenue_bands
        on
            revenue_bands.attribute = 'revenue_band'
            and accounts.annual_revenue >= revenue_bands.lower_bound
            and (revenue_bands.upper_bound is null or accounts.annual_revenue < revenue_bands.upper_bound)
    left join regions
        on accounts.country = regions.country
    left join lead_counts
        on accounts.account_id = lead_counts.account_id
)

select * from final
