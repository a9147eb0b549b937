-- One row per engagement event, scoring model and behaviour rule it matches (an occurrence),
-- on the surviving lead, up to the as-of moment, with the scoring segment it belongs to (the
-- latest behaviour reset before it), numbered per lead, rule, segment and cap period, and marked counted
-- or not: once per segment for non-repeatable rules, at most cap_count per calendar-aligned
-- cap period (periods of cap_period_days counted from 2000-01-03 00:00:00 UTC).
-- Rules: seeds/scoring/scoring_behavior_rules.csv.
{{ config(materialized='table') }}

with

events_on_survivors as (
    select * from {{ ref('int_engagement_events_resolved') }}
),

behavior_rules as (
    select * from {{ ref('scoring_behavior_rules') }}
),

resets as (
    select * from {{ ref('int_scoring_resets') }}
),

matched as (
    select
        events_on_survivors.lead_id,
        behavior_rules.scoring_model,
        behavior_rules.rule_id,
        events_on_survivors.event_id,
        events_on_survivors.event_type,
        events_on_survivors.occurred_at,
        {{ lf_epoch_seconds('events_on_survivors.occurred_at') }} as occurred_epoch,
        behavior_rules.dimension,
        behavior_rules.score_group,
        behavior_rules.points,
        behavior_rules.is_repeatable,
        behavior_rules.cap_count,
        behavior_rules.cap_period_days,
        behavior_rules.decay_kind,
        behavior_rules.half_life_days,
        behavior_rules.lifespan_days,
        behavior_rules.linear_decay_days
    from events_on_survivors
    inner join behavior_rules
        on events_on_survivors.event_type = behavior_rules.event_type
    where
        behavior_rules.property_name is null
        or {{ lf_json_text('events_on_survivors.properties', 'behavior_rules.property_name') }}
        = behavior_rules.property_value
),

segments as (
    select
        matched.event_id,
        matched.scoring_model,
        max(resets.reset_at) as behavior_reset_at
    from matched
    inner join resets
        on
            matched.lead_id = resets.lead_id
            and matched.scoring_model = resets.scoring_model
            and resets.reset_at < matched.occurred_at
    group by matched.event_id, matched.scoring_model
),

segmented as (
    select
        matched.*,
        segments.behavior_reset_at,
        case
            when matched.cap_period_days is not null
                then floor((matched.occurred_epoch - 946857600.0) / (matched.cap_period_days * 86400.0))
        end as cap_period_number
    from matched
    left join segments
        on
            matched.event_id = segments.event_id
            and matched.scoring_model = segments.scoring_model
),

numbered as (
    select
        *,
        -- rules without a cap period have a null period: numbered over the whole segment
        row_number() over (
            partition by lead_id, scoring_model, rule_id, behavior_reset_at, cap_period_number
            order by occurred_at asc, event_id asc
        ) as occurrence_number
    from segmented
),

counted as (
    select
        {{ dbt.hash(dbt.concat(["lead_id", "'|'", "scoring_model", "'|'", "rule_id", "'|'", "event_id"])) }}
            as occurrence_id,
        lead_id,
        scoring_model,
        rule_id,
        event_id,
        event_type,
        occurred_at,
        occurred_epoch,
        dimension,
        score_group,
        points,
        decay_kind,
        half_life_days,
        lifespan_days,
        linear_decay_days,
        behavior_reset_at,
        cap_period_number,
        occurrence_number,
        case
            when not is_repeatable then occurrence_number = 1
            when cap_count is null then true
            when cap_period_days is null then occurrence_number <= cap_count
            else occurrence_number <= cap_count
        end as is_counted
    from numbered
)

select * from counted
