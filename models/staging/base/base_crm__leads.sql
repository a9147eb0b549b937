-- Every distinct raw lead row, typed and normalised, with the reason it cannot be staged.
-- Rows sharing a lead_id with different values: the latest updated_at is kept.
{%- set raw_columns = var('raw_contract')['leads']['required'] %}

with

source as (
    select * from {{ source('crm', 'leads') }}
),

rows_collapsed as (
    {{ lf_collapse_exact_duplicates('source', raw_columns) }}
),

typed as (
    select
        {{ lf_raw_record(raw_columns) }} as raw_record,
        {{ lf_clean_text('lead_id') }} as lead_id,
        {{ lf_clean_text('account_id') }} as account_id,
        {{ lf_clean_text('campaign_id') }} as campaign_id,
        {{ lf_clean_text('merged_into_lead_id') }} as merged_into_lead_id,
        lower({{ lf_clean_text('email') }}) as email_normalised,
        coalesce(email <> lower(trim(email)), false) as was_email_repaired,
        {{ lf_clean_text('first_name') }} as first_name,
        {{ lf_clean_text('last_name') }} as last_name,
        {{ lf_clean_text('job_title') }} as job_title,
        upper({{ lf_clean_text('country') }}) as country,
        lower({{ lf_clean_text('lead_source') }}) as lead_source,
        {{ lf_try_cast(lf_clean_text('created_at'), dbt.type_timestamp()) }} as created_at,
        {{ lf_try_cast(lf_clean_text('updated_at'), dbt.type_timestamp()) }} as updated_at,
        {{ lf_any_missing(['lead_id', 'created_at']) }} as is_missing_required,
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
        end as row_issue
    from typed
),

ranked as (
    select
        *,
        row_number() over (
            partition by lead_id, case when row_issue is null then 1 else 0 end
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
