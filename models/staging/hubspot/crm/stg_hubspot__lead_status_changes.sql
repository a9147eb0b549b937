-- HubSpot lifecycle stage and lead status changes in the shape of the contract's
-- lead_status_changes: the mapped rows of stg_hubspot__status_history_classified (which says
-- why the other rows of contact_property_history are dropped). The status is HubSpot's value
-- (seed crm_status_mapping translates it in the base model) or, for a move back to a stage
-- before the funnel, the recycle status of seed hubspot_lifecycle_stages.
{%- set text_type = lf_engine_type('varchar') %}

with

classified as (
    select * from {{ ref('stg_hubspot__status_history_classified') }}
),

final as (
    select
        cast(change_id as {{ text_type }}) as change_id,
        cast(contact_id as {{ text_type }}) as lead_id,
        cast(status as {{ text_type }}) as status,
        cast(reason as {{ text_type }}) as reason,
        cast(changed_at as {{ text_type }}) as changed_at,
        cast(changed_by as {{ text_type }}) as changed_by
    from classified
    where outcome = 'mapped'
)

select * from final
