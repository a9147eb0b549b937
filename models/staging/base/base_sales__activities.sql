-- Every distinct raw sales-activity row, typed, with the reason it cannot be staged (null when
-- it can). Rows sharing an activity_id with different values: the earliest occurred_at is kept.
{%- set raw_columns = var('raw_contract')['sales_activities']['required'] %}
{%- set parsed_moment = lf_try_cast(lf_clean_text('rows_collapsed.occurred_at'), dbt.type_timestamp()) %}

with

source as (
    select * from {{ source('sales', 'sales_activities') }}
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
        {{ parsed_moment }} as parsed_occurred_at,
        case
            when {{ lf_any_missing(['rows_collapsed.activity_id', 'rows_collapsed.lead_id',
                'rows_collapsed.occurred_at']) }}
                then 'missing_required_value'
            when {{ parsed_moment }} is null then 'unreadable_timestamp'
            when {{ parsed_moment }} > {{ lf_future_limit() }} then 'future_timestamp'
            when accepted_leads.lead_id is null then 'unknown_lead'
        end as row_issue
    from rows_collapsed
    left join accepted_leads
        on {{ lf_clean_text('rows_collapsed.lead_id') }} = accepted_leads.lead_id
),

ranked as (
    {{ lf_reject_conflicting_duplicates(
        'checked', lf_clean_text('activity_id'), 'parsed_occurred_at asc', raw_columns) }}
),

final as (
    select
        {{ lf_clean_text('activity_id') }} as activity_id,
        {{ lf_clean_text('lead_id') }} as lead_id,
        {{ lf_clean_text('rep_id') }} as rep_id,
        lower({{ lf_clean_text('activity_type') }}) as activity_type,
        parsed_occurred_at as occurred_at,
        raw_row_count,
        rejection_reason,
        case when rejection_reason is not null then {{ lf_raw_record(raw_columns) }} end as raw_record
    from ranked
)

select * from final
