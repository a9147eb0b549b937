-- The score of each surviving lead under each scoring model right after each of its scoring
-- events, evaluated at that event's own time, and whether the MQL condition holds there.
-- Every counted occurrence ordered at or before the event contributes its decayed points.
{{ config(materialized='table') }}

with

events as (
    select * from {{ ref('int_engagement_events_resolved') }}
),

occurrences as (
    select * from {{ ref('int_engagement_events_scored') }}
),

fit_scored as (
    select * from {{ ref('int_lead_fit_scored') }}
),

scoring_models as (
    select * from {{ ref('scoring_models') }}
),

fast_track_events as (
    select * from {{ ref('scoring_fast_track_events') }}
),

scoring_events_unioned as (
    select
        lead_id,
        scoring_model,
        event_id,
        event_type,
        occurred_at
    from occurrences
    union
    select
        events.lead_id,
        fast_track_events.scoring_model,
        events.event_id,
        events.event_type,
        events.occurred_at
    from events
    inner join fast_track_events
        on events.event_type = fast_track_events.event_type
),

scoring_events as (
    select
        scoring_events_unioned.lead_id,
        scoring_events_unioned.scoring_model,
        scoring_events_unioned.event_id,
        scoring_events_unioned.event_type,
        scoring_events_unioned.occurred_at,
        fit_scored.fit_score,
        fit_scored.is_fit_disqualified,
        {{ lf_epoch_seconds('scoring_events_unioned.occurred_at') }} as occurred_epoch,
        row_number() over (
            partition by scoring_events_unioned.lead_id, scoring_events_unioned.scoring_model
            order by scoring_events_unioned.occurred_at asc, scoring_events_unioned.event_id asc
        ) as event_sequence
    from scoring_events_unioned
    inner join fit_scored
        on
            scoring_events_unioned.lead_id = fit_scored.lead_id
            and scoring_events_unioned.scoring_model = fit_scored.scoring_model
),

counted_occurrences as (
    select
        occurrences.lead_id,
        occurrences.scoring_model,
        occurrences.dimension,
        occurrences.points,
        scoring_events.occurred_epoch,
        -- 0.5 ^ (age_days / half_life_days) = exp(-decay_per_second * age_seconds)
        case
            when occurrences.half_life_days is null then 0.0
            else ln(2.0) / (occurrences.half_life_days * 86400.0)
        end as decay_per_second,
        occurrences.lifespan_days * 86400.0 as lifespan_seconds,
        scoring_events.event_sequence
    from occurrences
    inner join scoring_events
        on
            occurrences.lead_id = scoring_events.lead_id
            and occurrences.scoring_model = scoring_events.scoring_model
            and occurrences.event_id = scoring_events.event_id
    where occurrences.is_counted
),

occurrence_worth_at_each_event as (
    select
        scoring_events.lead_id,
        scoring_events.scoring_model,
        scoring_events.event_sequence,
        counted_occurrences.dimension,
        counted_occurrences.points * exp(
            -counted_occurrences.decay_per_second
            * (scoring_events.occurred_epoch - counted_occurrences.occurred_epoch)
        ) as worth
    from scoring_events
    inner join counted_occurrences
        on
            scoring_events.lead_id = counted_occurrences.lead_id
            and scoring_events.scoring_model = counted_occurrences.scoring_model
            and scoring_events.event_sequence >= counted_occurrences.event_sequence
    where
        counted_occurrences.lifespan_seconds is null
        or scoring_events.occurred_epoch - counted_occurrences.occurred_epoch
        < counted_occurrences.lifespan_seconds
),

behavior_at_each_event as (
    select
        lead_id,
        scoring_model,
        event_sequence,
        sum(case when dimension = 'engagement' then worth else 0 end) as engagement_score,
        sum(case when dimension = 'intent' then worth else 0 end) as intent_score,
        sum(case when dimension = 'negative' then worth else 0 end) as negative_score
    from occurrence_worth_at_each_event
    group by lead_id, scoring_model, event_sequence
),

scored as (
    select
        scoring_events.lead_id,
        scoring_events.scoring_model,
        scoring_events.event_id,
        scoring_events.event_type,
        scoring_events.occurred_at,
        scoring_events.event_sequence,
        scoring_events.fit_score,
        scoring_events.is_fit_disqualified,
        coalesce(behavior_at_each_event.engagement_score, 0) as engagement_score,
        coalesce(behavior_at_each_event.intent_score, 0) as intent_score,
        coalesce(behavior_at_each_event.negative_score, 0) as negative_score,
        scoring_events.fit_score
        + coalesce(behavior_at_each_event.engagement_score, 0)
        + coalesce(behavior_at_each_event.intent_score, 0)
        + coalesce(behavior_at_each_event.negative_score, 0) as raw_score
    from scoring_events
    left join behavior_at_each_event
        on
            scoring_events.lead_id = behavior_at_each_event.lead_id
            and scoring_events.scoring_model = behavior_at_each_event.scoring_model
            and scoring_events.event_sequence = behavior_at_each_event.event_sequence
),

qualified as (
    select
        scored.*,
        least(100.0, greatest(0.0, scored.raw_score)) as lead_score,
        fast_track_events.event_type is not null as is_fast_track_event,
        not scored.is_fit_disqualified
        and least(100.0, greatest(0.0, scored.raw_score)) >= scoring_models.mql_threshold - 1e-9
        and scored.fit_score >= scoring_models.min_fit_score as is_threshold_reached
    from scored
    inner join scoring_models
        on scored.scoring_model = scoring_models.scoring_model
    left join fast_track_events
        on
            scored.scoring_model = fast_track_events.scoring_model
            and scored.event_type = fast_track_events.event_type
),

final as (
    select
        {{ dbt.hash(dbt.concat(["lead_id", "'|'", "scoring_model", "'|'", "event_id"])) }}
            as lead_score_event_id,
        lead_id,
        scoring_model,
        event_id,
        event_type,
        occurred_at,
        event_sequence,
        fit_score,
        engagement_score,
        intent_score,
        negative_score,
        raw_score,
        lead_score,
        is_fit_disqualified,
        is_fast_track_event,
        is_threshold_reached or (is_fast_track_event and not is_fit_disqualified) as is_mql_eligible,
        case
            when is_threshold_reached then 'threshold'
            when is_fast_track_event and not is_fit_disqualified then 'fast_track'
        end as mql_trigger
    from qualified
)

select * from final
