-- HubSpot companies in the shape of the contract's accounts: one row per company that is not
-- deleted (_fivetran_deleted or, on v2 connections, is_deleted). Values pass on as HubSpot
-- holds them (industry as its internal option value, country as typed); updated_at is the last
-- modification, else the last sync.
{#- HubSpot datetimes as contract text: ISO 8601 (an offset is converted; no offset is UTC) or
    epoch milliseconds (12 or 13 digits) to 'YYYY-MM-DD HH:MM:SS'; a date alone stays a date;
    anything else passes on as it is, for the base model to quarantine. '@@' is the column. -#}
{%- set iso = lf_parse_timestamp('@@') %}
{%- set epoch_ms = lf_try_cast(lf_clean_text('@@'), dbt.type_bigint()) %}
{%- set parsed = "(case when " ~ iso ~ " is not null then " ~ iso
    ~ " when length(" ~ lf_clean_text('@@') ~ ") in (12, 13) and " ~ epoch_ms ~ " is not null then "
    ~ dbt.dateadd('second', 'cast(floor(' ~ epoch_ms ~ ' / 1000.0) as ' ~ dbt.type_bigint() ~ ')',
        "cast('1970-01-01 00:00:00' as " ~ dbt.type_timestamp() ~ ")") ~ " end)" %}
{%- set as_text = "(case when length(" ~ lf_clean_text('@@') ~ ") = 10 and " ~ iso ~ " is not null then "
    ~ lf_clean_text('@@') ~ " when " ~ parsed ~ " is not null then cast("
    ~ dbt.date_trunc('second', parsed) ~ " as " ~ lf_engine_type('varchar') ~ ") else "
    ~ lf_clean_text('@@') ~ " end)" %}
{%- set text_type = lf_engine_type('varchar') %}

with

companies as (
    select * from {{ lf_connector_source('hubspot', 'company') }}
),

final as (
    select
        cast({{ lf_clean_text('id') }} as {{ text_type }}) as account_id,
        cast(property_name as {{ text_type }}) as account_name,
        cast(property_domain as {{ text_type }}) as domain,
        cast(property_industry as {{ text_type }}) as industry,
        cast({{ lf_clean_text('property_numberofemployees') }} as {{ text_type }}) as employee_count,
        cast({{ lf_clean_text('property_annualrevenue') }} as {{ text_type }}) as annual_revenue,
        cast(property_country as {{ text_type }}) as country,
        cast({{ as_text | replace('@@', 'property_createdate') }} as {{ text_type }}) as created_at,
        cast(
            {{ as_text | replace('@@', 'coalesce(' ~ lf_clean_text('property_hs_lastmodifieddate')
                ~ ', _fivetran_synced)') }}
            as {{ text_type }}
        ) as updated_at
    from companies
    where not (
        coalesce({{ lf_parse_boolean('_fivetran_deleted') }}, false)
        or coalesce({{ lf_parse_boolean('is_deleted') }}, false)
    )
)

select * from final
