-- One row per surviving lead, scoring model and MQL cycle: from the MQL moment through first
-- sales touch, acceptance or rejection, recycle, qualification, opportunity and close. A cycle
-- runs from its start until the lead is recycled (or the next cycle starts). Source data that
-- contradicts itself keeps its row and is flagged.

with

cycles as (
    select * from {{ ref('int_mql_cycles_started') }}
),

lifecycle_events as (
    select * from {{ ref('int_lifecycle_events_resolved') }}
),

recycles_in_cycle as (
    select
        cycles.lead_id,
        cycles.scoring_model,
        cycles.cycle_number,
        min(lifecycle_events.occurred_at) as recycled_at
    from cycles
    inner join lifecycle_events
        on
            cycles.lead_id = lifecycle_events.lead_id
            and lifecycle_events.lifecycle_event = 'recycled'
            and cycles.cycle_started_at <= lifecycle_events.occurred_at
            and (
                cycles.next_cycle_started_at is null
                or cycles.next_cycle_started_at > lifecycle_events.occurred_at
            )
    group by cycles.lead_id, cycles.scoring_model, cycles.cycle_number
),

bounded as (
    select
        cycles.*,
        recycles_in_cycle.recycled_at,
        coalesce(recycles_in_cycle.recycled_at, cycles.next_cycle_started_at) as cycle_ended_at
    from cycles
    left join recycles_in_cycle
        on
            cycles.lead_id = recycles_in_cycle.lead_id
            and cycles.scoring_model = recycles_in_cycle.scoring_model
            and cycles.cycle_number = recycles_in_cycle.cycle_number
),

events_in_cycle as (
    select
        bounded.lead_id,
        bounded.scoring_model,
        bounded.cycle_number,
        lifecycle_events.lifecycle_event_id,
        lifecycle_events.lifecycle_event,
        lifecycle_events.detail,
        lifecycle_events.actor_id,
        lifecycle_events.occurred_at,
        lifecycle_events.closed_at,
        lifecycle_events.is_won,
        row_number() over (
            partition by
                bounded.lead_id, bounded.scoring_model, bounded.cycle_number,
                lifecycle_events.lifecycle_event
            order by lifecycle_events.occurred_at asc, lifecycle_events.lifecycle_event_id asc
        ) as event_rank
    from bounded
    inner join lifecycle_events
        on
            bounded.lead_id = lifecycle_events.lead_id
            and bounded.cycle_started_at <= lifecycle_events.occurred_at
            and (bounded.cycle_ended_at is null or bounded.cycle_ended_at > lifecycle_events.occurred_at)
            and lifecycle_events.lifecycle_event in (
                'sales_touch', 'sales_accepted', 'sales_rejected', 'sales_qualified',
                'disqualified', 'opportunity_created'
            )
),

firsts as (
    select
        lead_id,
        scoring_model,
        cycle_number,
        max(case when lifecycle_event = 'sales_touch' then occurred_at end) as first_touched_at,
        max(case when lifecycle_event = 'sales_touch' then actor_id end) as first_touch_rep_id,
        max(case when lifecycle_event = 'sales_accepted' then occurred_at end) as sales_accepted_at,
        max(case when lifecycle_event = 'sales_rejected' then occurred_at end) as sales_rejected_at,
        max(case when lifecycle_event = 'sales_rejected' then detail end) as rejection_reason,
        max(case when lifecycle_event = 'sales_qualified' then occurred_at end) as sales_qualified_at,
        max(case when lifecycle_event = 'disqualified' then occurred_at end) as disqualified_at,
        max(case when lifecycle_event = 'opportunity_created' then lifecycle_event_id end)
            as opportunity_id,
        max(case when lifecycle_event = 'opportunity_created' then occurred_at end)
            as opportunity_created_at,
        max(case when lifecycle_event = 'opportunity_created' and is_won then closed_at end)
            as closed_won_at,
        max(case when lifecycle_event = 'opportunity_created' and not is_won then closed_at end)
            as closed_lost_at
    from events_in_cycle
    where event_rank = 1
    group by lead_id, scoring_model, cycle_number
),

joined as (
    select
        bounded.lead_id,
        bounded.scoring_model,
        bounded.cycle_number,
        bounded.is_inferred_mql,
        bounded.cycle_started_at as marketing_qualified_at,
        bounded.mql_trigger,
        bounded.trigger_event_id as mql_trigger_event_id,
        bounded.trigger_event_type as mql_trigger_event_type,
        bounded.score_at_mql,
        firsts.first_touched_at,
        firsts.first_touch_rep_id,
        firsts.sales_accepted_at,
        firsts.sales_rejected_at,
        firsts.rejection_reason,
        bounded.recycled_at,
        firsts.sales_qualified_at,
        firsts.disqualified_at,
        firsts.opportunity_id,
        firsts.opportunity_created_at,
        firsts.closed_won_at,
        firsts.closed_lost_at,
        bounded.next_cycle_started_at
    from bounded
    left join firsts
        on
            bounded.lead_id = firsts.lead_id
            and bounded.scoring_model = firsts.scoring_model
            and bounded.cycle_number = firsts.cycle_number
),

flagged as (
    select
        *,
        case
            when closed_won_at < first_touched_at then 'won_before_first_touch'
            when closed_lost_at < first_touched_at then 'lost_before_first_touch'
            when closed_won_at < opportunity_created_at or closed_lost_at < opportunity_created_at
                then 'closed_before_opportunity'
            when sales_qualified_at < sales_accepted_at then 'qualified_before_accepted'
        end as contradiction_reason
    from joined
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            "lead_id", "'|'", "scoring_model", "'|'",
            dbt.cast("cycle_number", api.Column.translate_type("string"))
        ])) }} as mql_cycle_id,
        lead_id,
        scoring_model,
        cycle_number,
        is_inferred_mql,
        marketing_qualified_at,
        mql_trigger,
        mql_trigger_event_id,
        mql_trigger_event_type,
        score_at_mql,
        first_touched_at,
        first_touch_rep_id,
        sales_accepted_at,
        sales_rejected_at,
        rejection_reason,
        recycled_at,
        sales_qualified_at,
        disqualified_at,
        opportunity_id,
        opportunity_created_at,
        closed_won_at,
        closed_lost_at,
        next_cycle_started_at,
        contradiction_reason is not null as is_contradictory,
        contradiction_reason
    from flagged
)

select * from final
