-- Every distinct raw lead-status-change row, typed, with the reason it cannot be staged (null
-- when it can). Rows sharing a change_id with different values: the earliest changed_at is kept.
{%- set raw_columns = var('raw_contract')['lead_status_changes']['required'] %}

with

source as (
    select * from {{ source('crm', 'lead_status_changes') }}
),

statuses as (
    select * from {{ ref('lead_statuses') }}
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
        ['change_id', 'lead_id', 'status', 'changed_at'],
        'changed_at',
        'accepted_leads',
        lookup={
            'relation': 'statuses',
            'raw_column': 'status',
            'lookup_column': 'status',
            'reason': 'unknown_status'
        }
    ) }}
),

ranked as (
    {{ lf_reject_conflicting_duplicates(
        'checked', lf_clean_text('change_id'), 'parsed_moment asc', raw_columns) }}
),

final as (
    select
        {{ lf_clean_text('change_id') }} as change_id,
        {{ lf_clean_text('lead_id') }} as lead_id,
        lower({{ lf_clean_text('status') }}) as status,
        {{ lf_mask_personal_data('lower(' ~ lf_clean_text('reason') ~ ')') }} as reason,
        {{ lf_mask_personal_data(lf_clean_text('changed_by')) }} as changed_by,
        is_moment_date_only as is_date_only,
        parsed_moment as changed_at,
        raw_row_count,
        rejection_reason,
        case when rejection_reason is not null then {{ lf_raw_record(raw_columns) }} end as raw_record
    from ranked
)

select * from final
