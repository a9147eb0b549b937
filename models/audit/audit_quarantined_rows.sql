-- One row per distinct raw row that could not be staged, from every raw table, with the
-- reason, one row per CSV line the landing hook could not read (malformed_csv_line), and one
-- row per lead merge that was cut (merge_cycle, merge_chain_too_deep; rejection_detail
-- merge_removed: the lead itself is staged, unmerged, so it is not counted as quarantined in
-- audit_raw_reconciliation).
-- raw_row_count says how many identical copies of a row the raw file held.
{{ config(materialized='table') }}
{%- set raw_tables = lf_raw_tables() %}

with

rejected_lines as (
    select * from {{ source('landing', 'raw_rejected_lines') }}
),

erased_lines as (
    {{ lf_erased_rejected_lines() }}
),

{% for raw_table in raw_tables %}
    {{ raw_table.name }}_rejected as (
        select
            '{{ raw_table.name }}' as source_table,
            cast({{ raw_table.record_key }} as {{ dbt.type_string() }}) as record_key,
            rejection_reason,
            cast(null as {{ dbt.type_string() }}) as rejection_detail,
            raw_record,
            raw_row_count
        from {{ ref(raw_table.base_model) }}
        where rejection_reason is not null
    ),

{% endfor %}
lead_merges_rejected as (
    select
        'leads' as source_table,
        cast(lead_id as {{ dbt.type_string() }}) as record_key,
        merge_rejection_reason as rejection_reason,
        'merge_removed' as rejection_detail,
        raw_record,
        raw_row_count
    from {{ ref('base_crm__leads') }}
    where merge_rejection_reason is not null
),

malformed_lines as (
    select
        rejected_lines.source_table,
        {{ dbt.concat([
            "rejected_lines.file_name", "':'", dbt.safe_cast("rejected_lines.line_number", dbt.type_string())
        ]) }} as record_key,
        'malformed_csv_line' as rejection_reason,
        rejected_lines.error_type as rejection_detail,
        rejected_lines.raw_line as raw_record,
        1 as raw_row_count
    from rejected_lines
    left join erased_lines
        on
            rejected_lines.source_table = erased_lines.source_table
            and rejected_lines.file_name = erased_lines.file_name
            and rejected_lines.line_number = erased_lines.line_number
    where erased_lines.line_number is null
),

unioned as (
    {% for raw_table in raw_tables %}
        select * from {{ raw_table.name }}_rejected
        union all
    {% endfor %}
    select * from lead_merges_rejected
    union all
    select * from malformed_lines
),

keyed as (
    select
        {{ dbt.hash(dbt.concat([
            "source_table", "'|'", "coalesce(rejection_detail, '')", "'|'",
            "case when rejection_detail is not null then record_key else '' end", "'|'", "raw_record"
        ])) }} as quarantined_row_id,
        source_table,
        record_key,
        rejection_reason,
        rejection_detail,
        raw_record,
        raw_row_count
    from unioned
)

select * from keyed
