-- Every distinct raw account row, typed, with the reason it cannot be staged (null when it
-- can). Rows sharing an account_id with different values: the latest updated_at is kept.
{%- set raw_columns = var('raw_contract')['accounts']['required'] %}
{%- set created = lf_parse_timestamp('created_at') %}
{%- set updated = lf_parse_timestamp('updated_at') %}
{%- set employees = lf_try_cast(lf_clean_text('employee_count'), dbt.type_int()) %}
{%- set revenue = lf_try_cast(lf_clean_text('annual_revenue'), 'decimal(18, 2)') %}

with

source as (
    select * from {{ lf_contract_input('accounts') }}
),

rows_collapsed as (
    {{ lf_collapse_exact_duplicates('source', raw_columns) }}
),

checked as (
    select
        *,
        {{ created }} as parsed_created_at,
        {{ updated }} as parsed_updated_at,
        {{ employees }} as parsed_employee_count,
        {{ revenue }} as parsed_annual_revenue,
        case
            when {{ lf_any_missing(['account_id', 'created_at']) }} then 'missing_required_value'
            when
                {{ created }} is null
                or ({{ lf_clean_text('updated_at') }} is not null and {{ updated }} is null)
                then 'unreadable_timestamp'
            when {{ created }} < {{ lf_timestamp_floor() }} or {{ updated }} < {{ lf_timestamp_floor() }}
                then 'implausible_timestamp'
            when {{ created }} > {{ lf_future_limit() }} then 'future_timestamp'
            when
                ({{ lf_clean_text('employee_count') }} is not null and {{ employees }} is null)
                or ({{ lf_clean_text('annual_revenue') }} is not null and {{ revenue }} is null)
                then 'invalid_number'
            when {{ employees }} < 0 or {{ revenue }} < 0 then 'negative_amount'
        end as row_issue
    from rows_collapsed
),

ranked as (
    {{ lf_reject_conflicting_duplicates(
        'checked', lf_clean_text('account_id'), 'parsed_updated_at desc nulls last', raw_columns) }}
),

final as (
    select
        {{ lf_clean_text('account_id') }} as account_id,
        {{ lf_mask_personal_data(lf_clean_text('account_name')) }} as account_name,
        lower({{ lf_clean_text('domain') }}) as account_domain,
        {{ lf_mask_personal_data('lower(' ~ lf_clean_text('industry') ~ ')') }} as industry,
        {{ lf_mask_personal_data('upper(' ~ lf_clean_text('country') ~ ')') }} as country,
        parsed_employee_count as employee_count,
        parsed_annual_revenue as annual_revenue,
        parsed_created_at as created_at,
        parsed_updated_at as updated_at,
        raw_row_count,
        rejection_reason,
        case when rejection_reason is not null then {{ lf_raw_record(raw_columns) }} end as raw_record
    from ranked
)

select * from final
