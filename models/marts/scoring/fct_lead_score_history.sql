-- One row per surviving lead, scoring model and scoring event: the score right after the
-- event, evaluated at the event's own time, so any lead's score can be plotted over time.

with

scores_at_each_event as (
    select * from {{ ref('int_lead_scores_at_each_event') }}
),

mql_moments as (
    select * from {{ ref('int_lead_mql_moments') }}
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            "scores_at_each_event.lead_id", "'|'",
            "scores_at_each_event.scoring_model", "'|'",
            "scores_at_each_event.event_id",
        ])) }} as lead_score_event_id,
        scores_at_each_event.lead_id,
        scores_at_each_event.scoring_model,
        scores_at_each_event.event_id,
        scores_at_each_event.event_type,
        scores_at_each_event.occurred_at,
        scores_at_each_event.event_sequence,
        scores_at_each_event.fit_score,
        scores_at_each_event.engagement_score,
        scores_at_each_event.intent_score,
        scores_at_each_event.negative_score,
        scores_at_each_event.raw_score,
        scores_at_each_event.lead_score,
        scores_at_each_event.is_fit_disqualified,
        scores_at_each_event.behavior_reset_at,
        scores_at_each_event.is_suppressed,
        scores_at_each_event.suppressed_reason,
        scores_at_each_event.is_fast_track_event,
        scores_at_each_event.is_mql_eligible,
        scores_at_each_event.mql_trigger,
        coalesce(
            scores_at_each_event.event_id = mql_moments.mql_trigger_event_id, false
        ) as is_mql_event
    from scores_at_each_event
    left join mql_moments
        on
            scores_at_each_event.lead_id = mql_moments.lead_id
            and scores_at_each_event.scoring_model = mql_moments.scoring_model
)

select * from final
