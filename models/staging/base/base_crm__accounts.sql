-- Every distinct raw account row, typed, with the reason it cannot be staged (null if it can).
-- Rows sharing an account_id with different values: the latest updated_at is kept.
{%- set raw_columns = var('raw_contract')['accounts']['required'] %}

with

source as (
    select * from {{ source('crm', 'accounts') }}
),

rows_collapsed as (
    {{ lf_collapse_exact_duplicates('source', raw_columns) }}
),

typed as (
    select
        {{ lf_raw_record(raw_columns) }} as raw_record,
        {{ lf_clean_text('account_id') }} as account_id,
        {{ lf_clean_text('account_name') }} as account_name,
        lower({{ lf_clean_text('domain') }}) as account_domain,
        lower({{ lf_clean_text('industry') }}) as industry,
        upper({{ lf_clean_text('country') }}) as country,
        {{ lf_try_cast(lf_clean_text('employee_count'), dbt.type_int()) }} as employee_count,
        {{ lf_try_cast(lf_clean_text('annual_revenue'), 'decimal(18, 2)') }} as annual_revenue,
        {{ lf_try_cast(lf_clean_text('created_at'), dbt.type_timestamp()) }} as created_at,
        {{ lf_try_cast(lf_clean_text('updated_at'), dbt.type_timestamp()) }} as updated_at,
        {{ lf_any_missing(['account_id', 'created_at']) }} as is_missing_required,
        (
            (
                {{ lf_clean_text('employee_count') }} is not null
                and {{ lf_try_cast(lf_clean_text('employee_count'), dbt.type_int()) }} is null
            )
            or (
                {{ lf_clean_text('annual_revenue') }} is not null
                and {{ lf_try_cast(lf_clean_text('annual_revenue'), 'decimal(18, 2)') }} is null
            )
        ) as has_invalid_number,
        (
            {{ lf_try_cast(lf_clean_text('created_at'), dbt.type_timestamp()) }} is null
            or (
                {{ lf_clean_text('updated_at') }} is not null
                and {{ lf_try_cast(lf_clean_text('updated_at'), dbt.type_timestamp()) }} is null
            )
        ) as has_unreadable_timestamp,
        raw_row_count
    from rows_collapsed
),

checked as (
    select
        *,
        case
            when is_missing_required then 'missing_required_value'
            when has_unreadable_timestamp then 'unreadable_timestamp'
            when created_at > {{ lf_future_limit() }} then 'future_timestamp'
            when has_invalid_number then 'invalid_number'
            when employee_count < 0 or annual_revenue < 0 then 'negative_amount'
        end as row_issue
    from typed
),

ranked as (
    select
        *,
        row_number() over (
            partition by account_id, case when row_issue is null then 1 else 0 end
            order by updated_at desc nulls last, raw_record asc
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
