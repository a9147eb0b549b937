-- One row per Facebook Ads connector table, outcome and reason with the table's own row count
-- (counted apart from the classification), for audit_connector_reconciliation. ad_history is
-- a lookup (the ads' campaigns): its rows count as dropped, reason lookup_only.
{%- set text_type = lf_engine_type('varchar') %}

with

ads as (
    select * from {{ ref('stg_facebook_ads__basic_ad_classified') }}
),

basic_ad as (
    select * from {{ lf_connector_source('facebook_ads', 'basic_ad') }}
),

ad_history as (
    select * from {{ lf_connector_source('facebook_ads', 'ad_history') }}
),

outcome_counts as (
    select
        outcome,
        drop_reason as reason,
        count(*) as row_count
    from ads
    group by outcome, drop_reason
),

basic_ad_counts as (
    select count(*) as connector_rows from basic_ad
),

basic_ad_outcomes as (
    select
        'basic_ad' as connector_table,
        case when coalesce(outcome_counts.outcome, 'mapped') = 'mapped' then 'marketing_spend' end
            as contract_table,
        coalesce(outcome_counts.outcome, 'mapped') as outcome,
        outcome_counts.reason,
        coalesce(outcome_counts.row_count, 0) as row_count,
        basic_ad_counts.connector_rows
    from basic_ad_counts
    left join outcome_counts
        on 1 = 1
),

ad_history_outcomes as (
    select
        'ad_history' as connector_table,
        cast(null as {{ text_type }}) as contract_table,
        'dropped' as outcome,
        'lookup_only' as reason,
        (select count(*) from ad_history) as row_count,
        (select count(*) from ad_history) as connector_rows
),

unioned as (
    select * from basic_ad_outcomes
    union all
    select * from ad_history_outcomes
),

final as (
    select
        cast(connector_table as {{ text_type }}) as connector_table,
        cast(contract_table as {{ text_type }}) as contract_table,
        cast(outcome as {{ text_type }}) as outcome,
        cast(reason as {{ text_type }}) as reason,
        cast(row_count as {{ dbt.type_bigint() }}) as row_count,
        cast(connector_rows as {{ dbt.type_bigint() }}) as connector_rows
    from unioned
)

select * from final
