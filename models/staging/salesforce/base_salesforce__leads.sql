-- Every row of the Salesforce lead table, typed, with the reason the adapters drop it (null when
-- kept). A deleted lead (is_deleted, or _fivetran_deleted where the connection has it) is dropped
-- unless master_record_id names the lead it was merged into: such a merged-away lead is kept,
-- merged into that lead (chains of merges are followed by base_crm__leads). Timestamps are UTC
-- instants, truncated to the second and rendered as 'YYYY-MM-DD HH:MM:SS' text (unreadable text is
-- passed on as it is, so the base model quarantines it); converted_date is a date, kept as
-- 'YYYY-MM-DD'.
{%- set timestamps = ['created_date', 'last_modified_date', '_fivetran_synced'] %}
{%- set converted_day = lf_parse_timestamp('substr(trim(source.converted_date), 1, 10)') %}

with

source as (
    select * from {{ lf_connector_source('salesforce', 'lead') }}
),

typed as (
    select
        {{ lf_clean_text('source.id') }} as lead_id,
        {{ lf_clean_text('source.master_record_id') }} as master_record_id,
        {{ lf_clean_text('source.converted_account_id') }} as converted_account_id,
        {{ lf_clean_text('source.converted_contact_id') }} as converted_contact_id,
        {{ lf_clean_text('source.converted_opportunity_id') }} as converted_opportunity_id,
        {{ lf_clean_text('source.created_by_id') }} as created_by_id,
        source.email,
        source.first_name,
        source.last_name,
        source.title as job_title,
        coalesce(
            {{ lf_clean_text('source.country_code') }}, {{ lf_clean_text('source.country') }}
        ) as country,
        source.lead_source,
        {{ lf_clean_text('source.status') }} as status,
        coalesce({{ lf_parse_boolean('source.is_converted') }}, false) as is_converted,
        (
            coalesce({{ lf_parse_boolean('source.is_deleted') }}, false)
            or coalesce({{ lf_parse_boolean('source._fivetran_deleted') }}, false)
        ) as is_deleted,
        {%- for column_name in timestamps %}
            {{ dbt.date_trunc('second', lf_parse_timestamp('source.' ~ column_name)) }}
                as {{ column_name.lstrip('_') }}_at,
            {{ lf_clean_text('source.' ~ column_name) }} as {{ column_name.lstrip('_') }}_raw,
        {%- endfor %}
        case
            when {{ lf_parse_timestamp('source.converted_date') }} is not null then {{ converted_day }}
        end as converted_day_at,
        {{ lf_clean_text('source.converted_date') }} as converted_date_raw
    from source
),

rendered as (
    select
        lead_id,
        master_record_id,
        converted_account_id,
        converted_contact_id,
        converted_opportunity_id,
        created_by_id,
        email,
        first_name,
        last_name,
        job_title,
        country,
        lead_source,
        status,
        is_converted,
        is_deleted,
        master_record_id is not null as is_merged_away,
        converted_day_at,
        case
            when converted_day_at is not null
                then substr(trim(converted_date_raw), 1, 10)
            else converted_date_raw
        end as converted_date_text,
        {%- for column_name in timestamps %}
            {%- set name = column_name.lstrip('_') %}
            {{ name }}_at,
            coalesce(
                cast({{ name }}_at as {{ lf_engine_type('varchar') }}), {{ name }}_raw
            ) as {{ name }}_text,
        {%- endfor %}
        case
            when is_deleted and master_record_id is null then 'deleted_in_source'
        end as drop_reason
    from typed
)

select * from rendered
