-- One row per LinkedIn Ads connector table, outcome and reason with the table's own row count
-- (counted apart from the classification), for audit_connector_reconciliation.
{%- set text_type = lf_engine_type('varchar') %}

with

stats as (
    select * from {{ ref('stg_linkedin_ads__ad_analytics_classified') }}
),

ad_analytics as (
    select * from {{ lf_connector_source('linkedin_ads', 'ad_analytics_by_campaign') }}
),

outcome_counts as (
    select
        outcome,
        drop_reason as reason,
        count(*) as row_count
    from stats
    group by outcome, drop_reason
),

table_counts as (
    select count(*) as connector_rows from ad_analytics
),

final as (
    select
        cast('ad_analytics_by_campaign' as {{ text_type }}) as connector_table,
        cast(
            case when coalesce(outcome_counts.outcome, 'mapped') = 'mapped' then 'marketing_spend' end
            as {{ text_type }}
        ) as contract_table,
        cast(coalesce(outcome_counts.outcome, 'mapped') as {{ text_type }}) as outcome,
        cast(outcome_counts.reason as {{ text_type }}) as reason,
        cast(coalesce(outcome_counts.row_count, 0) as {{ dbt.type_bigint() }}) as row_count,
        cast(table_counts.connector_rows as {{ dbt.type_bigint() }}) as connector_rows
    from table_counts
    left join outcome_counts
        on 1 = 1
)

select * from final
