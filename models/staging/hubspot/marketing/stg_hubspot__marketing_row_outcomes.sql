-- One row per HubSpot marketing table read by the marketing adapter (var marketing_source
-- hubspot), outcome and reason: how many of the table's rows were mapped into a contract table
-- or dropped, and why, beside the table's own row count (counted apart from the
-- classification), so audit_connector_reconciliation can check that every row is counted once.

with

email_events as (
    select * from {{ lf_connector_source('hubspot', 'email_event') }}
),

form_submissions as (
    select * from {{ lf_connector_source('hubspot', 'contact_form_submission') }}
),

email_campaigns as (
    select * from {{ lf_connector_source('hubspot', 'email_campaign') }}
),

events_classified as (
    select * from {{ ref('stg_hubspot__engagement_events_classified') }}
),

row_outcomes as (
    select
        connector_table,
        'engagement_events' as contract_table,
        drop_reason as reason
    from events_classified
    union all
    select
        'email_campaign' as connector_table,
        'campaigns' as contract_table,
        cast(null as {{ lf_engine_type('varchar') }}) as reason
    from email_campaigns
),

outcome_counts as (
    select
        connector_table,
        case when reason is null then contract_table end as contract_table,
        case when reason is null then 'mapped' else 'dropped' end as outcome,
        reason,
        count(*) as row_count
    from row_outcomes
    group by
        connector_table,
        case when reason is null then contract_table end,
        case when reason is null then 'mapped' else 'dropped' end,
        reason
),

table_rows as (
    {%- set counted = [
        ('email_event', 'email_events'),
        ('contact_form_submission', 'form_submissions'),
        ('email_campaign', 'email_campaigns'),
    ] %}
    {%- for connector_table, relation in counted %}
        select
            '{{ connector_table }}' as connector_table,
            count(*) as connector_rows
        from {{ relation }}
        {{ 'union all' if not loop.last }}
    {%- endfor %}
),

final as (
    select
        cast(table_rows.connector_table as {{ lf_engine_type('varchar') }}) as connector_table,
        cast(outcome_counts.contract_table as {{ lf_engine_type('varchar') }}) as contract_table,
        cast(coalesce(outcome_counts.outcome, 'mapped') as {{ lf_engine_type('varchar') }}) as outcome,
        cast(outcome_counts.reason as {{ lf_engine_type('varchar') }}) as reason,
        cast(coalesce(outcome_counts.row_count, 0) as {{ dbt.type_bigint() }}) as row_count,
        cast(table_rows.connector_rows as {{ dbt.type_bigint() }}) as connector_rows
    from table_rows
    left join outcome_counts
        on table_rows.connector_table = outcome_counts.connector_table
)

select * from final
