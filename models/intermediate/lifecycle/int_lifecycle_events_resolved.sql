-- CRM status changes, sales activities and opportunities on the surviving lead, up to the
-- as-of time, in one long table of sales-side lifecycle moments. Ids come from three source
-- tables, so the key is the hash of the source and the id. A table: the MQL cycles, the
-- timeline and the scoring resets all read it.
{{ config(materialized='table') }}

with

status_changes as (
    select * from {{ ref('stg_crm__lead_status_changes') }}
),

activities as (
    select * from {{ ref('stg_sales__activities') }}
),

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

leads_resolved as (
    select * from {{ ref('int_leads_resolved') }}
),

statuses as (
    select
        {{ dbt.hash(dbt.concat(["'crm_status'", "'|'", "status_changes.change_id"])) }}
            as lifecycle_event_key,
        'crm_status' as event_source,
        status_changes.change_id as lifecycle_event_id,
        leads_resolved.survivor_lead_id as lead_id,
        status_changes.status as lifecycle_event,
        status_changes.reason as detail,
        status_changes.changed_by as actor_id,
        status_changes.changed_at as occurred_at,
        cast(null as {{ dbt.type_timestamp() }}) as closed_at,
        cast(null as {{ dbt.type_boolean() }}) as is_won
    from status_changes
    inner join leads_resolved
        on status_changes.lead_id = leads_resolved.lead_id
    where status_changes.changed_at <= {{ lf_score_as_of() }}
),

touches as (
    select
        {{ dbt.hash(dbt.concat(["'sales'", "'|'", "activities.activity_id"])) }}
            as lifecycle_event_key,
        'sales' as event_source,
        activities.activity_id as lifecycle_event_id,
        leads_resolved.survivor_lead_id as lead_id,
        'sales_touch' as lifecycle_event,
        activities.activity_type as detail,
        activities.rep_id as actor_id,
        activities.occurred_at,
        cast(null as {{ dbt.type_timestamp() }}) as closed_at,
        cast(null as {{ dbt.type_boolean() }}) as is_won
    from activities
    inner join leads_resolved
        on activities.lead_id = leads_resolved.lead_id
    where activities.occurred_at <= {{ lf_score_as_of() }}
),

opportunities_created as (
    select
        {{ dbt.hash(dbt.concat(["'opportunity'", "'|'", "opportunities.opportunity_id"])) }}
            as lifecycle_event_key,
        'opportunity' as event_source,
        opportunities.opportunity_id as lifecycle_event_id,
        leads_resolved.survivor_lead_id as lead_id,
        'opportunity_created' as lifecycle_event,
        opportunities.stage as detail,
        opportunities.account_id as actor_id,
        opportunities.created_at as occurred_at,
        case
            when opportunities.closed_at <= {{ lf_score_as_of() }} then opportunities.closed_at
        end as closed_at,
        case
            when opportunities.closed_at <= {{ lf_score_as_of() }} then opportunities.is_won
        end as is_won
    from opportunities
    inner join leads_resolved
        on opportunities.lead_id = leads_resolved.lead_id
    where opportunities.created_at <= {{ lf_score_as_of() }}
),

unioned as (
    select * from statuses
    union all
    select * from touches
    union all
    select * from opportunities_created
)

select * from unioned
