-- The contract's accounts from Salesforce: one row per account the adapters keep (not deleted).
-- created_at and updated_at are created_date and last_modified_date, else (a connection
-- without those fields) the connector's sync time. Every column is text (contract shape).
{%- set text_type = lf_engine_type('varchar') %}

with

accounts as (
    select * from {{ ref('base_salesforce__accounts') }}
),

mapped as (
    select
        cast(account_id as {{ text_type }}) as account_id,
        cast(account_name as {{ text_type }}) as account_name,
        cast(domain as {{ text_type }}) as domain,
        cast(industry as {{ text_type }}) as industry,
        cast(employee_count as {{ text_type }}) as employee_count,
        cast(annual_revenue as {{ text_type }}) as annual_revenue,
        cast(country as {{ text_type }}) as country,
        cast(coalesce(created_date_text, fivetran_synced_text) as {{ text_type }}) as created_at,
        cast(coalesce(last_modified_date_text, fivetran_synced_text) as {{ text_type }}) as updated_at
    from accounts
    where drop_reason is null
)

select * from mapped
