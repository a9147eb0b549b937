-- One row per distinct raw row that could not be staged, from every raw table, with the
-- reason, one row per CSV line the landing hook could not read (malformed_csv_line), and one
-- row per lead merge that was cut (merge_cycle, merge_chain_too_deep; rejection_detail
-- merge_removed: the lead itself is staged, unmerged, so it is not counted as quarantined in
-- stg_quality__raw_reconciliation).
-- raw_row_count says how many identical copies of a row the raw file held.
{{ config(materialized='table') }}
{%- set base_models = {
    'accounts': ('base_crm__accounts', 'account_id'),
    'leads': ('base_crm__leads', 'lead_id'),
    'engagement_events': ('base_marketing__engagement_events', 'event_id'),
    'sales_activities': ('base_sales__activities', 'activity_id'),
    'lead_status_changes': ('base_crm__lead_status_changes', 'change_id'),
    'opportunities': ('base_crm__opportunities', 'opportunity_id'),
    'campaigns': ('base_marketing__campaigns', 'campaign_id'),
    'marketing_spend': ('base_marketing__spend', 'campaign_id'),
    'product_usage_events': ('base_product__usage_events', 'usage_event_id'),
} %}

with

rejected_lines as (
    select * from {{ source('landing', 'raw_rejected_lines') }}
),

{% for table_name, (model_name, key_column) in base_models.items() %}
    {{ table_name }}_rejected as (
        select
            '{{ table_name }}' as source_table,
            cast({{ key_column }} as {{ dbt.type_string() }}) as record_key,
            rejection_reason,
            cast(null as {{ dbt.type_string() }}) as rejection_detail,
            raw_record,
            raw_row_count
        from {{ ref(model_name) }}
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
        source_table,
        {{ dbt.concat(["file_name", "':'", dbt.safe_cast("line_number", dbt.type_string())]) }} as record_key,
        'malformed_csv_line' as rejection_reason,
        error_type as rejection_detail,
        raw_line as raw_record,
        1 as raw_row_count
    from rejected_lines
),

unioned as (
    {% for table_name in base_models %}
        select * from {{ table_name }}_rejected
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
