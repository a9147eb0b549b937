-- One row per raw table: raw rows counted at landing = staged + quarantined + removed exact
-- duplicates + erased (rows and unreadable lines of people named by an erasure request,
-- macros/privacy/erasure.sql). Quarantined rows are counted once per distinct row (further copies count as
-- duplicates) plus every malformed CSV line. A table, so it holds without the raw files.
-- A table a connector supplies (macro lf_contract_inputs) counts the rows of its adapter
-- models as raw rows (audit_connector_reconciliation accounts for the connector's own rows).
{{ config(materialized='table') }}
{%- set raw_tables = lf_raw_tables() %}

with

landed_files as (
    select * from {{ source('landing', 'raw_landed_files') }}
),

rejected_lines as (
    select * from {{ source('landing', 'raw_rejected_lines') }}
),

erased_lines as (
    {{ lf_erased_rejected_lines() }}
),

{% for raw_table in raw_tables %}
    {{ raw_table.name }}_counts as (
        select
            '{{ raw_table.name }}' as source_table,
            (
                select coalesce(sum(raw_rows), 0) from landed_files
                where
                    source_table = '{{ raw_table.name }}'
                    and {{ lf_contract_inputs(raw_table.name)['files'] }}
            )
            {%- for adapter_model in lf_contract_inputs(raw_table.name)['models'] %}
                + (select count(*) from {{ ref(adapter_model) }})
            {%- endfor %} as raw_rows,
            (select count(*) from {{ ref(raw_table.staged_model) }}) as staged_rows,
            (
                select count(*) from {{ ref(raw_table.base_model) }}
                where rejection_reason is not null
            )
            + (
                select count(*) from rejected_lines
                where source_table = '{{ raw_table.name }}'
            )
            - (
                select count(*) from erased_lines
                where source_table = '{{ raw_table.name }}'
            ) as quarantined_rows,
            (
                select coalesce(sum(raw_row_count - 1), 0) from {{ ref(raw_table.base_model) }}
            ) as exact_duplicates_removed,
            {{ lf_erased_row_count(raw_table.name) }}
            + (
                select count(*) from erased_lines
                where source_table = '{{ raw_table.name }}'
            ) as erased_rows
    ),

{% endfor %}
unioned as (
    {% for raw_table in raw_tables %}
        select * from {{ raw_table.name }}_counts
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

reconciled as (
    select
        source_table,
        raw_rows,
        staged_rows,
        quarantined_rows,
        exact_duplicates_removed,
        erased_rows,
        raw_rows = staged_rows + quarantined_rows + exact_duplicates_removed + erased_rows as is_reconciled
    from unioned
)

select * from reconciled
