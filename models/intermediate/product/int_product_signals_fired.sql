-- One row per surviving lead and PQL signal that fired by score_as_of: the moment of the
-- signal's min_count-th matching product-usage event. Signal rules come from seed pql_signal_rules.
-- A table, not a view: its data tests and the models reading it would each compute it again.
{{ config(materialized='table') }}
{%- set signup_event_type = 'signup' %}

with

usage_events as (
    select * from {{ ref('stg_product__usage_events') }}
),

leads_resolved as (
    select * from {{ ref('int_leads_resolved') }}
),

signal_rules as (
    select * from {{ ref('pql_signal_rules') }}
),

events_resolved as (
    select
        usage_events.usage_event_id,
        leads_resolved.survivor_lead_id as lead_id,
        usage_events.event_type,
        usage_events.occurred_at
    from usage_events
    inner join leads_resolved
        on usage_events.lead_id = leads_resolved.lead_id
    where usage_events.occurred_at <= {{ lf_score_as_of() }}
),

signups as (
    select
        lead_id,
        min(occurred_at) as signed_up_at
    from events_resolved
    where event_type = '{{ signup_event_type }}'
    group by lead_id
),

in_session as (
    select
        candidates.usage_event_id,
        signal_rules.signal_id
    from events_resolved as candidates
    inner join signal_rules
        on
            candidates.event_type = signal_rules.event_type
            and signal_rules.session_minutes is not null
    inner join events_resolved as partners
        on
            candidates.lead_id = partners.lead_id
            and candidates.event_type <> partners.event_type
            and abs(
                {{ lf_epoch_seconds('partners.occurred_at') }}
                - {{ lf_epoch_seconds('candidates.occurred_at') }}
            ) <= signal_rules.session_minutes * 60
    group by candidates.usage_event_id, signal_rules.signal_id
),

matching as (
    select
        events_resolved.lead_id,
        signal_rules.signal_id,
        signal_rules.min_count,
        events_resolved.usage_event_id,
        events_resolved.occurred_at,
        row_number() over (
            partition by events_resolved.lead_id, signal_rules.signal_id
            order by events_resolved.occurred_at asc, events_resolved.usage_event_id asc
        ) as match_number
    from events_resolved
    inner join signal_rules
        on events_resolved.event_type = signal_rules.event_type
    left join signups
        on events_resolved.lead_id = signups.lead_id
    left join in_session
        on
            events_resolved.usage_event_id = in_session.usage_event_id
            and signal_rules.signal_id = in_session.signal_id
    where
        (
            signal_rules.within_days_of_signup is null
            or (
                events_resolved.occurred_at >= signups.signed_up_at
                and {{ lf_days_between('signups.signed_up_at', 'events_resolved.occurred_at') }}
                <= signal_rules.within_days_of_signup
            )
        )
        and (signal_rules.session_minutes is null or in_session.usage_event_id is not null)
),

fired as (
    select
        lead_id,
        signal_id,
        occurred_at as fired_at,
        usage_event_id as fired_by_usage_event_id
    from matching
    where match_number = min_count
),

-- the order in which a lead's signals fired (ties to the lower signal id): the PQL moment is
-- the pql_min_signals-th, and fct_pqls lists the signals up to it
final as (
    select
        {{ dbt.hash(dbt.concat(["lead_id", "'|'", "signal_id"])) }} as signal_fire_id,
        lead_id,
        signal_id,
        fired_at,
        fired_by_usage_event_id,
        row_number() over (partition by lead_id order by fired_at asc, signal_id asc) as fire_rank
    from fired
)

select * from final
