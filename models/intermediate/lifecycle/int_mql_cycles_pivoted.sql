-- One row per surviving lead, scoring model and MQL cycle, with one moment column per stage of
-- seed lifecycle_stages (its moment_column): the cycle start (MQL), the first status or
-- opportunity entering each stage within the cycle, the recycle that ended it, and the close of
-- its first opportunity (won or lost); plus the first sales touch and its rep, the rejection
-- reason and the first opportunity. A cycle runs from its start until it is recycled (an end
-- stage's status) or the next cycle starts. Source data that contradicts itself keeps its row
-- and is flagged. A table: fct_mql_cycles, the stage history and the funnel reports read it.
{{ config(materialized='table') }}
{%- set start_stage = lf_stage_with_role('start') %}
{%- set end_stages = lf_lifecycle_stages() | selectattr('cycle_role', 'equalto', 'end') | list %}
{%- set opportunity_outcomes = ['opportunity_won', 'opportunity_lost'] %}
{%- set event_stages = [] %}
{%- for stage in lf_cycle_stages()
    if stage['cycle_role'] not in ['start', 'end'] and stage['entered_by'] not in opportunity_outcomes %}
    {%- do event_stages.append(stage) %}
{%- endfor %}
{%- set in_cycle_events = ['sales_touch', 'opportunity_created'] %}
{%- for stage in event_stages if stage['entered_by'] not in in_cycle_events %}
    {%- do in_cycle_events.append(stage['entered_by']) %}
{%- endfor %}
{%- set rejected_status = lf_lifecycle_stage('rejected')['entered_by'] %}

with

cycles as (
    select * from {{ ref('int_mql_cycles_started') }}
),

lifecycle_events as (
    select * from {{ ref('int_lifecycle_events_resolved') }}
),

cycle_ends as (
    select
        cycles.lead_id,
        cycles.scoring_model,
        cycles.cycle_number,
        {%- for stage in end_stages %}
            min(
                case
                    when lifecycle_events.lifecycle_event = '{{ stage["entered_by"] }}'
                        then lifecycle_events.occurred_at
                end
            ) as {{ stage['moment_column'] }},
        {%- endfor %}
        min(lifecycle_events.occurred_at) as ended_by_status_at
    from cycles
    inner join lifecycle_events
        on
            cycles.lead_id = lifecycle_events.lead_id
            and lifecycle_events.lifecycle_event in ({{ lf_sql_values(lf_stage_events(['end'])) }})
            and cycles.cycle_started_at <= lifecycle_events.occurred_at
            and (
                cycles.next_cycle_started_at is null
                or cycles.next_cycle_started_at > lifecycle_events.occurred_at
            )
    group by cycles.lead_id, cycles.scoring_model, cycles.cycle_number
),

bounded as (
    select
        cycles.lead_id,
        cycles.scoring_model,
        cycles.cycle_number,
        cycles.is_inferred_mql,
        cycles.cycle_started_at,
        cycles.mql_trigger,
        cycles.trigger_event_id,
        cycles.trigger_event_type,
        cycles.score_at_mql,
        cycles.next_cycle_started_at,
        {%- for stage in end_stages %}
            cycle_ends.{{ stage['moment_column'] }},
        {%- endfor %}
        coalesce(cycle_ends.ended_by_status_at, cycles.next_cycle_started_at) as cycle_ended_at
    from cycles
    left join cycle_ends
        on
            cycles.lead_id = cycle_ends.lead_id
            and cycles.scoring_model = cycle_ends.scoring_model
            and cycles.cycle_number = cycle_ends.cycle_number
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
            and lifecycle_events.lifecycle_event in ({{ lf_sql_values(in_cycle_events) }})
),

firsts as (
    select
        lead_id,
        scoring_model,
        cycle_number,
        {%- for stage in event_stages %}
            max(case when lifecycle_event = '{{ stage["entered_by"] }}' then occurred_at end)
                as {{ stage['moment_column'] }},
        {%- endfor %}
        {%- for stage in lf_cycle_stages() if stage['entered_by'] in opportunity_outcomes %}
            {%- set outcome = 'is_won' if stage['entered_by'] == 'opportunity_won' else 'not is_won' %}
            max(case when lifecycle_event = 'opportunity_created' and {{ outcome }} then closed_at end)
                as {{ stage['moment_column'] }},
        {%- endfor %}
        max(case when lifecycle_event = 'sales_touch' then occurred_at end) as first_touched_at,
        max(case when lifecycle_event = 'sales_touch' then actor_id end) as first_touch_rep_id,
        max(case when lifecycle_event = '{{ rejected_status }}' then detail end) as rejection_reason,
        max(case when lifecycle_event = 'opportunity_created' then lifecycle_event_id end)
            as opportunity_id
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
        bounded.cycle_started_at as {{ start_stage['moment_column'] }},
        bounded.mql_trigger,
        bounded.trigger_event_id as mql_trigger_event_id,
        bounded.trigger_event_type as mql_trigger_event_type,
        bounded.score_at_mql,
        firsts.first_touched_at,
        firsts.first_touch_rep_id,
        firsts.rejection_reason,
        firsts.opportunity_id,
        {%- for stage in lf_cycle_stages() if stage['cycle_role'] != 'start' %}
            {{ 'bounded' if stage['cycle_role'] == 'end' else 'firsts' }}.{{ stage['moment_column'] }},
        {%- endfor %}
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
        *,
        contradiction_reason is not null as is_contradictory
    from flagged
)

select * from final
