-- One row per engagement event, scoring model and behaviour rule it matches (an occurrence),
-- on the surviving lead, up to the as-of moment, with the scoring segment it belongs to (the
-- latest behaviour reset before it), numbered per lead, rule, segment and cap period, and marked counted
-- or not: once per segment for non-repeatable rules, at most cap_count per calendar-aligned
-- cap period (periods of cap_period_days counted from 2000-01-03 00:00:00 UTC).
-- Rules: seeds/scoring/scoring_behavior_rules.csv.
-- Incremental (by the surviving lead_id, only changed rows replaced; see the model's docs): a run recomputes
-- the rows of every lead whose events, statuses, merges or fit may have changed since the last run.
{%- do lf_touched_leads_depends_on() %}
{%- set state_vars = lf_scoring_state_vars() %}
{{ config(**lf_lead_incremental_config(
    state_vars, lf_scoring_state_tables(), ['lead_id', 'scoring_model', 'rule_id', 'event_id'])) }}
{%- set mode = lf_incremental_mode(state_vars, lf_as_of_text()) %}

with

events_on_survivors as (
    select * from {{ ref('int_engagement_events_resolved') }}
    where {{ lf_touched_leads_only('lead_id', mode) }}
),

behavior_rules as (
    select * from {{ ref('scoring_behavior_rules') }}
),

resets as (
    select * from {{ ref('int_scoring_resets') }}
),

-- per event and scoring model, the latest reset strictly before it (leads without resets
-- never match)
event_segments as (
    select
        events_on_survivors.event_id,
        resets.scoring_model,
        max(resets.reset_at) as behavior_reset_at
    from events_on_survivors
    inner join resets
        on
            events_on_survivors.lead_id = resets.lead_id
            and events_on_survivors.occurred_at > resets.reset_at
    group by events_on_survivors.event_id, resets.scoring_model
),

-- narrow rows for the numbering window (the rule's other columns, the event type included, are
-- joined back afterwards), with the cap period: rules without one have a null period and are
-- numbered over the whole segment
matched as (
    select
        events_on_survivors.lead_id,
        behavior_rules.scoring_model,
        behavior_rules.rule_id,
        events_on_survivors.event_id,
        events_on_survivors.occurred_at,
        {{ lf_epoch_seconds('events_on_survivors.occurred_at') }} as occurred_epoch,
        case
            when behavior_rules.cap_period_days is not null
                then floor(
                    ({{ lf_epoch_seconds('events_on_survivors.occurred_at') }} - 946857600.0)
                    / (behavior_rules.cap_period_days * 86400.0)
                )
        end as cap_period_number
    from events_on_survivors
    inner join behavior_rules
        on events_on_survivors.event_type = behavior_rules.event_type
    where
        behavior_rules.property_name is null
        or {{ lf_json_text('events_on_survivors.properties', 'behavior_rules.property_name') }}
        = behavior_rules.property_value
),

numbered as (
    select
        matched.lead_id,
        matched.scoring_model,
        matched.rule_id,
        matched.event_id,
        matched.occurred_at,
        matched.occurred_epoch,
        event_segments.behavior_reset_at,
        matched.cap_period_number,
        row_number() over (
            partition by
                matched.lead_id, matched.scoring_model, matched.rule_id, event_segments.behavior_reset_at,
                matched.cap_period_number
            order by matched.occurred_at asc, matched.event_id asc
        ) as occurrence_number
    from matched
    left join event_segments
        on
            matched.event_id = event_segments.event_id
            and matched.scoring_model = event_segments.scoring_model
),

counted as (
    select
        numbered.lead_id,
        numbered.scoring_model,
        numbered.rule_id,
        numbered.event_id,
        behavior_rules.event_type,
        numbered.occurred_at,
        numbered.occurred_epoch,
        behavior_rules.dimension,
        behavior_rules.score_group,
        behavior_rules.points,
        behavior_rules.decay_kind,
        behavior_rules.half_life_days,
        behavior_rules.lifespan_days,
        behavior_rules.linear_decay_days,
        numbered.behavior_reset_at,
        numbered.cap_period_number,
        numbered.occurrence_number,
        case
            when not behavior_rules.is_repeatable then numbered.occurrence_number = 1
            when behavior_rules.cap_count is null then true
            else numbered.occurrence_number <= behavior_rules.cap_count
        end as is_counted
    from numbered
    inner join behavior_rules
        on
            numbered.scoring_model = behavior_rules.scoring_model
            and numbered.rule_id = behavior_rules.rule_id
)

select * from counted
