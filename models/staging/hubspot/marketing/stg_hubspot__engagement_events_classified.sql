-- One row per email_event and contact_form_submission row with what the adapter does with it:
-- mapped into engagement_events through seed hubspot_event_types (email events by type and,
-- for STATUS_CHANGE, portal_subscription_status; forms by form_id, else any form) or dropped:
-- a type the seed lists without an event type (SENT, DELIVERED, ...), an event HubSpot
-- filtered out of its reporting, or one whose contact was deleted in HubSpot. An email event's
-- contact is found by the recipient address (the contact's email, else a surviving contact's
-- additional email). The lead: with var crm_source hubspot the contact itself; otherwise the
-- CRM's lead with that address (else the address of the contact's survivor). An event no lead
-- is found for keeps a 'hubspot:' id (the contact id, or a hash of the address) and is
-- quarantined as an unknown lead.
{%- set same_crm = var('crm_source', 'files') == 'hubspot' %}
{#- The most addresses one contact's additional-emails list is read for. -#}
{%- set max_additional_emails = 100 %}

with

email_events as (
    select * from {{ lf_connector_source('hubspot', 'email_event') }}
),

email_clicks as (
    select * from {{ lf_connector_source('hubspot', 'email_event_click') }}
),

email_status_changes as (
    select * from {{ lf_connector_source('hubspot', 'email_event_status_change') }}
),

form_submissions as (
    select * from {{ lf_connector_source('hubspot', 'contact_form_submission') }}
),

contacts as (
    select * from {{ lf_connector_source('hubspot', 'contact') }}
),

identities as (
    select * from {{ ref('stg_hubspot__contact_identities') }}
),

event_types as (
    select * from {{ ref('hubspot_event_types') }}
),

{% if not same_crm %}
    crm_leads as (
        select * from {{ lf_contract_input('leads') }}
    ),

{% endif %}
list_positions as (
    select cast(generated_number as {{ dbt.type_int() }}) as position
    from ({{ dbt.generate_series(max_additional_emails) }}) as positions
),

additional_email_lists as (
    select
        {{ lf_clean_text('id') }} as contact_id,
        replace({{ lf_clean_text('property_hs_additional_emails') }}, ' ', '') as email_list
    from contacts
    where {{ lf_clean_text('property_hs_additional_emails') }} is not null
),

additional_emails as (
    select
        additional_email_lists.contact_id,
        -- split_part itself (DuckDB, PostgreSQL, Spark): dbt.split_part wants a literal position
        lower({{ lf_clean_text(
            "split_part(additional_email_lists.email_list, ';', list_positions.position)"
        ) }}) as email
    from additional_email_lists
    inner join list_positions
        on
            list_positions.position
            <= length(additional_email_lists.email_list)
            - length(replace(additional_email_lists.email_list, ';', '')) + 1
),

contact_addresses as (
    select
        contact_id,
        email,
        1 as address_rank
    from identities
    where email is not null
    union all
    select
        additional_emails.contact_id,
        additional_emails.email,
        2 as address_rank
    from additional_emails
    inner join identities
        on additional_emails.contact_id = identities.contact_id
    where additional_emails.email is not null and not identities.is_merged_away
),

-- one contact per address: a contact not deleted, its primary address, not merged away, lowest id
address_contacts_ranked as (
    select
        contact_addresses.email,
        contact_addresses.contact_id,
        row_number() over (
            partition by contact_addresses.email
            order by
                case when identities.is_deleted_in_source then 1 else 0 end asc,
                contact_addresses.address_rank asc,
                case when identities.is_merged_away then 1 else 0 end asc,
                length(contact_addresses.contact_id) asc,
                contact_addresses.contact_id asc
        ) as contact_rank
    from contact_addresses
    inner join identities
        on contact_addresses.contact_id = identities.contact_id
),

address_contacts as (
    select
        email,
        contact_id
    from address_contacts_ranked
    where contact_rank = 1
),

clicks as (
    select
        {{ lf_clean_text('id') }} as event_id,
        min({{ lf_clean_text('url') }}) as url
    from email_clicks
    group by {{ lf_clean_text('id') }}
),

status_changes as (
    select
        {{ lf_clean_text('id') }} as event_id,
        min(upper({{ lf_clean_text('portal_subscription_status') }})) as subscription_status
    from email_status_changes
    group by {{ lf_clean_text('id') }}
),

email_rows as (
    select
        'email_event' as connector_table,
        {{ dbt.concat(["'email:'", lf_clean_text('email_events.id')]) }} as event_id,
        upper({{ lf_clean_text('email_events.' ~ adapter.quote('type')) }}) as source_type,
        status_changes.subscription_status as qualifier,
        lower({{ lf_clean_text('email_events.recipient') }}) as email,
        cast(null as {{ lf_engine_type('varchar') }}) as source_contact_id,
        {{ lf_hubspot_timestamp_text('email_events.created') }} as occurred_at,
        {{ lf_clean_text('email_events.email_campaign_id') }} as campaign_id,
        clicks.url as page_url,
        cast(null as {{ lf_engine_type('varchar') }}) as properties,
        {{ lf_hubspot_timestamp_text('email_events._fivetran_synced') }} as loaded_at,
        coalesce({{ lf_parse_boolean('email_events.filtered_event') }}, false) as is_filtered
    from email_events
    left join clicks
        on {{ lf_clean_text('email_events.id') }} = clicks.event_id
    left join status_changes
        on {{ lf_clean_text('email_events.id') }} = status_changes.event_id
),

form_rows as (
    select
        'contact_form_submission' as connector_table,
        {{ dbt.concat([
            "'form:'",
            'coalesce(' ~ lf_clean_text('conversion_id') ~ ', '
                ~ dbt.concat([
                    "coalesce(" ~ lf_clean_text('contact_id') ~ ", '')", "':'",
                    "coalesce(" ~ lf_clean_text(adapter.quote('timestamp')) ~ ", '')"
                ]) ~ ')'
        ]) }} as event_id,
        cast(null as {{ lf_engine_type('varchar') }}) as source_type,
        upper({{ lf_clean_text('form_id') }}) as qualifier,
        cast(null as {{ lf_engine_type('varchar') }}) as email,
        {{ lf_clean_text('contact_id') }} as source_contact_id,
        {{ lf_hubspot_timestamp_text(adapter.quote('timestamp')) }} as occurred_at,
        cast(null as {{ lf_engine_type('varchar') }}) as campaign_id,
        {{ lf_clean_text('page_url') }} as page_url,
        case
            when {{ lf_clean_text('form_id') }} is not null
                then {{ dbt.concat([
                    "'{\"form_id\": \"'",
                    "replace(" ~ lf_clean_text('form_id') ~ ", '\"', '')",
                    "'\"}'"
                ]) }}
        end as properties,
        {{ lf_hubspot_timestamp_text('_fivetran_synced') }} as loaded_at,
        false as is_filtered
    from form_submissions
),

event_rows as (
    select * from email_rows
    union all
    select * from form_rows
),

typed as (
    select
        event_rows.*,
        coalesce(qualified_types.source_table, any_types.source_table) is not null as is_listed_type,
        case
            when qualified_types.source_table is not null then qualified_types.event_type
            when any_types.source_table is not null then any_types.event_type
            else lower(event_rows.source_type)
        end as event_type
    from event_rows
    left join event_types as qualified_types
        on
            event_rows.connector_table = qualified_types.source_table
            and coalesce(event_rows.source_type, '') = coalesce(upper(trim(qualified_types.source_type)), '')
            and event_rows.qualifier = upper(trim(qualified_types.qualifier))
    left join event_types as any_types
        on
            event_rows.connector_table = any_types.source_table
            and coalesce(event_rows.source_type, '') = coalesce(upper(trim(any_types.source_type)), '')
            and {{ lf_clean_text('any_types.qualifier') }} is null
),

with_contacts as (
    select
        typed.*,
        coalesce(typed.source_contact_id, address_contacts.contact_id) as contact_id
    from typed
    left join address_contacts
        on typed.email = address_contacts.email
),

{% if not same_crm %}
    crm_addresses_ranked as (
        select
            lower({{ lf_clean_text('email') }}) as email,
            {{ lf_clean_text('lead_id') }} as lead_id,
            row_number() over (
                partition by lower({{ lf_clean_text('email') }})
                order by
                    case when {{ lf_clean_text('merged_into_lead_id') }} is null then 0 else 1 end asc,
                    {{ lf_clean_text('lead_id') }} asc
            ) as lead_rank
        from crm_leads
        where {{ lf_clean_text('email') }} is not null and {{ lf_clean_text('lead_id') }} is not null
    ),

    crm_addresses as (
        select
            email,
            lead_id
        from crm_addresses_ranked
        where lead_rank = 1
    ),

{% endif %}
resolved as (
    select
        with_contacts.*,
        identities.is_deleted_in_source,
        {%- if same_crm %}
            with_contacts.contact_id as crm_lead_id
        {%- else %}
            coalesce(by_event_address.lead_id, by_contact_address.lead_id, by_survivor_address.lead_id)
                as crm_lead_id
        {%- endif %}
    from with_contacts
    left join identities
        on with_contacts.contact_id = identities.contact_id
    {%- if not same_crm %}
        left join identities as survivors
            on identities.survivor_contact_id = survivors.contact_id
        left join crm_addresses as by_event_address
            on with_contacts.email = by_event_address.email
        left join crm_addresses as by_contact_address
            on identities.email = by_contact_address.email
        left join crm_addresses as by_survivor_address
            on survivors.email = by_survivor_address.email
    {%- endif %}
),

classified as (
    select
        connector_table,
        event_id,
        source_type,
        qualifier,
        event_type,
        coalesce(
            crm_lead_id,
            {{ dbt.concat(["'hubspot:'", 'contact_id']) }},
            {{ dbt.concat(["'hubspot:recipient:'", lf_keyed_hash('email')]) }}
        ) as lead_id,
        occurred_at,
        campaign_id,
        page_url,
        properties,
        loaded_at,
        case
            when is_listed_type and {{ lf_clean_text('event_type') }} is null then 'not_a_contract_event_type'
            when is_filtered then 'filtered_in_source'
            when coalesce(is_deleted_in_source, false) then 'contact_deleted_in_source'
        end as drop_reason
    from resolved
),

final as (
    select
        *,
        case when drop_reason is null then 'mapped' else 'dropped' end as outcome
    from classified
)

select * from final
