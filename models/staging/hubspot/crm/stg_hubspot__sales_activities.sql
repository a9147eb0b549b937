-- HubSpot engagements in the shape of the contract's sales_activities: one row per mapped
-- engagement (stg_hubspot__engagements_classified) and associated contact that is not deleted,
-- keyed '<engagement_id>:<contact_id>'. The rep is the engagement's owner
-- (property_hubspot_owner_id, owner.owner_id); the time is property_hs_timestamp, else the
-- record's creation.
{%- set text_type = lf_engine_type('varchar') %}

with

classified as (
    select * from {{ ref('stg_hubspot__engagements_classified') }}
),

engagement_contacts as (
    select * from {{ lf_connector_source('hubspot', 'engagement_contact') }}
),

identities as (
    select * from {{ ref('stg_hubspot__contact_identities') }}
),

contact_links as (
    select distinct
        {{ lf_clean_text('engagement_contacts.engagement_id') }} as engagement_id,
        {{ lf_clean_text('engagement_contacts.contact_id') }} as contact_id
    from engagement_contacts
    left join identities
        on {{ lf_clean_text('engagement_contacts.contact_id') }} = identities.contact_id
    where
        {{ lf_clean_text('engagement_contacts.contact_id') }} is not null
        and not coalesce(identities.is_deleted_in_source, false)
),

final as (
    select
        cast(
            {{ dbt.concat(['classified.engagement_id', "':'", 'contact_links.contact_id']) }}
            as {{ text_type }}
        ) as activity_id,
        cast(contact_links.contact_id as {{ text_type }}) as lead_id,
        cast(classified.owner_id as {{ text_type }}) as rep_id,
        cast(classified.activity_type as {{ text_type }}) as activity_type,
        cast(classified.occurred_at as {{ text_type }}) as occurred_at
    from classified
    inner join contact_links
        on classified.engagement_id = contact_links.engagement_id
    where classified.outcome = 'mapped'
)

select * from final
