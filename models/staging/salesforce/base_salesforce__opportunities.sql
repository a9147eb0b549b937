-- Every row of the Salesforce opportunity table, typed, with the reason the adapters drop it (null
-- when kept): deleted_in_source (is_deleted or _fivetran_deleted; a deleted opportunity never
-- counts). An opportunity is closed when is_closed (else is_won) says so; close_date is a date,
-- kept as 'YYYY-MM-DD' (midnight UTC). The amount becomes plain decimal text; text that is no
-- number is passed on for the base model to quarantine. currency: currency_iso_code (orgs with
-- multiple currencies), else null.
{%- set amount = lf_try_cast(lf_clean_text('source.amount'), lf_engine_type('double')) %}

with

source as (
    select * from {{ lf_connector_source('salesforce', 'opportunity') }}
),

typed as (
    select
        {{ lf_clean_text('source.id') }} as opportunity_id,
        {{ lf_clean_text('source.account_id') }} as account_id,
        source.stage_name,
        case
            when {{ amount }} is not null
                then cast(cast({{ amount }} as decimal(18, 2)) as {{ lf_engine_type('varchar') }})
            else {{ lf_clean_text('source.amount') }}
        end as amount,
        {{ lf_clean_text('source.currency_iso_code') }} as currency,
        {{ lf_parse_boolean('source.is_won') }} as is_won,
        coalesce(
            {{ lf_parse_boolean('source.is_closed') }}, {{ lf_parse_boolean('source.is_won') }}, false
        ) as is_closed,
        (
            coalesce({{ lf_parse_boolean('source.is_deleted') }}, false)
            or coalesce({{ lf_parse_boolean('source._fivetran_deleted') }}, false)
        ) as is_deleted,
        case
            when {{ lf_parse_timestamp('source.close_date') }} is not null
                then substr(trim(source.close_date), 1, 10)
            else {{ lf_clean_text('source.close_date') }}
        end as close_date_text,
        {{ dbt.date_trunc('second', lf_parse_timestamp('source.created_date')) }} as created_date_at,
        {{ lf_clean_text('source.created_date') }} as created_date_raw
    from source
),

rendered as (
    select
        opportunity_id,
        account_id,
        stage_name,
        amount,
        currency,
        is_won,
        is_closed,
        close_date_text,
        created_date_at,
        coalesce(
            cast(created_date_at as {{ lf_engine_type('varchar') }}), created_date_raw
        ) as created_date_text,
        case when is_deleted then 'deleted_in_source' end as drop_reason
    from typed
)

select * from rendered
