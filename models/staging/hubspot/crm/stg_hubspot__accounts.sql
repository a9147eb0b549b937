-- HubSpot companies in the shape of the contract's accounts: one row per company that is not
-- deleted (_fivetran_deleted or, on v2 connections, is_deleted). Values pass on as HubSpot
-- holds them (industry as its internal option value, country as typed); updated_at is the last
-- modification, else the last sync.
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
        cast({{ lf_hubspot_timestamp_text('property_createdate') }} as {{ text_type }}) as created_at,
        cast(
            {{ lf_hubspot_timestamp_text('coalesce(' ~ lf_clean_text('property_hs_lastmodifieddate')
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
