-- What the Salesforce adapters did with every row of the connector tables that feed a contract
-- table: one row per connector table, outcome and reason, with the rows of that kind and the
-- rows of the whole table (counted on the table itself, apart from the classification), so per
-- table the row counts add up to connector_rows (audit_connector_reconciliation checks it).
-- Tables read only to enrich rows (contact, campaign_member, opportunity_field_history) are not
-- listed; status changes derived from a lead (its creation status, its conversion) are rows the
-- lead table yields beside its lead and are not counted here.

{%- set connector_tables = ['lead', 'lead_history', 'account', 'opportunity', 'task', 'event'] %}

with

lead_table as (
    select * from {{ lf_connector_source('salesforce', 'lead') }}
),

lead_history_table as (
    select * from {{ lf_connector_source('salesforce', 'lead_history') }}
),

account_table as (
    select * from {{ lf_connector_source('salesforce', 'account') }}
),

opportunity_table as (
    select * from {{ lf_connector_source('salesforce', 'opportunity') }}
),

task_table as (
    select * from {{ lf_connector_source('salesforce', 'task') }}
),

event_table as (
    select * from {{ lf_connector_source('salesforce', 'event') }}
),

leads as (
    select * from {{ ref('base_salesforce__leads') }}
),

lead_history as (
    select * from {{ ref('base_salesforce__lead_history') }}
),

accounts as (
    select * from {{ ref('base_salesforce__accounts') }}
),

opportunities as (
    select * from {{ ref('base_salesforce__opportunities') }}
),

activities as (
    select * from {{ ref('base_salesforce__activities') }}
),

classified as (
    select
        'lead' as connector_table,
        'leads' as contract_table,
        drop_reason
    from leads
    union all
    select
        'lead_history' as connector_table,
        'lead_status_changes' as contract_table,
        drop_reason
    from lead_history
    union all
    select
        'account' as connector_table,
        'accounts' as contract_table,
        drop_reason
    from accounts
    union all
    select
        'opportunity' as connector_table,
        'opportunities' as contract_table,
        drop_reason
    from opportunities
    union all
    select
        activity_object as connector_table,
        'sales_activities' as contract_table,
        drop_reason
    from activities
),

outcomes as (
    select
        connector_table,
        case when drop_reason is null then contract_table end as contract_table,
        case when drop_reason is null then 'mapped' else 'dropped' end as outcome,
        drop_reason as reason,
        count(*) as row_count
    from classified
    group by
        connector_table,
        case when drop_reason is null then contract_table end,
        case when drop_reason is null then 'mapped' else 'dropped' end,
        drop_reason
),

connector_tables as (
    {%- for connector_table in connector_tables %}
        select
            '{{ connector_table }}' as connector_table,
            (select count(*) from {{ connector_table }}_table) as connector_rows
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        cast(outcomes.connector_table as {{ lf_engine_type('varchar') }}) as connector_table,
        cast(outcomes.contract_table as {{ lf_engine_type('varchar') }}) as contract_table,
        cast(outcomes.outcome as {{ lf_engine_type('varchar') }}) as outcome,
        cast(outcomes.reason as {{ lf_engine_type('varchar') }}) as reason,
        cast(outcomes.row_count as {{ dbt.type_bigint() }}) as row_count,
        cast(connector_tables.connector_rows as {{ dbt.type_bigint() }}) as connector_rows
    from outcomes
    inner join connector_tables
        on outcomes.connector_table = connector_tables.connector_table
)

select * from final
