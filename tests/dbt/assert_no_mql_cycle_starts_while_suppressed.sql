-- No score-derived MQL cycle (threshold or fast track) starts while the lead is suppressed
-- under its scoring model: between a suppressing event (seed scoring_suppression) and the
-- event that lifts it, in (occurred_at, event_id) order.
with

cycles as (
    select * from {{ ref('fct_mql_cycles') }}
    where mql_trigger in ('threshold', 'fast_track')
),

periods as (
    select * from {{ ref('int_lead_suppression_periods') }}
)

select
    cycles.lead_id,
    cycles.scoring_model,
    cycles.cycle_number,
    cycles.marketing_qualified_at,
    periods.suppressed_reason,
    periods.suppressed_at,
    periods.lifted_at
from cycles
inner join periods
    on
        cycles.lead_id = periods.lead_id
        and cycles.scoring_model = periods.scoring_model
        and (
            cycles.marketing_qualified_at > periods.suppressed_at
            or (
                cycles.marketing_qualified_at = periods.suppressed_at
                and cycles.mql_trigger_event_id >= periods.suppressing_event_id
            )
        )
        and (
            periods.lifted_at is null
            or cycles.marketing_qualified_at < periods.lifted_at
            or (
                cycles.marketing_qualified_at = periods.lifted_at
                and cycles.mql_trigger_event_id < periods.lifting_event_id
            )
        )
