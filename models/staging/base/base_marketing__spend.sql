-- Every distinct raw marketing-spend row, typed, with the reason it cannot be staged.
-- Spend rows have no id of their own: a row is identified by day, channel and campaign, and
-- rows sharing those with different amounts are all kept (spend booked in several lines).
{%- set raw_columns = var('raw_contract')['marketing_spend']['required'] %}

with

source as (
    select * from {{ source('marketing', 'marketing_spend') }}
),

rows_collapsed as (
    {{ lf_collapse_exact_duplicates('source', raw_columns) }}
),

typed as (
    select
        {{ lf_raw_record(raw_columns) }} as raw_record,
        {{ lf_clean_text('campaign_id') }} as campaign_id,
        lower({{ lf_clean_text('channel') }}) as channel,
        {{ lf_try_cast(lf_clean_text('amount'), 'decimal(18, 2)') }} as amount,
        {{ lf_try_cast(lf_clean_text('spend_date'), dbt.type_timestamp()) }} as spend_at,
        {{ lf_any_missing(['spend_date', 'channel', 'amount']) }} as is_missing_required,
        raw_row_count
    from rows_collapsed
),

checked as (
    select
        *,
        case
            when is_missing_required then 'missing_required_value'
            when spend_at is null then 'unreadable_timestamp'
            when spend_at > {{ lf_future_limit() }} then 'future_timestamp'
            when amount is null then 'invalid_number'
            when amount < 0 then 'negative_amount'
        end as row_issue
    from typed
)

select
    *,
    row_issue as rejection_reason
from checked
