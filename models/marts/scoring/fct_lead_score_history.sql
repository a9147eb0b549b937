-- One row per surviving lead, scoring model and scoring event: the score right after the
-- event, evaluated at the event's own time, so any lead's score can be plotted over time.
-- A view over int_lead_scores_at_each_event (the one stored copy of the history, incremental):
-- it adds the key and marks the event that made the lead's MQL, so the history is written once.
{{ config(materialized='view') }}

with

scores_at_each_event as (
    select * from {{ ref('int_lead_scores_at_each_event') }}
),

mql_moments as (
    select * from {{ ref('int_lead_mql_moments') }}
),

-- text columns cast to the contract's type (varchar) on every engine (PostgreSQL types text
-- expressions as text)
final as (
    select
        cast({{ dbt.hash(dbt.concat([
            "scores_at_each_event.lead_id", "'|'",
            "scores_at_each_event.scoring_model", "'|'",
            "scores_at_each_event.event_id",
        ])) }} as {{ lf_engine_type('varchar') }}) as lead_score_event_id,
        cast(scores_at_each_event.lead_id as {{ lf_engine_type('varchar') }}) as lead_id,
        cast(scores_at_each_event.scoring_model as {{ lf_engine_type('varchar') }}) as scoring_model,
        cast(scores_at_each_event.event_id as {{ lf_engine_type('varchar') }}) as event_id,
        cast(scores_at_each_event.event_type as {{ lf_engine_type('varchar') }}) as event_type,
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
        cast(scores_at_each_event.suppressed_reason as {{ lf_engine_type('varchar') }}) as suppressed_reason,
        scores_at_each_event.is_fast_track_event,
        scores_at_each_event.is_mql_eligible,
        cast(scores_at_each_event.mql_trigger as {{ lf_engine_type('varchar') }}) as mql_trigger,
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
