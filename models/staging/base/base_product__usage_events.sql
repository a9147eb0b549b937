-- Every distinct raw product-usage row, typed, with the reason it cannot be staged (null when
-- it can). Rows sharing an event_id with different values: the earliest occurred_at is kept.
{%- set raw_columns = var('raw_contract')['product_usage_events']['required'] %}

with

source as (
    select * from {{ lf_contract_input('product_usage_events') }}
),

event_types as (
    select * from {{ ref('product_usage_event_types') }}
),

accepted_leads as (
    {{ lf_accepted_lead_ids() }}
),

rows_collapsed as (
    {{ lf_collapse_exact_duplicates('source', raw_columns) }}
),

checked as (
    {{ lf_lead_row_issues(
        'rows_collapsed',
        ['event_id', 'lead_id', 'event_type', 'occurred_at'],
        'occurred_at',
        'accepted_leads',
        lookup={
            'relation': 'event_types',
            'raw_column': 'event_type',
            'lookup_column': 'event_type',
            'reason': 'unknown_event_type'
        },
        not_before_lead_created=false
    ) }}
),

ranked as (
    {{ lf_reject_conflicting_duplicates(
        'checked', lf_clean_text('event_id'), 'parsed_moment asc', raw_columns) }}
),

final as (
    select
        {{ lf_clean_text('event_id') }} as usage_event_id,
        {{ lf_clean_text('lead_id') }} as lead_id,
        lower({{ lf_clean_text('event_type') }}) as event_type,
        is_moment_date_only as is_date_only,
        parsed_moment as occurred_at,
        raw_row_count,
        rejection_reason,
        case when rejection_reason is not null then {{ lf_raw_record(raw_columns) }} end as raw_record
    from ranked
)

select * from final
