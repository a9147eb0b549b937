-- One row per MQL cycle (not inferred) with what a rep needs to act: the score by dimension at
-- the MQL moment, the actions that triggered it, the last touches, the routed queue (seeds under
-- seeds/routing/), the SLA due time, the first touch and whether the SLA was met.

with

mql_cycles as (
    select * from {{ ref('fct_mql_cycles') }}
),

routed as (
    select * from {{ ref('int_mql_handoffs_routed') }}
),

score_history as (
    select * from {{ ref('fct_lead_score_history') }}
),

timeline as (
    select * from {{ ref('fct_lead_timeline') }}
),

leads as (
    select * from {{ ref('dim_leads') }}
),

real_cycles as (
    select * from mql_cycles
    where not is_inferred_mql
),

history_ranked as (
    select
        real_cycles.mql_cycle_id,
        score_history.event_id,
        score_history.event_sequence,
        score_history.fit_score,
        score_history.engagement_score,
        score_history.intent_score,
        score_history.negative_score,
        score_history.lead_score,
        row_number() over (
            partition by real_cycles.mql_cycle_id
            order by
                case when score_history.event_id = real_cycles.mql_trigger_event_id then 0 else 1 end asc,
                score_history.event_sequence desc
        ) as history_rank
    from real_cycles
    inner join score_history
        on
            real_cycles.lead_id = score_history.lead_id
            and real_cycles.scoring_model = score_history.scoring_model
            and real_cycles.marketing_qualified_at >= score_history.occurred_at
),

score_at_mql as (
    select * from history_ranked
    where history_rank = 1
),

score_changes as (
    select
        lead_id,
        scoring_model,
        event_type,
        occurred_at,
        event_sequence,
        lead_score - coalesce(
            lag(lead_score) over (partition by lead_id, scoring_model order by event_sequence asc), 0.0
        ) as score_change
    from score_history
),

trigger_action_types as (
    select
        real_cycles.mql_cycle_id,
        score_changes.event_type,
        min(score_changes.event_sequence) as first_sequence
    from real_cycles
    inner join score_at_mql
        on real_cycles.mql_cycle_id = score_at_mql.mql_cycle_id
    inner join score_changes
        on
            real_cycles.lead_id = score_changes.lead_id
            and real_cycles.scoring_model = score_changes.scoring_model
            and score_at_mql.event_sequence >= score_changes.event_sequence
            and score_changes.occurred_at > {{ dbt.dateadd(
                'day', -1 * var('handoff_trigger_lookback_days'), 'real_cycles.marketing_qualified_at'
            ) }}
            and score_changes.score_change > 0
    group by real_cycles.mql_cycle_id, score_changes.event_type
),

trigger_actions as (
    select
        mql_cycle_id,
        {{ lf_ordered_list('event_type', 'first_sequence, event_type') }} as trigger_actions
    from trigger_action_types
    group by mql_cycle_id
),

touches_ranked as (
    select
        real_cycles.mql_cycle_id,
        timeline.touch_sequence,
        {{ dbt.concat([
            "timeline.touch_source", "':'", "timeline.touch_kind", "' at '",
            dbt.cast("timeline.occurred_at", api.Column.translate_type("string"))
        ]) }} as touch_text,
        row_number() over (
            partition by real_cycles.mql_cycle_id order by timeline.touch_sequence desc
        ) as recency_rank
    from real_cycles
    inner join timeline
        on
            real_cycles.lead_id = timeline.lead_id
            and real_cycles.marketing_qualified_at >= timeline.occurred_at
),

last_touches as (
    select
        mql_cycle_id,
        {{ lf_ordered_list('touch_text', 'touch_sequence desc') }} as last_touches
    from touches_ranked
    where recency_rank <= {{ var('handoff_last_touches') }}
    group by mql_cycle_id
),

with_sla as (
    select
        real_cycles.mql_cycle_id,
        real_cycles.lead_id,
        real_cycles.scoring_model,
        real_cycles.cycle_number,
        leads.account_id,
        leads.email_domain,
        leads.email_hash,
        real_cycles.marketing_qualified_at,
        real_cycles.mql_trigger,
        real_cycles.mql_trigger_event_id,
        real_cycles.mql_trigger_event_type,
        score_at_mql.lead_score as score_at_mql,
        score_at_mql.fit_score as fit_score_at_mql,
        score_at_mql.engagement_score as engagement_score_at_mql,
        score_at_mql.intent_score as intent_score_at_mql,
        score_at_mql.negative_score as negative_score_at_mql,
        trigger_actions.trigger_actions,
        last_touches.last_touches,
        routed.territory,
        routed.score_band,
        routed.segment,
        routed.routing_rule_id,
        routed.queue,
        routed.owner_id,
        routed.sla_hours,
        {{ dbt.dateadd('hour', 'routed.sla_hours', 'real_cycles.marketing_qualified_at') }} as sla_due_at,
        real_cycles.first_touched_at,
        real_cycles.first_touch_rep_id
    from real_cycles
    inner join leads
        on real_cycles.lead_id = leads.lead_id
    left join routed
        on
            real_cycles.lead_id = routed.lead_id
            and real_cycles.scoring_model = routed.scoring_model
            and real_cycles.cycle_number = routed.cycle_number
    left join score_at_mql
        on real_cycles.mql_cycle_id = score_at_mql.mql_cycle_id
    left join trigger_actions
        on real_cycles.mql_cycle_id = trigger_actions.mql_cycle_id
    left join last_touches
        on real_cycles.mql_cycle_id = last_touches.mql_cycle_id
),

final as (
    select
        *,
        {{ lf_hours_between('marketing_qualified_at', 'first_touched_at') }} as hours_to_first_touch,
        case
            when first_touched_at is not null then first_touched_at <= sla_due_at
            when sla_due_at <= {{ lf_score_as_of() }} then false
        end as is_sla_met,
        case
            when first_touched_at is not null and first_touched_at <= sla_due_at then 'met'
            when first_touched_at is not null or sla_due_at <= {{ lf_score_as_of() }} then 'missed'
            else 'pending'
        end as sla_status
    from with_sla
)

select * from final
