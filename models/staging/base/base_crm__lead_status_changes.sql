-- Every distinct raw lead-status-change row, typed, with the reason it cannot be staged (null
-- when it can). Rows sharing a change_id with different values: the earliest changed_at is kept.
{%- set raw_columns = var('raw_contract')['lead_status_changes']['required'] %}
{%- set parsed_moment = lf_try_cast(lf_clean_text('rows_collapsed.changed_at'), dbt.type_timestamp()) %}

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
    select
        rows_collapsed.*,
        {{ parsed_moment }} as parsed_changed_at,
        case
            when {{ lf_any_missing(['rows_collapsed.change_id', 'rows_collapsed.lead_id',
                'rows_collapsed.status', 'rows_collapsed.changed_at']) }}
                then 'missing_required_value'
            when {{ parsed_moment }} is null then 'unreadable_timestamp'
            when {{ parsed_moment }} > {{ lf_future_limit() }} then 'future_timestamp'
            when statuses.status is null then 'unknown_status'
            when accepted_leads.lead_id is null then 'unknown_lead'
        end as row_issue
    from rows_collapsed
    left join statuses
        on lower({{ lf_clean_text('rows_collapsed.status') }}) = statuses.status
    left join accepted_leads
        on {{ lf_clean_text('rows_collapsed.lead_id') }} = accepted_leads.lead_id
),

ranked as (
    {{ lf_reject_conflicting_duplicates(
        'checked', lf_clean_text('change_id'), 'parsed_changed_at asc', raw_columns) }}
),

final as (
    select
        {{ lf_clean_text('change_id') }} as change_id,
        {{ lf_clean_text('lead_id') }} as lead_id,
        lower({{ lf_clean_text('status') }}) as status,
        lower({{ lf_clean_text('reason') }}) as reason,
        {{ lf_clean_text('changed_by') }} as changed_by,
        parsed_changed_at as changed_at,
        raw_row_count,
        rejection_reason,
        case when rejection_reason is not null then {{ lf_raw_record(raw_columns) }} end as raw_record
    from ranked
)

select * from final
