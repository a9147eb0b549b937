-- One row per distinct raw row that could not be staged, from every raw table, with the
-- reason. raw_row_count says how many identical copies of it the raw file held.
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

{% for table_name, (model_name, key_column) in base_models.items() %}
    {{ table_name }}_rejected as (
        select
            '{{ table_name }}' as source_table,
            cast({{ key_column }} as {{ dbt.type_string() }}) as record_key,
            rejection_reason,
            raw_record,
            raw_row_count
        from {{ ref(model_name) }}
        where rejection_reason is not null
    ),

{% endfor %}
unioned as (
    {% for table_name in base_models %}
        select * from {{ table_name }}_rejected
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

keyed as (
    select
        {{ dbt.hash(dbt.concat(["source_table", "'|'", "raw_record"])) }} as quarantined_row_id,
        source_table,
        record_key,
        rejection_reason,
        raw_record,
        raw_row_count
    from unioned
)

select * from keyed
