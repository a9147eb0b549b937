-- One row per engagement event, scoring model and behaviour rule it matches (an occurrence),
-- on the surviving lead, up to score_as_of, numbered per lead and rule and marked counted or
-- not by the rule's once-per-lead flag and rolling cap. Rules: seeds/scoring/scoring_behavior_rules.csv.
{{ config(materialized='table') }}

with

events_on_survivors as (
    select * from {{ ref('int_engagement_events_resolved') }}
),

behavior_rules as (
    select * from {{ ref('scoring_behavior_rules') }}
),

occurrences as (
    select
        events_on_survivors.lead_id,
        behavior_rules.scoring_model,
        behavior_rules.rule_id,
        events_on_survivors.event_id,
        events_on_survivors.event_type,
        events_on_survivors.occurred_at,
        behavior_rules.dimension,
        behavior_rules.points,
        behavior_rules.is_repeatable,
        behavior_rules.cap_count,
        behavior_rules.cap_period_days,
        behavior_rules.half_life_days,
        behavior_rules.lifespan_days,
        row_number() over (
            partition by events_on_survivors.lead_id, behavior_rules.scoring_model, behavior_rules.rule_id
            order by events_on_survivors.occurred_at asc, events_on_survivors.event_id asc
        ) as occurrence_number
    from events_on_survivors
    inner join behavior_rules
        on events_on_survivors.event_type = behavior_rules.event_type
    where
        behavior_rules.property_name is null
        or {{ lf_json_text('events_on_survivors.properties', 'behavior_rules.property_name') }}
        = behavior_rules.property_value
),

with_cap_reference as (
    select
        occurrences.*,
        earlier.occurred_at as cap_reference_occurred_at
    from occurrences
    left join occurrences as earlier
        on
            occurrences.lead_id = earlier.lead_id
            and occurrences.scoring_model = earlier.scoring_model
            and occurrences.rule_id = earlier.rule_id
            and earlier.occurrence_number = occurrences.occurrence_number - occurrences.cap_count
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
        dimension,
        points,
        half_life_days,
        lifespan_days,
        occurrence_number,
        case
            when not is_repeatable then occurrence_number = 1
            when cap_count is null then true
            when occurrence_number <= cap_count then true
            when cap_period_days is null then false
            else {{ lf_days_between('cap_reference_occurred_at', 'occurred_at') }} >= cap_period_days
        end as is_counted
    from with_cap_reference
)

select * from counted
