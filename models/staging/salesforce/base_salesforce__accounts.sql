-- Every row of the Salesforce account table, typed, with the reason the adapters drop it (null when
-- kept): deleted_in_source (is_deleted or _fivetran_deleted), merged_away (deleted by a merge:
-- master_record_id names the surviving account; the contract has no account merges). The domain is
-- derived from website: lower-cased, without scheme, www., port, path, query or fragment. Numbers
-- become plain decimal text; text that is no number is passed on for the base model to quarantine.
{%- set timestamps = ['created_date', 'last_modified_date', '_fivetran_synced'] %}
{%- set employees = lf_try_cast(lf_clean_text('source.number_of_employees'), lf_engine_type('double')) %}
{%- set revenue = lf_try_cast(lf_clean_text('source.annual_revenue'), lf_engine_type('double')) %}

with

source as (
    select * from {{ lf_connector_source('salesforce', 'account') }}
),

typed as (
    select
        {{ lf_clean_text('source.id') }} as account_id,
        {{ lf_clean_text('source.master_record_id') }} as master_record_id,
        source.name as account_name,
        source.industry,
        coalesce(
            {{ lf_clean_text('source.billing_country_code') }},
            {{ lf_clean_text('source.billing_country') }}
        ) as country,
        lower({{ lf_clean_text('source.website') }}) as website,
        case
            when {{ employees }} = floor({{ employees }})
                then cast(cast({{ employees }} as {{ dbt.type_bigint() }}) as {{ lf_engine_type('varchar') }})
            else {{ lf_clean_text('source.number_of_employees') }}
        end as employee_count,
        case
            when {{ revenue }} is not null
                then cast(cast({{ revenue }} as decimal(18, 2)) as {{ lf_engine_type('varchar') }})
            else {{ lf_clean_text('source.annual_revenue') }}
        end as annual_revenue,
        {%- for column_name in timestamps %}
            {{ dbt.date_trunc('second', lf_parse_timestamp('source.' ~ column_name)) }}
                as {{ column_name.lstrip('_') }}_at,
            {{ lf_clean_text('source.' ~ column_name) }} as {{ column_name.lstrip('_') }}_raw,
        {%- endfor %}
        (
            coalesce({{ lf_parse_boolean('source.is_deleted') }}, false)
            or coalesce({{ lf_parse_boolean('source._fivetran_deleted') }}, false)
        ) as is_deleted
    from source
),

-- website without its scheme (https://), then without what follows the host.
website_hosts as (
    select
        *,
        {{ dbt.split_part(dbt.split_part(dbt.split_part(dbt.split_part(
            "case when website like '%://%' then " ~ dbt.split_part('website', "'://'", 2)
            ~ " else website end",
            "'/'", 1), "'?'", 1), "'#'", 1), "':'", 1) }} as website_host
    from typed
),

rendered as (
    select
        account_id,
        master_record_id,
        account_name,
        industry,
        country,
        employee_count,
        annual_revenue,
        nullif(
            case when website_host like 'www.%' then substr(website_host, 5) else website_host end,
            ''
        ) as domain,
        {%- for column_name in timestamps %}
            {%- set name = column_name.lstrip('_') %}
            coalesce(
                cast({{ name }}_at as {{ lf_engine_type('varchar') }}), {{ name }}_raw
            ) as {{ name }}_text,
        {%- endfor %}
        case
            when is_deleted and master_record_id is not null then 'merged_away'
            when is_deleted then 'deleted_in_source'
        end as drop_reason
    from website_hosts
)

select * from rendered
