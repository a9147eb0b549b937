-- Accepted engagement events up to score_as_of, re-attributed to the surviving lead when the
-- CRM merged the lead that did them.
-- Incremental (by the surviving lead_id, only changed rows replaced; see the model's docs): a run recomputes
-- the rows of every lead whose events, statuses, merges or fit may have changed since the last run.
{%- do lf_touched_leads_depends_on() %}
{%- set state_vars = lf_scoring_state_vars() %}
{{ config(**lf_lead_incremental_config(
    state_vars, lf_scoring_state_tables(), ['lead_id', 'event_id'])) }}
{%- set mode = lf_incremental_mode(state_vars, lf_as_of_text()) %}

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
    where
        events.occurred_at <= {{ lf_score_as_of() }}
        and {{ lf_touched_leads_only('leads_resolved.survivor_lead_id', mode) }}
)

select * from resolved
