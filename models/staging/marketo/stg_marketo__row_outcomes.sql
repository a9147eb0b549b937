-- One row per Marketo connector table, outcome and reason: how many of the table's rows the
-- adapter mapped into a contract table or dropped, and why, beside the table's own row count
-- (counted apart from the classification), so audit_connector_reconciliation can check that
-- every row is counted once. Lookup tables (lead, lead_describe, campaign) and the merge and
-- delete activities feed no contract table: their rows count as dropped with the reason
-- lookup_only, merge_applied or delete_applied.
{%- set activity_tables = [
    'activity_open_email', 'activity_click_email', 'activity_visit_webpage',
    'activity_fill_out_form', 'activity_unsubscribe_email', 'activity_email_bounced',
    'activity_email_bounced_soft', 'activity_send_email', 'activity_email_delivered',
] %}
{#- connector table: (contract table, outcome and reason of its rows when no classification
    applies) -#}
{%- set tables = {} %}
{%- for table_name in activity_tables %}
    {%- do tables.update({table_name: ('engagement_events', 'mapped', none)}) %}
{%- endfor %}
{%- do tables.update({
    'activity_change_data_value': ('lead_status_changes', 'mapped', none),
    'program': ('campaigns', 'mapped', none),
    'lead': (none, 'dropped', 'lookup_only'),
    'lead_describe': (none, 'dropped', 'lookup_only'),
    'campaign': (none, 'dropped', 'lookup_only'),
    'activity_merge_leads': (none, 'dropped', 'merge_applied'),
    'activity_delete_lead': (none, 'dropped', 'delete_applied'),
}) %}
{%- set constant_tables = [
    'lead', 'lead_describe', 'campaign', 'activity_merge_leads', 'activity_delete_lead',
] %}
{%- set text_type = lf_engine_type('varchar') %}

with

activities as (
    select * from {{ ref('stg_marketo__activities_classified') }}
),

status_changes as (
    select * from {{ ref('stg_marketo__status_changes_classified') }}
),

{% for table_name in tables %}
    {{ table_name }}_rows as (
        select * from {{ lf_connector_source('marketo', table_name) }}
    ),

{% endfor %}
row_outcomes as (
    select
        activity_table as connector_table,
        outcome,
        drop_reason as reason
    from activities
    union all
    select
        'activity_change_data_value' as connector_table,
        outcome,
        drop_reason as reason
    from status_changes
    union all
    select
        'program' as connector_table,
        case
            when coalesce({{ lf_parse_boolean('_fivetran_deleted') }}, false) then 'dropped' else 'mapped'
        end as outcome,
        case
            when coalesce({{ lf_parse_boolean('_fivetran_deleted') }}, false) then 'deleted_in_source'
        end as reason
    from program_rows
    {%- for table_name in constant_tables %}
        union all
        select
            '{{ table_name }}' as connector_table,
            '{{ tables[table_name][1] }}' as outcome,
            '{{ tables[table_name][2] }}' as reason
        from {{ table_name }}_rows
    {%- endfor %}
),

outcome_counts as (
    select
        connector_table,
        outcome,
        reason,
        count(*) as row_count
    from row_outcomes
    group by connector_table, outcome, reason
),

-- Each table's rows, counted on the connector table itself.
table_counts as (
    {%- for table_name, spec in tables.items() %}
        select
            '{{ table_name }}' as connector_table,
            {% if spec[0] is none %}cast(null as {{ text_type }}){% else %}'{{ spec[0] }}'{% endif %}
                as contract_table,
            '{{ spec[1] }}' as default_outcome,
            {% if spec[2] is none %}cast(null as {{ text_type }}){% else %}'{{ spec[2] }}'{% endif %}
                as default_reason,
            (select count(*) from {{ table_name }}_rows) as connector_rows
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

final as (
    select
        cast(table_counts.connector_table as {{ text_type }}) as connector_table,
        cast(
            case
                when coalesce(outcome_counts.outcome, table_counts.default_outcome) = 'mapped'
                    then table_counts.contract_table
            end as {{ text_type }}
        ) as contract_table,
        cast(
            coalesce(outcome_counts.outcome, table_counts.default_outcome) as {{ text_type }}
        ) as outcome,
        cast(
            case
                when outcome_counts.connector_table is null then table_counts.default_reason
                else outcome_counts.reason
            end as {{ text_type }}
        ) as reason,
        cast(coalesce(outcome_counts.row_count, 0) as {{ dbt.type_bigint() }}) as row_count,
        cast(table_counts.connector_rows as {{ dbt.type_bigint() }}) as connector_rows
    from table_counts
    left join outcome_counts
        on table_counts.connector_table = outcome_counts.connector_table
)

select * from final
