-- One row per MQL cycle (not inferred) with what a rep needs to act: the score by dimension at
-- the MQL moment, the actions that triggered it, the last touches, the routed queue (seeds under
-- seeds/routing/), the SLA due time (business hours in the owner's or the lead's time zone,
-- holidays excluded: int_mql_handoffs_sla), the first touch and whether the SLA was met.

with

mql_cycles as (
    select * from {{ ref('fct_mql_cycles') }}
),

routed as (
    select * from {{ ref('int_mql_handoffs_routed') }}
),

sla as (
    select * from {{ ref('int_mql_handoffs_sla') }}
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

scored_events as (
    select * from {{ ref('int_engagement_events_scored') }}
),

resets as (
    select * from {{ ref('int_scoring_resets') }}
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

-- the latest behaviour reset before each MQL moment: points earned before it do not count
segment_starts as (
    select
        real_cycles.mql_cycle_id,
        max(resets.reset_at) as segment_started_at
    from real_cycles
    inner join resets
        on
            real_cycles.lead_id = resets.lead_id
            and real_cycles.scoring_model = resets.scoring_model
            and real_cycles.marketing_qualified_at > resets.reset_at
    group by real_cycles.mql_cycle_id
),

-- points each event type earned (counted occurrences with positive points) in the lookback
-- window up to the MQL moment, within the MQL's scoring segment
contributions as (
    select
        real_cycles.mql_cycle_id,
        scored_events.event_type,
        sum(scored_events.points) as contributed_points
    from real_cycles
    left join segment_starts
        on real_cycles.mql_cycle_id = segment_starts.mql_cycle_id
    inner join scored_events
        on
            real_cycles.lead_id = scored_events.lead_id
            and real_cycles.scoring_model = scored_events.scoring_model
            and real_cycles.marketing_qualified_at >= scored_events.occurred_at
            and {{ dbt.dateadd(
                'day', -1 * var('handoff_trigger_lookback_days'), 'real_cycles.marketing_qualified_at'
            ) }} < scored_events.occurred_at
            and (
                segment_starts.segment_started_at is null
                or segment_starts.segment_started_at < scored_events.occurred_at
            )
            and scored_events.is_counted
            and scored_events.points > 0
    group by real_cycles.mql_cycle_id, scored_events.event_type
),

-- first the action that made the lead an MQL (its event type, else the MQL trigger), then the
-- other positive contributions by size
trigger_items as (
    select
        mql_cycle_id,
        coalesce(mql_trigger_event_type, mql_trigger) as trigger_action,
        0 as item_group,
        cast(null as {{ dbt.type_float() }}) as contributed_points
    from real_cycles
    union all
    select
        contributions.mql_cycle_id,
        contributions.event_type as trigger_action,
        1 as item_group,
        contributions.contributed_points
    from contributions
    inner join real_cycles
        on contributions.mql_cycle_id = real_cycles.mql_cycle_id
    where contributions.event_type <> coalesce(real_cycles.mql_trigger_event_type, real_cycles.mql_trigger)
),

trigger_actions as (
    select
        mql_cycle_id,
        {{ lf_ordered_list('trigger_action', 'item_group, contributed_points desc, trigger_action') }}
            as trigger_actions
    from trigger_items
    where trigger_action is not null
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
        routed.routed_territory,
        routed.score_band,
        routed.segment,
        routed.routing_rule_id,
        routed.queue,
        routed.owner_id,
        routed.owner_time_zone,
        routed.routing_status,
        routed.routing_reason,
        routed.sla_hours,
        sla.sla_time_zone,
        sla.sla_time_zone_source,
        sla.marketing_qualified_at_local,
        sla.sla_due_at,
        sla.sla_due_at_local,
        real_cycles.first_touched_at,
        real_cycles.first_touch_rep_id,
        sla.business_hours_to_first_touch
    from real_cycles
    inner join leads
        on real_cycles.lead_id = leads.lead_id
    left join routed
        on
            real_cycles.lead_id = routed.lead_id
            and real_cycles.scoring_model = routed.scoring_model
            and real_cycles.cycle_number = routed.cycle_number
    left join sla
        on real_cycles.mql_cycle_id = sla.mql_cycle_id
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
