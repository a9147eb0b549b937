-- HubSpot contacts in the shape of the contract's leads (README, "Reading HubSpot"): one row per
-- contact that is not deleted, plus one per merged-away id that is no longer a contact row, so
-- the history still pointing at it (status changes, form submissions, engagements, deals) moves
-- to its survivor. merged_into_lead_id comes from the surviving contacts' merged-ids lists
-- (stg_hubspot__contact_identities). A merged-away id without a row has no email or names; its
-- created_at is the earliest of its property history and its survivor's creation.
{%- set text_type = lf_engine_type('varchar') %}

with

contacts as (
    select * from {{ lf_connector_source('hubspot', 'contact') }}
),

property_history as (
    select * from {{ lf_connector_source('hubspot', 'contact_property_history') }}
),

identities as (
    select * from {{ ref('stg_hubspot__contact_identities') }}
),

contact_leads as (
    select
        cast({{ lf_clean_text('contacts.id') }} as {{ text_type }}) as lead_id,
        cast({{ lf_clean_text('contacts.property_associatedcompanyid') }} as {{ text_type }}) as account_id,
        cast(contacts.property_email as {{ text_type }}) as email,
        cast(contacts.property_firstname as {{ text_type }}) as first_name,
        cast(contacts.property_lastname as {{ text_type }}) as last_name,
        cast(contacts.property_jobtitle as {{ text_type }}) as job_title,
        cast(contacts.property_country as {{ text_type }}) as country,
        cast(contacts.property_hs_analytics_source as {{ text_type }}) as lead_source,
        cast(null as {{ text_type }}) as campaign_id,
        cast({{ lf_hubspot_timestamp_text('contacts.property_createdate') }} as {{ text_type }}) as created_at,
        cast(
            {{ lf_hubspot_timestamp_text('coalesce(' ~ lf_clean_text('contacts.property_lastmodifieddate')
                ~ ', contacts._fivetran_synced)') }}
            as {{ text_type }}
        ) as updated_at,
        cast(identities.merged_into_contact_id as {{ text_type }}) as merged_into_lead_id
    from contacts
    left join identities
        on {{ lf_clean_text('contacts.id') }} = identities.contact_id
    where not coalesce(identities.is_deleted_in_source, false)
),

history_starts as (
    select
        {{ lf_clean_text('contact_id') }} as contact_id,
        min({{ lf_hubspot_timestamp(adapter.quote('timestamp')) }}) as first_changed_at
    from property_history
    group by {{ lf_clean_text('contact_id') }}
),

merge_target_creations as (
    select
        {{ lf_clean_text('id') }} as contact_id,
        min({{ lf_hubspot_timestamp('property_createdate') }}) as created_at
    from contacts
    group by {{ lf_clean_text('id') }}
),

gone_merged_contacts as (
    select
        identities.contact_id,
        identities.merged_into_contact_id,
        case
            when history_starts.first_changed_at is null then merge_target_creations.created_at
            when merge_target_creations.created_at is null then history_starts.first_changed_at
            when history_starts.first_changed_at < merge_target_creations.created_at
                then history_starts.first_changed_at
            else merge_target_creations.created_at
        end as created_at
    from identities
    left join history_starts
        on identities.contact_id = history_starts.contact_id
    left join merge_target_creations
        on identities.merged_into_contact_id = merge_target_creations.contact_id
    where identities.is_merged_away and not identities.is_contact_row
),

gone_merged_leads as (
    select
        cast(contact_id as {{ text_type }}) as lead_id,
        cast(null as {{ text_type }}) as account_id,
        cast(null as {{ text_type }}) as email,
        cast(null as {{ text_type }}) as first_name,
        cast(null as {{ text_type }}) as last_name,
        cast(null as {{ text_type }}) as job_title,
        cast(null as {{ text_type }}) as country,
        cast(null as {{ text_type }}) as lead_source,
        cast(null as {{ text_type }}) as campaign_id,
        cast({{ dbt.date_trunc('second', 'created_at') }} as {{ text_type }}) as created_at,
        cast(null as {{ text_type }}) as updated_at,
        cast(merged_into_contact_id as {{ text_type }}) as merged_into_lead_id
    from gone_merged_contacts
),

unioned as (
    select * from contact_leads
    union all
    select * from gone_merged_leads
)

select * from unioned
