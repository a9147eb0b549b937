-- One row per table of a chosen connector (vars crm_source, marketing_source, spend_source):
-- its rows, how many each adapter mapped into a contract table or dropped (and why), and
-- whether they add up. Empty while every table is read from files.
{{ config(materialized='table') }}
{%- set outcome_models = lf_connector_outcome_models() %}

with

rejected_lines as (
    select * from {{ source('landing', 'raw_rejected_lines') }}
),

{% for outcome_model in outcome_models %}
    {{ outcome_model }} as (
        select * from {{ ref(outcome_model) }}
    ),

{% endfor %}
outcomes as (
    {%- for outcome_model in outcome_models %}
        select
            '{{ outcome_model.split('__')[0][4:] }}' as connector,
            cast(connector_table as {{ lf_engine_type('varchar') }}) as connector_table,
            cast(contract_table as {{ lf_engine_type('varchar') }}) as contract_table,
            cast(outcome as {{ lf_engine_type('varchar') }}) as outcome,
            cast(reason as {{ lf_engine_type('varchar') }}) as reason,
            cast(row_count as {{ dbt.type_bigint() }}) as row_count,
            cast(connector_rows as {{ dbt.type_bigint() }}) as connector_rows
        from {{ outcome_model }}
        union all
    {%- endfor %}
    select
        cast(null as {{ lf_engine_type('varchar') }}) as connector,
        cast(null as {{ lf_engine_type('varchar') }}) as connector_table,
        cast(null as {{ lf_engine_type('varchar') }}) as contract_table,
        cast(null as {{ lf_engine_type('varchar') }}) as outcome,
        cast(null as {{ lf_engine_type('varchar') }}) as reason,
        cast(null as {{ dbt.type_bigint() }}) as row_count,
        cast(null as {{ dbt.type_bigint() }}) as connector_rows
    where 1 = 0
),

per_table as (
    select
        connector,
        connector_table,
        max(connector_rows) as connector_rows,
        min(connector_rows) as connector_rows_low,
        sum(case when outcome = 'mapped' then row_count else 0 end) as mapped_rows,
        sum(case when outcome = 'dropped' then row_count else 0 end) as dropped_rows,
        sum(case when outcome not in ('mapped', 'dropped') then row_count else 0 end) as other_rows
    from outcomes
    group by connector, connector_table
),

rejected_per_table as (
    select
        source_table,
        count(*) as rejected_lines
    from rejected_lines
    group by source_table
),

reconciled as (
    select
        per_table.connector,
        per_table.connector_table,
        per_table.connector_rows,
        per_table.mapped_rows,
        per_table.dropped_rows,
        coalesce(rejected_per_table.rejected_lines, 0) as rejected_lines,
        (
            per_table.connector_rows = per_table.connector_rows_low
            and per_table.other_rows = 0
            and per_table.connector_rows = per_table.mapped_rows + per_table.dropped_rows
        ) as is_reconciled
    from per_table
    left join rejected_per_table
        on rejected_per_table.source_table = {{
            dbt.concat(['per_table.connector', "'.'", 'per_table.connector_table']) }}
)

select * from reconciled
