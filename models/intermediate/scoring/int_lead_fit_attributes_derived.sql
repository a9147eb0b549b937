-- One row per surviving lead and fit attribute value (industry, employee_band, revenue_band,
-- country, region, persona, seniority, email_type, is_competitor), for joining fit rules.
-- Bands, regions, title patterns and competitor domains come from seeds under seeds/scoring/.
-- A table: the fit score, the hand-off routing, int_leads_enriched (persona, seniority) and
-- the score components read it.
{{ config(materialized='table') }}

with

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
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

title_patterns as (
    select * from {{ ref('scoring_title_patterns') }}
),

competitor_domains as (
    select * from {{ ref('competitor_domains') }}
),

surviving_leads as (
    select
        leads.lead_id,
        account_matches.account_id,
        leads.email_domain,
        leads.is_free_mail,
        lower(leads.job_title) as job_title_lower,
        coalesce(leads.country, accounts.country) as country,
        accounts.industry,
        accounts.employee_count,
        accounts.annual_revenue,
        accounts.account_domain
    from leads
    inner join leads_resolved
        on leads.lead_id = leads_resolved.lead_id
    inner join account_matches
        on leads.lead_id = account_matches.lead_id
    left join accounts
        on account_matches.account_id = accounts.account_id
    where leads_resolved.is_survivor
),

industry_values as (
    select
        lead_id,
        'industry' as attribute,
        industry as attribute_value
    from surviving_leads
    where industry is not null
),

band_values as (
    select
        surviving_leads.lead_id,
        bands.attribute,
        bands.attribute_value
    from surviving_leads
    inner join bands
        on (
            bands.attribute = 'employee_band'
            and surviving_leads.employee_count >= bands.lower_bound
            and (bands.upper_bound is null or surviving_leads.employee_count < bands.upper_bound)
        )
        or (
            bands.attribute = 'revenue_band'
            and surviving_leads.annual_revenue >= bands.lower_bound
            and (bands.upper_bound is null or surviving_leads.annual_revenue < bands.upper_bound)
        )
),

country_values as (
    select
        lead_id,
        'country' as attribute,
        country as attribute_value
    from surviving_leads
    where country is not null
),

region_values as (
    select
        surviving_leads.lead_id,
        'region' as attribute,
        regions.region as attribute_value
    from surviving_leads
    inner join regions
        on surviving_leads.country = regions.country
),

title_matches as (
    select
        surviving_leads.lead_id,
        title_patterns.attribute,
        title_patterns.attribute_value,
        row_number() over (
            partition by surviving_leads.lead_id, title_patterns.attribute
            order by title_patterns.priority desc, title_patterns.title_pattern asc
        ) as match_rank
    from surviving_leads
    inner join title_patterns
        on {{ dbt.position('title_patterns.title_pattern', 'surviving_leads.job_title_lower') }} > 0
),

title_values as (
    select
        lead_id,
        attribute,
        attribute_value
    from title_matches
    where match_rank = 1
),

email_values as (
    select
        lead_id,
        'email_type' as attribute,
        case when is_free_mail then 'free_mail' else 'business' end as attribute_value
    from surviving_leads
    where email_domain is not null
),

competitor_values as (
    select distinct
        surviving_leads.lead_id,
        'is_competitor' as attribute,
        'true' as attribute_value
    from surviving_leads
    inner join competitor_domains
        on
            surviving_leads.email_domain = competitor_domains.domain
            or surviving_leads.account_domain = competitor_domains.domain
),

unioned as (
    select * from industry_values
    union all
    select * from band_values
    union all
    select * from country_values
    union all
    select * from region_values
    union all
    select * from title_values
    union all
    select * from email_values
    union all
    select * from competitor_values
)

select * from unioned
