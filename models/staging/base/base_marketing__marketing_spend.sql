-- Every distinct raw marketing-spend row, typed, with the reason it cannot be staged (null when
-- it can). Spend rows have no id of their own: rows sharing day, channel and campaign with
-- different amounts are all kept (spend booked in several lines); the id hashes the raw row.
{%- set raw_columns = var('raw_contract')['marketing_spend']['required'] + ['currency'] %}
{%- set spent_on = lf_try_cast(lf_clean_text('spend_date'), dbt.type_timestamp()) %}
{%- set amount = lf_try_cast(lf_clean_text('amount'), 'decimal(18, 2)') %}
{%- set currency = 'upper(' ~ lf_clean_text('currency') ~ ')' %}

with

source as (
    select * from {{ lf_contract_input('marketing_spend') }}
),

rows_collapsed as (
    {{ lf_collapse_exact_duplicates('source', raw_columns) }}
),

checked as (
    select
        *,
        {{ spent_on }} as parsed_spend_at,
        {{ amount }} as parsed_amount,
        case
            when {{ lf_any_missing(['spend_date', 'channel', 'amount']) }} then 'missing_required_value'
            when {{ spent_on }} is null then 'unreadable_timestamp'
            when {{ spent_on }} < {{ lf_timestamp_floor() }} then 'implausible_timestamp'
            when {{ spent_on }} > {{ lf_future_limit() }} then 'future_timestamp'
            when {{ amount }} is null then 'invalid_number'
            when {{ amount }} < 0 then 'negative_amount'
            when {{ currency }} is not null and {{ dbt.length(currency) }} <> 3 then 'invalid_currency'
        end as rejection_reason
    from rows_collapsed
),

final as (
    select
        {{ dbt.hash(lf_raw_record(raw_columns)) }} as marketing_spend_id,
        {{ lf_clean_text('campaign_id') }} as campaign_id,
        {{ lf_mask_personal_data('lower(' ~ lf_clean_text('channel') ~ ')') }} as channel,
        parsed_amount as amount,
        {{ currency }} as currency,
        cast(parsed_spend_at as date) as spend_date,
        raw_row_count,
        rejection_reason,
        case when rejection_reason is not null then {{ lf_raw_record(raw_columns) }} end as raw_record
    from checked
)

select * from final
