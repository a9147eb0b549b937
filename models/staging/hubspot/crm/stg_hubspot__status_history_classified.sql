-- One row per contact_property_history row with what the adapter does with it: a lifecycle
-- stage or lead status change is mapped into lead_status_changes (change_id from contact,
-- property and moment); other properties, changes of deleted contacts, cleared values and
-- values without funnel meaning (seed crm_status_mapping rows without a lifecycle status) are
-- dropped with a reason. A move back into a stage with a status_when_moved_back (seed
-- hubspot_lifecycle_stages: subscriber, lead) from the contact's previous non-empty lifecycle
-- stage that is_qualified (marketingqualifiedlead or later) is a recycle. Values neither seed
-- knows pass on, for the base model to quarantine as unknown_status.
{%- set status_properties = ['lifecyclestage', 'hs_lead_status'] %}
{%- set lifecycle_property = 'lifecyclestage' %}
{%- set changed = adapter.quote('timestamp') %}

with

property_history as (
    select * from {{ lf_connector_source('hubspot', 'contact_property_history') }}
),

owners as (
    select * from {{ lf_connector_source('hubspot', 'owner') }}
),

identities as (
    select * from {{ ref('stg_hubspot__contact_identities') }}
),

lead_statuses as (
    select * from {{ ref('lead_statuses') }}
),

status_mapping as (
    select * from {{ ref('crm_status_mapping') }}
),

lifecycle_stages as (
    select * from {{ ref('hubspot_lifecycle_stages') }}
),

-- the base model's reading of a status text: a lifecycle status first, then the mapping
status_spellings as (
    select
        lower(trim(status)) as status_key,
        status as lifecycle_status,
        1 as spelling_rank
    from lead_statuses
    union all
    select
        lower(trim(source_status)) as status_key,
        lifecycle_status,
        2 as spelling_rank
    from status_mapping
),

status_spellings_ranked as (
    select
        status_key,
        lifecycle_status,
        row_number() over (
            partition by status_key
            order by spelling_rank asc, lifecycle_status asc nulls last
        ) as key_rank
    from status_spellings
),

statuses as (
    select
        status_key,
        lifecycle_status
    from status_spellings_ranked
    where key_rank = 1
),

stages as (
    select
        lower(trim(lifecycle_stage)) as stage_key,
        is_qualified,
        {{ lf_clean_text('status_when_moved_back') }} as status_when_moved_back
    from lifecycle_stages
),

owner_users as (
    select
        {{ lf_clean_text('active_user_id') }} as user_key,
        min({{ lf_clean_text('owner_id') }}) as owner_id
    from owners
    where {{ lf_clean_text('active_user_id') }} is not null
    group by {{ lf_clean_text('active_user_id') }}
),

owner_emails as (
    select
        lower({{ lf_clean_text('email') }}) as user_key,
        min({{ lf_clean_text('owner_id') }}) as owner_id
    from owners
    where {{ lf_clean_text('email') }} is not null
    group by lower({{ lf_clean_text('email') }})
),

history_rows as (
    select
        {{ lf_clean_text('contact_id') }} as contact_id,
        lower({{ lf_clean_text('name') }}) as property_name,
        {{ lf_clean_text('value') }} as property_value,
        {{ lf_hubspot_timestamp_text(changed) }} as changed_at,
        {{ lf_hubspot_timestamp(changed) }} as parsed_changed_at,
        {{ lf_clean_text('source_id') }} as source_id
    from property_history
),

-- each non-empty lifecycle stage with the contact's previous one (rows with a readable moment)
lifecycle_sequence as (
    select
        contact_id,
        changed_at,
        property_value,
        lag(property_value) over (
            partition by contact_id
            order by parsed_changed_at asc, property_value asc
        ) as previous_value
    from history_rows
    where
        property_name = '{{ lifecycle_property }}'
        and property_value is not null
        and parsed_changed_at is not null
        and contact_id is not null
),

-- one row per contact, moment and stage entered (repeated rows of the history share it)
lifecycle_moves as (
    select
        lifecycle_sequence.contact_id,
        lifecycle_sequence.changed_at,
        lifecycle_sequence.property_value,
        min(lifecycle_sequence.previous_value) as previous_value,
        min(entered_stages.status_when_moved_back) as status_when_moved_back
    from lifecycle_sequence
    inner join stages as entered_stages
        on lower(lifecycle_sequence.property_value) = entered_stages.stage_key
    inner join stages as previous_stages
        on lower(lifecycle_sequence.previous_value) = previous_stages.stage_key
    where
        entered_stages.status_when_moved_back is not null
        and previous_stages.is_qualified
    group by
        lifecycle_sequence.contact_id,
        lifecycle_sequence.changed_at,
        lifecycle_sequence.property_value
),

classified as (
    select
        history_rows.contact_id,
        history_rows.property_name,
        history_rows.property_value,
        history_rows.changed_at,
        case
            when history_rows.property_name not in ({{ lf_sql_values(status_properties) }})
                then 'not_a_status_property'
            when identities.is_deleted_in_source then 'contact_deleted_in_source'
            when history_rows.property_value is null then 'value_cleared'
            when lifecycle_moves.status_when_moved_back is not null then null
            when statuses.status_key is not null and statuses.lifecycle_status is null
                then 'not_a_funnel_status'
        end as drop_reason,
        {{ dbt.concat([
            "coalesce(history_rows.contact_id, '')", "':'",
            "coalesce(history_rows.property_name, '')", "':'",
            "coalesce(history_rows.changed_at, '')"
        ]) }} as change_id,
        coalesce(lifecycle_moves.status_when_moved_back, history_rows.property_value) as status,
        case
            when lifecycle_moves.status_when_moved_back is not null
                then {{ dbt.concat([
                    "'" ~ lifecycle_property ~ " moved back from '", 'lifecycle_moves.previous_value',
                    "' to '", 'lifecycle_moves.property_value'
                ]) }}
        end as reason,
        coalesce(owner_users.owner_id, owner_emails.owner_id) as changed_by
    from history_rows
    left join identities
        on history_rows.contact_id = identities.contact_id
    left join lifecycle_moves
        on
            history_rows.property_name = '{{ lifecycle_property }}'
            and history_rows.contact_id = lifecycle_moves.contact_id
            and history_rows.changed_at = lifecycle_moves.changed_at
            and history_rows.property_value = lifecycle_moves.property_value
    left join statuses
        on lower(history_rows.property_value) = statuses.status_key
    left join owner_users
        on history_rows.source_id = owner_users.user_key
    left join owner_emails
        on lower(history_rows.source_id) = owner_emails.user_key
),

final as (
    select
        *,
        case when drop_reason is null then 'mapped' else 'dropped' end as outcome
    from classified
)

select * from final
