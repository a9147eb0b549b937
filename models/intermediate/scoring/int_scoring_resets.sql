-- One row per surviving lead, scoring model and moment at which the model resets the lead's
-- behaviour score: a recycle when scoring_models.on_recycle is reset_behavior, and a sales
-- rejection too when reset_on_rejection is set. Up to the as-of moment.
-- A table: the scored events, the score history and the current segments read it.
{{ config(materialized='table') }}

with

lifecycle_events as (
    select * from {{ ref('int_lifecycle_events_resolved') }}
),

scoring_models as (
    select * from {{ ref('scoring_models') }}
),

resets as (
    select distinct
        lifecycle_events.lead_id,
        scoring_models.scoring_model,
        lifecycle_events.occurred_at as reset_at
    from lifecycle_events
    inner join scoring_models
        on
            coalesce(scoring_models.on_recycle, 'reset_behavior') = 'reset_behavior'
            and (
                lifecycle_events.lifecycle_event = 'recycled'
                or (
                    lifecycle_events.lifecycle_event = 'sales_rejected'
                    and coalesce(scoring_models.reset_on_rejection, false)
                )
            )
)

select * from resets
