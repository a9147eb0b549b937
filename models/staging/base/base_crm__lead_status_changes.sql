-- Every distinct raw lead-status-change row, typed, with the reason it cannot be staged.
-- Rows sharing a change_id with different values: the earliest changed_at is kept.
{%- set raw_columns = var('raw_contract')['lead_status_changes']['required'] %}

with

source as (
    select * from {{ source('crm', 'lead_status_changes') }}
),

statuses as (
    select * from {{ ref('lead_statuses') }}
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
        {{ lf_clean_text('change_id') }} as change_id,
        {{ lf_clean_text('lead_id') }} as lead_id,
        lower({{ lf_clean_text('status') }}) as status,
        lower({{ lf_clean_text('reason') }}) as reason,
        {{ lf_clean_text('changed_by') }} as changed_by,
        {{ lf_try_cast(lf_clean_text('changed_at'), dbt.type_timestamp()) }} as changed_at,
        {{ lf_any_missing(['change_id', 'lead_id', 'status', 'changed_at']) }}
            as is_missing_required,
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
            when typed.changed_at is null then 'unreadable_timestamp'
            when typed.changed_at > {{ lf_future_limit() }} then 'future_timestamp'
            when statuses.status is null then 'unknown_status'
            when accepted_leads.lead_id is null then 'unknown_lead'
        end as row_issue
    from typed
    left join statuses
        on typed.status = statuses.status
    left join accepted_leads
        on typed.lead_id = accepted_leads.lead_id
),

ranked as (
    select
        *,
        row_number() over (
            partition by change_id, case when row_issue is null then 1 else 0 end
            order by changed_at, raw_record
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
