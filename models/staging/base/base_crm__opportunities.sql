-- Every distinct raw opportunity row, typed, with the reason it cannot be staged (null when it
-- can). Rows sharing an opportunity_id with different values: the latest closed_at, then
-- created_at, is kept.
{%- set raw_columns = var('raw_contract')['opportunities']['required'] + ['currency'] %}
{%- set created = lf_parse_timestamp('rows_collapsed.created_at') %}
{%- set closed = lf_parse_timestamp('rows_collapsed.closed_at') %}
{%- set amount = lf_try_cast(lf_clean_text('rows_collapsed.amount'), 'decimal(18, 2)') %}
{%- set won = lf_parse_boolean('rows_collapsed.is_won') %}
{%- set currency = 'upper(' ~ lf_clean_text('rows_collapsed.currency') ~ ')' %}

with

source as (
    select * from {{ lf_contract_input('opportunities') }}
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
        {{ created }} as parsed_created_at,
        {{ closed }} as parsed_closed_at,
        {{ amount }} as parsed_amount,
        {{ won }} as parsed_is_won,
        {{ currency }} as parsed_currency,
        case
            when {{ lf_any_missing(['rows_collapsed.opportunity_id', 'rows_collapsed.created_at']) }}
                then 'missing_required_value'
            when
                {{ created }} is null
                or ({{ lf_clean_text('rows_collapsed.closed_at') }} is not null and {{ closed }} is null)
                then 'unreadable_timestamp'
            when {{ created }} < {{ lf_timestamp_floor() }} or {{ closed }} < {{ lf_timestamp_floor() }}
                then 'implausible_timestamp'
            when {{ created }} > {{ lf_future_limit() }} or {{ closed }} > {{ lf_future_limit() }}
                then 'future_timestamp'
            when
                ({{ lf_clean_text('rows_collapsed.amount') }} is not null and {{ amount }} is null)
                or ({{ lf_clean_text('rows_collapsed.is_won') }} is not null and {{ won }} is null)
                then 'invalid_number'
            when {{ amount }} < 0 then 'negative_amount'
            when {{ currency }} is not null and {{ dbt.length(currency) }} <> 3 then 'invalid_currency'
            when
                {{ lf_clean_text('rows_collapsed.lead_id') }} is not null
                and accepted_leads.lead_id is null
                then 'unknown_lead'
        end as row_issue
    from rows_collapsed
    left join accepted_leads
        on {{ lf_clean_text('rows_collapsed.lead_id') }} = accepted_leads.lead_id
),

ranked as (
    {{ lf_reject_conflicting_duplicates(
        'checked', lf_clean_text('opportunity_id'),
        'parsed_closed_at desc nulls last, parsed_created_at desc', raw_columns) }}
),

final as (
    select
        {{ lf_clean_text('opportunity_id') }} as opportunity_id,
        {{ lf_clean_text('account_id') }} as account_id,
        {{ lf_clean_text('lead_id') }} as lead_id,
        {{ lf_mask_personal_data('lower(' ~ lf_clean_text('stage') ~ ')') }} as stage,
        parsed_amount as amount,
        parsed_currency as currency,
        parsed_is_won as is_won,
        parsed_created_at as created_at,
        parsed_closed_at as closed_at,
        raw_row_count,
        rejection_reason,
        case when rejection_reason is not null then {{ lf_raw_record(raw_columns) }} end as raw_record
    from ranked
)

select * from final
