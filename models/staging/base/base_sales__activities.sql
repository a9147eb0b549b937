-- Every distinct raw sales-activity row, typed, with the reason it cannot be staged.
-- Rows sharing an activity_id with different values: the earliest occurred_at is kept.
{%- set raw_columns = var('raw_contract')['sales_activities']['required'] %}

with

source as (
    select * from {{ source('sales', 'sales_activities') }}
),

leads as (
    select * from {{ ref('base_crm__leads') }}
),

rows_collapsed as (
    {{ lf_collapse_exact_duplicates('source', raw_columns) }}
),

typed as (
    select
        {{ lf_raw_record(raw_columns) }} as raw_record,
        {{ lf_clean_text('activity_id') }} as activity_id,
        {{ lf_clean_text('lead_id') }} as lead_id,
        {{ lf_clean_text('rep_id') }} as rep_id,
        lower({{ lf_clean_text('activity_type') }}) as activity_type,
        {{ lf_try_cast(lf_clean_text('occurred_at'), dbt.type_timestamp()) }} as occurred_at,
        {{ lf_any_missing(['activity_id', 'lead_id', 'occurred_at']) }} as is_missing_required,
        raw_row_count
    from rows_collapsed
),

accepted_leads as (
    select distinct lead_id from leads
    where rejection_reason is null
),

checked as (
    select
        typed.*,
        case
            when typed.is_missing_required then 'missing_required_value'
            when typed.occurred_at is null then 'unreadable_timestamp'
            when typed.occurred_at > {{ lf_future_limit() }} then 'future_timestamp'
            when accepted_leads.lead_id is null then 'unknown_lead'
        end as row_issue
    from typed
    left join accepted_leads
        on typed.lead_id = accepted_leads.lead_id
),

ranked as (
    select
        *,
        row_number() over (
            partition by activity_id, case when row_issue is null then 1 else 0 end
            order by occurred_at, raw_record
        ) as id_rank
    from checked
)

select
    *,
    coalesce(
        row_issue,
        case when id_rank > 1 then 'conflicting_duplicate_id' end
    ) as rejection_reason
from ranked
