-- Every distinct raw lead row, typed and normalised, with the reason it cannot be staged (null
-- when it can). Rows sharing a lead_id with different values: the latest updated_at is kept.
{%- set raw_columns = var('raw_contract')['leads']['required'] %}
{%- set created = lf_try_cast(lf_clean_text('created_at'), dbt.type_timestamp()) %}
{%- set updated = lf_try_cast(lf_clean_text('updated_at'), dbt.type_timestamp()) %}

with

source as (
    select * from {{ source('crm', 'leads') }}
),

rows_collapsed as (
    {{ lf_collapse_exact_duplicates('source', raw_columns) }}
),

checked as (
    select
        *,
        {{ created }} as parsed_created_at,
        {{ updated }} as parsed_updated_at,
        case
            when {{ lf_any_missing(['lead_id', 'created_at']) }} then 'missing_required_value'
            when
                {{ created }} is null
                or ({{ lf_clean_text('updated_at') }} is not null and {{ updated }} is null)
                then 'unreadable_timestamp'
            when {{ created }} > {{ lf_future_limit() }} then 'future_timestamp'
        end as row_issue
    from rows_collapsed
),

ranked as (
    {{ lf_reject_conflicting_duplicates(
        'checked', lf_clean_text('lead_id'), 'parsed_updated_at desc nulls last', raw_columns) }}
),

final as (
    select
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
        parsed_created_at as created_at,
        parsed_updated_at as updated_at,
        raw_row_count,
        rejection_reason,
        case when rejection_reason is not null then {{ lf_raw_record(raw_columns) }} end as raw_record
    from ranked
)

select * from final
