-- Every distinct raw opportunity row, typed, with the reason it cannot be staged.
-- Rows sharing an opportunity_id with different values: the latest closed_at, then created_at, is kept.
{%- set raw_columns = var('raw_contract')['opportunities']['required'] %}

with

source as (
    select * from {{ source('crm', 'opportunities') }}
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
        {{ lf_clean_text('opportunity_id') }} as opportunity_id,
        {{ lf_clean_text('account_id') }} as account_id,
        {{ lf_clean_text('lead_id') }} as lead_id,
        lower({{ lf_clean_text('stage') }}) as stage,
        {{ lf_try_cast(lf_clean_text('amount'), 'decimal(18, 2)') }} as amount,
        {{ lf_parse_boolean('is_won') }} as is_won,
        {{ lf_try_cast(lf_clean_text('created_at'), dbt.type_timestamp()) }} as created_at,
        {{ lf_try_cast(lf_clean_text('closed_at'), dbt.type_timestamp()) }} as closed_at,
        {{ lf_any_missing(['opportunity_id', 'created_at']) }} as is_missing_required,
        (
            {{ lf_try_cast(lf_clean_text('created_at'), dbt.type_timestamp()) }} is null
            or (
                {{ lf_clean_text('closed_at') }} is not null
                and {{ lf_try_cast(lf_clean_text('closed_at'), dbt.type_timestamp()) }} is null
            )
        ) as has_unreadable_timestamp,
        (
            (
                {{ lf_clean_text('amount') }} is not null
                and {{ lf_try_cast(lf_clean_text('amount'), 'decimal(18, 2)') }} is null
            )
            or ({{ lf_clean_text('is_won') }} is not null and {{ lf_parse_boolean('is_won') }} is null)
        ) as has_invalid_value,
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
            when typed.has_unreadable_timestamp then 'unreadable_timestamp'
            when
                typed.created_at > {{ lf_future_limit() }}
                or typed.closed_at > {{ lf_future_limit() }} then 'future_timestamp'
            when typed.has_invalid_value then 'invalid_number'
            when typed.amount < 0 then 'negative_amount'
            when typed.lead_id is not null and accepted_leads.lead_id is null then 'unknown_lead'
        end as row_issue
    from typed
    left join accepted_leads
        on typed.lead_id = accepted_leads.lead_id
),

ranked as (
    select
        *,
        row_number() over (
            partition by opportunity_id, case when row_issue is null then 1 else 0 end
            order by closed_at desc nulls last, created_at desc, raw_record asc
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
