-- Every row of the Salesforce task and event tables, typed, with the lead it touched, its
-- activity type and the reason the adapters drop it (null when kept). The moment: a task's
-- completed_date_time, else its created_date (never activity_date, the due date); an event's
-- start_date_time, else activity_date_time. who_id is a lead or a contact: a contact maps to the
-- kept lead converted into it (lead.converted_contact_id; the latest converted when several).
-- The type comes from seed salesforce_activity_types (type and subtype looked up, the lowest
-- precedence wins); values it does not know pass on lower-cased. Dropped: deleted_in_source,
-- not_linked_to_a_person (no who_id), lead_deleted_in_source, contact_never_a_lead (a contact
-- no kept lead was converted into), task_not_completed (an open task: planned, not done),
-- not_a_sales_touch (the seed maps the value to no activity type).

with

tasks as (
    select * from {{ lf_connector_source('salesforce', 'task') }}
),

events as (
    select * from {{ lf_connector_source('salesforce', 'event') }}
),

contacts as (
    select * from {{ lf_connector_source('salesforce', 'contact') }}
),

leads as (
    select * from {{ ref('base_salesforce__leads') }}
),

activity_types as (
    select * from {{ ref('salesforce_activity_types') }}
),

activities as (
    select
        'task' as activity_object,
        {{ lf_clean_text('id') }} as activity_id,
        {{ lf_clean_text('who_id') }} as who_id,
        {{ lf_clean_text('owner_id') }} as rep_id,
        {{ lf_clean_text('type') }} as activity_kind,
        'task_subtype' as subtype_field,
        {{ lf_clean_text('task_subtype') }} as activity_subtype,
        coalesce({{ lf_parse_boolean('is_closed') }}, true) as is_done,
        (
            coalesce({{ lf_parse_boolean('is_deleted') }}, false)
            or coalesce({{ lf_parse_boolean('_fivetran_deleted') }}, false)
        ) as is_deleted,
        coalesce({{ lf_clean_text('completed_date_time') }}, {{ lf_clean_text('created_date') }})
            as occurred_at_raw
    from tasks
    union all
    select
        'event' as activity_object,
        {{ lf_clean_text('id') }} as activity_id,
        {{ lf_clean_text('who_id') }} as who_id,
        {{ lf_clean_text('owner_id') }} as rep_id,
        {{ lf_clean_text('type') }} as activity_kind,
        'event_subtype' as subtype_field,
        {{ lf_clean_text('event_subtype') }} as activity_subtype,
        true as is_done,
        (
            coalesce({{ lf_parse_boolean('is_deleted') }}, false)
            or coalesce({{ lf_parse_boolean('_fivetran_deleted') }}, false)
        ) as is_deleted,
        coalesce({{ lf_clean_text('start_date_time') }}, {{ lf_clean_text('activity_date_time') }})
            as occurred_at_raw
    from events
),

timed as (
    select
        *,
        {{ dbt.date_trunc('second', lf_parse_timestamp('occurred_at_raw')) }} as occurred_at
    from activities
),

-- Each seed row an activity's type or subtype matches; the lowest precedence wins.
type_matches as (
    select
        timed.activity_object,
        timed.activity_id,
        {{ lf_clean_text('activity_types.activity_type') }} as activity_type,
        activity_types.precedence,
        activity_types.source_field
    from timed
    inner join activity_types
        on
            timed.activity_object = activity_types.source_object
            and (
                (
                    activity_types.source_field = 'type'
                    and lower(timed.activity_kind) = lower(trim(activity_types.source_value))
                )
                or (
                    timed.subtype_field = activity_types.source_field
                    and lower(timed.activity_subtype) = lower(trim(activity_types.source_value))
                )
            )
),

type_matches_ranked as (
    select
        activity_object,
        activity_id,
        activity_type,
        row_number() over (
            partition by activity_object, activity_id
            order by precedence asc, source_field asc, activity_type asc nulls first
        ) as match_rank
    from type_matches
),

chosen_types as (
    select
        activity_object,
        activity_id,
        activity_type
    from type_matches_ranked
    where match_rank = 1
),

lead_ids as (
    select
        lead_id,
        max(case when drop_reason is null then 1 else 0 end) as is_kept
    from leads
    group by lead_id
),

-- The kept lead each contact was converted from (the latest conversion when several).
contact_leads_ranked as (
    select
        converted_contact_id as contact_id,
        lead_id,
        row_number() over (
            partition by converted_contact_id
            order by converted_day_at desc nulls last, created_date_at desc nulls last, lead_id desc
        ) as link_rank
    from leads
    where drop_reason is null and converted_contact_id is not null
),

contact_leads as (
    select
        contact_id,
        lead_id
    from contact_leads_ranked
    where link_rank = 1
),

contact_ids as (
    select distinct {{ lf_clean_text('id') }} as contact_id
    from contacts
),

classified as (
    select
        timed.activity_object,
        timed.activity_id,
        timed.who_id,
        coalesce(contact_leads.lead_id, timed.who_id) as lead_id,
        timed.rep_id,
        case
            when chosen_types.activity_object is not null then chosen_types.activity_type
            else lower(coalesce(timed.activity_kind, timed.activity_subtype))
        end as activity_type,
        timed.occurred_at,
        coalesce(
            cast(timed.occurred_at as {{ lf_engine_type('varchar') }}), timed.occurred_at_raw
        ) as occurred_at_text,
        case
            when timed.is_deleted then 'deleted_in_source'
            when timed.who_id is null then 'not_linked_to_a_person'
            when lead_ids.is_kept = 0 then 'lead_deleted_in_source'
            when
                lead_ids.lead_id is null
                and contact_leads.lead_id is null
                and contact_ids.contact_id is not null
                then 'contact_never_a_lead'
            when not timed.is_done then 'task_not_completed'
            when chosen_types.activity_object is not null and chosen_types.activity_type is null
                then 'not_a_sales_touch'
        end as drop_reason
    from timed
    left join chosen_types
        on
            timed.activity_object = chosen_types.activity_object
            and timed.activity_id = chosen_types.activity_id
    left join lead_ids
        on timed.who_id = lead_ids.lead_id
    left join contact_leads
        on timed.who_id = contact_leads.contact_id
    left join contact_ids
        on timed.who_id = contact_ids.contact_id
)

select * from classified
