-- HubSpot email events and form submissions in the shape of the contract's engagement_events:
-- the mapped rows of stg_hubspot__engagement_events_classified (which says why the other rows
-- are dropped and how each event finds its lead). campaign_id is the email campaign
-- (email_event.email_campaign_id); a click's page_url is the link clicked; a form submission's
-- properties name its form.
{%- set text_type = lf_engine_type('varchar') %}

with

classified as (
    select * from {{ ref('stg_hubspot__engagement_events_classified') }}
),

final as (
    select
        cast(event_id as {{ text_type }}) as event_id,
        cast(lead_id as {{ text_type }}) as lead_id,
        cast(event_type as {{ text_type }}) as event_type,
        cast(occurred_at as {{ text_type }}) as occurred_at,
        cast(campaign_id as {{ text_type }}) as campaign_id,
        cast(page_url as {{ text_type }}) as page_url,
        cast(properties as {{ text_type }}) as properties,
        cast(loaded_at as {{ text_type }}) as loaded_at
    from classified
    where outcome = 'mapped'
)

select * from final
