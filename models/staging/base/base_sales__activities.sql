-- Every distinct raw sales-activity row, typed, with the reason it cannot be staged (null when
-- it can). Rows sharing an activity_id with different values: the earliest occurred_at is kept.
{%- set raw_columns = var('raw_contract')['sales_activities']['required'] %}

with

source as (
    select * from {{ lf_contract_input('sales_activities') }}
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
        ['activity_id', 'lead_id', 'occurred_at'],
        'occurred_at',
        'accepted_leads'
    ) }}
),

ranked as (
    {{ lf_reject_conflicting_duplicates(
        'checked', lf_clean_text('activity_id'), 'parsed_moment asc', raw_columns) }}
),

final as (
    select
        {{ lf_clean_text('activity_id') }} as activity_id,
        {{ lf_clean_text('lead_id') }} as lead_id,
        {{ lf_clean_text('rep_id') }} as rep_id,
        {{ lf_mask_personal_data('lower(' ~ lf_clean_text('activity_type') ~ ')') }} as activity_type,
        is_moment_date_only as is_date_only,
        parsed_moment as occurred_at,
        raw_row_count,
        rejection_reason,
        case when rejection_reason is not null then {{ lf_raw_record(raw_columns) }} end as raw_record
    from ranked
)

select * from final
