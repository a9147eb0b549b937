-- One row per raw table: raw rows counted at landing = staged + quarantined + removed exact
-- duplicates. Quarantined rows are counted once per distinct row (further copies count as
-- duplicates) plus every malformed CSV line. A table, so it holds without the raw files.
{{ config(materialized='table') }}
{%- set tables = [
    ('accounts', 'crm', 'base_crm__accounts', 'stg_crm__accounts'),
    ('leads', 'crm', 'base_crm__leads', 'stg_crm__leads'),
    ('engagement_events', 'marketing', 'base_marketing__engagement_events', 'stg_marketing__engagement_events'),
    ('sales_activities', 'sales', 'base_sales__activities', 'stg_sales__activities'),
    ('lead_status_changes', 'crm', 'base_crm__lead_status_changes', 'stg_crm__lead_status_changes'),
    ('opportunities', 'crm', 'base_crm__opportunities', 'stg_crm__opportunities'),
    ('campaigns', 'marketing', 'base_marketing__campaigns', 'stg_marketing__campaigns'),
    ('marketing_spend', 'marketing', 'base_marketing__spend', 'stg_marketing__marketing_spend'),
    ('product_usage_events', 'product', 'base_product__usage_events', 'stg_product__usage_events'),
] %}

with

landed_files as (
    select * from {{ source('landing', 'raw_landed_files') }}
),

rejected_lines as (
    select * from {{ source('landing', 'raw_rejected_lines') }}
),

{% for table_name, source_name, base_model, staged_model in tables %}
    {{ table_name }}_counts as (
        select
            '{{ table_name }}' as source_table,
            (
                select coalesce(sum(raw_rows), 0) from landed_files
                where source_table = '{{ table_name }}'
            ) as raw_rows,
            (select count(*) from {{ ref(staged_model) }}) as staged_rows,
            (
                select count(*) from {{ ref(base_model) }}
                where rejection_reason is not null
            )
            + (
                select count(*) from rejected_lines
                where source_table = '{{ table_name }}'
            ) as quarantined_rows,
            (
                select coalesce(sum(raw_row_count - 1), 0) from {{ ref(base_model) }}
            ) as exact_duplicates_removed
    ),

{% endfor %}
unioned as (
    {% for table_name, source_name, base_model, staged_model in tables %}
        select * from {{ table_name }}_counts
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
        raw_rows = staged_rows + quarantined_rows + exact_duplicates_removed as is_reconciled
    from unioned
)

select * from reconciled
