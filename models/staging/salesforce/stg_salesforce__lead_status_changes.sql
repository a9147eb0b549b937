-- The contract's lead status changes from Salesforce, three kinds of row per kept lead:
-- every kept Status change of lead_history (change_id = the history id, status = new_value, at
-- created_date, by created_by_id); the status the lead was created with, at its created_date
-- (change_id 'lead_created:<lead id>': the oldest Status change's old_value, or the current
-- status of a lead with no Status history that is not converted); and, for a converted lead
-- whose history lacks its converted status (the lead's status, Salesforce's default
-- 'Closed - Converted' when empty), that status on converted_date (change_id
-- 'lead_converted:<lead id>', the date as 'YYYY-MM-DD', i.e. midnight UTC; the lead's creation
-- moment when it was created later that day). Statuses are passed on as Salesforce writes them:
-- base_crm__lead_status_changes maps them through seed crm_status_mapping and quarantines
-- unknown ones; derived rows whose status has no funnel meaning are left out.
{%- set text_type = lf_engine_type('varchar') %}
{%- set default_converted_status = 'Closed - Converted' %}

with

leads as (
    select * from {{ ref('base_salesforce__leads') }}
),

history as (
    select * from {{ ref('base_salesforce__lead_history') }}
),

status_mapping as (
    select * from {{ ref('crm_status_mapping') }}
),

statuses_without_funnel_meaning as (
    select distinct lower(trim(source_status)) as status_key
    from status_mapping
    where
        source_system = 'salesforce'
        and {{ lf_clean_text('lifecycle_status') }} is null
),

kept_leads as (
    select * from leads
    where drop_reason is null
),

status_changes as (
    select * from history
    where is_status_change
),

history_rows as (
    select
        history_id as change_id,
        lead_id,
        new_value as status,
        changed_at_text as changed_at,
        created_by_id as changed_by
    from history
    where drop_reason is null
),

-- The oldest Status change of each lead (its old_value is the status the lead was created with).
oldest_status_changes as (
    select
        lead_id,
        old_value,
        row_number() over (
            partition by lead_id
            order by changed_at asc nulls last, history_id asc
        ) as change_rank
    from status_changes
),

creation_statuses as (
    select
        kept_leads.lead_id,
        kept_leads.created_date_text,
        kept_leads.created_by_id,
        case
            when oldest_status_changes.lead_id is not null then oldest_status_changes.old_value
            when not kept_leads.is_converted then kept_leads.status
        end as status
    from kept_leads
    left join oldest_status_changes
        on
            kept_leads.lead_id = oldest_status_changes.lead_id
            and oldest_status_changes.change_rank = 1
),

creation_rows as (
    select
        {{ dbt.concat(["'lead_created:'", 'creation_statuses.lead_id']) }} as change_id,
        creation_statuses.lead_id,
        creation_statuses.status,
        creation_statuses.created_date_text as changed_at,
        creation_statuses.created_by_id as changed_by
    from creation_statuses
    left join statuses_without_funnel_meaning
        on lower(creation_statuses.status) = statuses_without_funnel_meaning.status_key
    where
        creation_statuses.status is not null
        and statuses_without_funnel_meaning.status_key is null
),

conversions as (
    select
        lead_id,
        coalesce(status, '{{ default_converted_status }}') as status,
        case
            when
                converted_day_at < created_date_at
                and {{ dbt.dateadd('day', 1, 'converted_day_at') }} > created_date_at
                then created_date_text
            else converted_date_text
        end as changed_at
    from kept_leads
    where is_converted and converted_date_text is not null
),

conversion_rows as (
    select
        {{ dbt.concat(["'lead_converted:'", 'conversions.lead_id']) }} as change_id,
        conversions.lead_id,
        conversions.status,
        conversions.changed_at,
        cast(null as {{ text_type }}) as changed_by
    from conversions
    left join statuses_without_funnel_meaning
        on lower(conversions.status) = statuses_without_funnel_meaning.status_key
    where
        statuses_without_funnel_meaning.status_key is null
        and not exists (
            select 1
            from status_changes
            where
                status_changes.lead_id = conversions.lead_id
                and lower(status_changes.new_value) = lower(conversions.status)
        )
),

unioned as (
    select * from history_rows
    union all
    select * from creation_rows
    union all
    select * from conversion_rows
),

mapped as (
    select
        cast(change_id as {{ text_type }}) as change_id,
        cast(lead_id as {{ text_type }}) as lead_id,
        cast(status as {{ text_type }}) as status,
        cast(null as {{ text_type }}) as reason,
        cast(changed_at as {{ text_type }}) as changed_at,
        cast(changed_by as {{ text_type }}) as changed_by
    from unioned
)

select * from mapped
