-- One row per row of the engagement tables (engagement_call, _email, _meeting, _note, _task)
-- with what the adapter does with it: mapped into sales_activities (one activity per
-- associated contact that is not deleted, engagement_contact) or dropped: deleted in HubSpot,
-- known not to be a sales touch (seed hubspot_engagement_types: notes, tasks, incoming email),
-- without any contact, or with deleted contacts only. The activity type comes from the seed by
-- table and type; a type the seed does not list passes on, lower-cased.
{%- set engagement_tables = [
    'engagement_call', 'engagement_email', 'engagement_meeting', 'engagement_note', 'engagement_task'
] %}

with

{% for engagement_table in engagement_tables %}
    {{ engagement_table }} as (
        select * from {{ lf_connector_source('hubspot', engagement_table) }}
    ),

{% endfor %}
engagement_contacts as (
    select * from {{ lf_connector_source('hubspot', 'engagement_contact') }}
),

identities as (
    select * from {{ ref('stg_hubspot__contact_identities') }}
),

engagement_types as (
    select * from {{ ref('hubspot_engagement_types') }}
),

engagements as (
    {%- for engagement_table in engagement_tables %}
        select
            '{{ engagement_table }}' as connector_table,
            {{ lf_clean_text('engagement_id') }} as engagement_id,
            upper({{ lf_clean_text(adapter.quote('type')) }}) as engagement_type,
            {{ lf_clean_text('property_hubspot_owner_id') }} as owner_id,
            {{ lf_hubspot_timestamp_text('coalesce(' ~ lf_clean_text('property_hs_timestamp')
                ~ ', property_hs_createdate)') }} as occurred_at,
            coalesce({{ lf_parse_boolean('_fivetran_deleted') }}, false) as is_deleted
        from {{ engagement_table }}
        {{ 'union all' if not loop.last }}
    {%- endfor %}
),

contact_counts as (
    select
        {{ lf_clean_text('engagement_contacts.engagement_id') }} as engagement_id,
        count(*) as contact_links,
        sum(case when coalesce(identities.is_deleted_in_source, false) then 0 else 1 end)
            as live_contact_links
    from engagement_contacts
    left join identities
        on {{ lf_clean_text('engagement_contacts.contact_id') }} = identities.contact_id
    where {{ lf_clean_text('engagement_contacts.contact_id') }} is not null
    group by {{ lf_clean_text('engagement_contacts.engagement_id') }}
),

typed as (
    select
        engagements.*,
        coalesce(listed_types.engagement_table, untyped.engagement_table) is not null as is_listed_type,
        case
            when engagements.engagement_type is null then untyped.activity_type
            when listed_types.engagement_table is not null then listed_types.activity_type
            else lower(engagements.engagement_type)
        end as activity_type
    from engagements
    left join engagement_types as listed_types
        on
            engagements.connector_table = listed_types.engagement_table
            and engagements.engagement_type = upper(trim(listed_types.engagement_type))
    left join engagement_types as untyped
        on
            engagements.connector_table = untyped.engagement_table
            and engagements.engagement_type is null
            and {{ lf_clean_text('untyped.engagement_type') }} is null
),

classified as (
    select
        typed.connector_table,
        typed.engagement_id,
        typed.engagement_type,
        typed.activity_type,
        typed.owner_id,
        typed.occurred_at,
        case
            when typed.is_deleted then 'deleted_in_source'
            when typed.is_listed_type and {{ lf_clean_text('typed.activity_type') }} is null
                then 'not_a_sales_touch'
            when coalesce(contact_counts.contact_links, 0) = 0 then 'no_associated_contact'
            when contact_counts.live_contact_links = 0 then 'contact_deleted_in_source'
        end as drop_reason
    from typed
    left join contact_counts
        on typed.engagement_id = contact_counts.engagement_id
),

final as (
    select
        *,
        case when drop_reason is null then 'mapped' else 'dropped' end as outcome
    from classified
)

select * from final
