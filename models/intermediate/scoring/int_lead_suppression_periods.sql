-- One row per surviving lead, scoring model and suppressing engagement event (seed
-- scoring_suppression: by default unsubscribe and email_bounce) with the event that lifts the
-- suppression: the first later event, in (occurred_at, event_id) order, of a type that lifts
-- it. From the suppressing event up to (not including) the lifting event the lead cannot
-- become an MQL under that model; without a lifting event it stays suppressed.
{{ config(materialized='table') }}

with

events as (
    select * from {{ ref('int_engagement_events_resolved') }}
),

suppression as (
    select * from {{ ref('scoring_suppression') }}
),

suppressing_events as (
    select distinct
        events.lead_id,
        suppression.scoring_model,
        events.event_id,
        events.event_type,
        events.occurred_at
    from events
    inner join suppression
        on events.event_type = suppression.event_type
),

lifting_events as (
    select
        suppressing_events.lead_id,
        suppressing_events.scoring_model,
        suppressing_events.event_id as suppressing_event_id,
        events.event_id,
        events.occurred_at,
        row_number() over (
            partition by
                suppressing_events.lead_id, suppressing_events.scoring_model, suppressing_events.event_id
            order by events.occurred_at asc, events.event_id asc
        ) as lift_rank
    from suppressing_events
    inner join suppression
        on
            suppressing_events.scoring_model = suppression.scoring_model
            and suppressing_events.event_type = suppression.event_type
    inner join events
        on
            suppressing_events.lead_id = events.lead_id
            and suppression.lifts_on_event_type = events.event_type
            and (
                suppressing_events.occurred_at < events.occurred_at
                or (
                    suppressing_events.occurred_at = events.occurred_at
                    and suppressing_events.event_id < events.event_id
                )
            )
),

final as (
    select
        suppressing_events.lead_id,
        suppressing_events.scoring_model,
        suppressing_events.event_id as suppressing_event_id,
        suppressing_events.event_type as suppressed_reason,
        suppressing_events.occurred_at as suppressed_at,
        lifting_events.event_id as lifting_event_id,
        lifting_events.occurred_at as lifted_at
    from suppressing_events
    left join lifting_events
        on
            suppressing_events.lead_id = lifting_events.lead_id
            and suppressing_events.scoring_model = lifting_events.scoring_model
            and suppressing_events.event_id = lifting_events.suppressing_event_id
            and lifting_events.lift_rank = 1
)

select * from final
