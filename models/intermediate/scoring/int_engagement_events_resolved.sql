-- Accepted engagement events up to score_as_of, re-attributed to the surviving lead when the
-- CRM merged the lead that did them.
-- A table, not a view: its data tests and the models reading it would each compute it again.
{{ config(materialized='table') }}

with

events as (
    select * from {{ ref('stg_marketing__engagement_events') }}
),

leads_resolved as (
    select * from {{ ref('int_leads_resolved') }}
),

resolved as (
    select
        events.event_id,
        leads_resolved.survivor_lead_id as lead_id,
        events.lead_id as original_lead_id,
        events.campaign_id,
        events.event_type,
        events.properties,
        events.occurred_at
    from events
    inner join leads_resolved
        on events.lead_id = leads_resolved.lead_id
    where events.occurred_at <= {{ lf_score_as_of() }}
)

select * from resolved
