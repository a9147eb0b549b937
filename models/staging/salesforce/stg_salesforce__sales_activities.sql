-- The contract's sales activities from Salesforce: one row per task or event the adapters keep
-- (base_salesforce__activities: a done touch of a kept lead, or of a contact converted from
-- one). rep_id is the owner. Every column is text (contract shape).
{%- set text_type = lf_engine_type('varchar') %}

with

activities as (
    select * from {{ ref('base_salesforce__activities') }}
),

mapped as (
    select
        cast(activity_id as {{ text_type }}) as activity_id,
        cast(lead_id as {{ text_type }}) as lead_id,
        cast(rep_id as {{ text_type }}) as rep_id,
        cast(activity_type as {{ text_type }}) as activity_type,
        cast(occurred_at_text as {{ text_type }}) as occurred_at
    from activities
    where drop_reason is null
)

select * from mapped
