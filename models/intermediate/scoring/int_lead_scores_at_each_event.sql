-- The score of each surviving lead under each scoring model right after each of its scoring
-- events, evaluated at that event's own time, and whether the MQL condition holds there.
--
-- Linear in the number of events: no event is paired with earlier ones. Every occurrence is a
-- row on the lead's timeline (per scoring segment) adding its points to an accumulator
-- (int_scoring_accumulators): a half-life accumulator adds points * exp(k * (t - b)) and is
-- read at time T as exp(-k * (T - b)) times its running sum; a flat one adds the points; a
-- linear one adds a level and a slope. Occurrences with a lifespan (or the end of a linear
-- decay) add a second row at t + lifespan that takes their points back out. The base b is
-- the start of a time bucket short enough for exp(k * (t - b)) to stay finite; an occurrence
-- is carried into later buckets while it is still worth something, so the running sums never
-- reach back further than that. Score groups are capped after the accumulators are read.
--
-- Shaped for the engines' window operators: one window with one running sum per accumulator
-- runs over the occurrence rows themselves (no pivot to one row per event first); an event's
-- last row holds its sums. The accumulators are read, capped and reduced to three dimension
-- scores before a second, narrow window numbers the events across segments and buckets and
-- carries the latest engagement. The hash key is left to fct_lead_score_history.
-- Incremental (by the surviving lead_id, only changed rows replaced; see the model's docs): a run recomputes
-- the rows of every lead whose events, statuses, merges or fit may have changed since the last run.
{%- do lf_touched_leads_depends_on() %}
{%- set state_vars = lf_scoring_state_vars() %}
{{ config(**lf_lead_incremental_config(
    state_vars, lf_scoring_state_tables(), ['lead_id', 'scoring_model', 'event_id'])) }}
{%- set mode = lf_incremental_mode(state_vars, lf_as_of_text()) %}
{%- set layout = lf_scoring_layout_size(ref('int_scoring_accumulators')) %}
{%- set n_acc = layout[0] %}
{%- set n_groups = layout[1] %}
{%- set dimensions = ['engagement', 'intent', 'negative'] %}

with

events as (
    select * from {{ ref('int_engagement_events_resolved') }}
    where {{ lf_touched_leads_only('lead_id', mode) }}
),

occurrences as (
    select * from {{ ref('int_engagement_events_scored') }}
    where {{ lf_touched_leads_only('lead_id', mode) }}
),

accumulators as (
    select * from {{ ref('int_scoring_accumulators') }}
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

resets as (
    select * from {{ ref('int_scoring_resets') }}
),

suppression_periods as (
    select * from {{ ref('int_lead_suppression_periods') }}
),

as_of as (
    select {{ lf_epoch_seconds(lf_score_as_of()) }} as as_of_epoch
),

layout as (
    select
        scoring_model,
        {%- for i in range(1, n_acc + 1) %}
            max(case when accumulator_index = {{ i }} then accumulator_kind end) as kind_{{ i }},
            max(case when accumulator_index = {{ i }} then decay_per_second end) as k_{{ i }},
            max(case when accumulator_index = {{ i }} then group_index end) as group_of_{{ i }},
        {%- endfor %}
        {%- for g in range(1, n_groups + 1) %}
            max(case when group_index = {{ g }} then group_max_points end) as max_points_{{ g }},
            max(case when group_index = {{ g }} then dimension end) as dimension_of_{{ g }},
        {%- endfor %}
        max(bucket_seconds) as bucket_seconds
    from accumulators
    group by scoring_model
),

-- per rule the accumulator it feeds (a linear rule: its level, and its slope in a second one)
rule_layout as (
    select
        scoring_model,
        rule_id,
        max(case when accumulator_kind <> 'linear_slope' then accumulator_index end) as accumulator_index,
        max(case when accumulator_kind = 'linear_slope' then accumulator_index end)
            as slope_accumulator_index,
        max(case when accumulator_kind <> 'linear_slope' then accumulator_kind end) as accumulator_kind,
        max(decay_per_second) as decay_per_second,
        max(expires_after_seconds) as expires_after_seconds,
        max(bucket_seconds) as bucket_seconds,
        max(carried_buckets) as carried_buckets
    from accumulators
    group by scoring_model, rule_id
),

-- every occurrence with the bucket it starts in and how far it is carried
occurrence_parts as (
    select
        occurrences.lead_id,
        occurrences.scoring_model,
        occurrences.behavior_reset_at,
        occurrences.rule_id,
        occurrences.event_id,
        occurrences.event_type,
        occurrences.occurred_at,
        occurrences.occurred_epoch,
        occurrences.points,
        occurrences.is_counted,
        rule_layout.accumulator_index,
        rule_layout.slope_accumulator_index,
        rule_layout.accumulator_kind,
        rule_layout.decay_per_second,
        rule_layout.expires_after_seconds,
        rule_layout.bucket_seconds,
        floor(occurrences.occurred_epoch / rule_layout.bucket_seconds) as bucket_number,
        -- the last bucket the occurrence can matter in: as-of, expiry, or negligible worth
        least(
            floor(as_of.as_of_epoch / rule_layout.bucket_seconds),
            coalesce(
                floor(
                    (occurrences.occurred_epoch + rule_layout.expires_after_seconds)
                    / rule_layout.bucket_seconds
                ),
                1e18
            ),
            coalesce(
                floor(occurrences.occurred_epoch / rule_layout.bucket_seconds)
                + rule_layout.carried_buckets,
                1e18
            )
        ) as last_bucket_number
    from occurrences
    inner join rule_layout
        on
            occurrences.scoring_model = rule_layout.scoring_model
            and occurrences.rule_id = rule_layout.rule_id
    cross join as_of
),

offsets as (
    select ones.n + 10 * tens.n + 100 * hundreds.n + 1000 * thousands.n as bucket_offset
    from {{ lf_digits() }} as ones
    cross join {{ lf_digits() }} as tens
    cross join {{ lf_digits() }} as hundreds
    cross join {{ lf_digits() }} as thousands
),

carried_parts as (
    select * from occurrence_parts
    where is_counted and last_bucket_number > bucket_number
),

-- timeline rows, one per occurrence: entries (in their own bucket and, rarely, carried into
-- later ones) and exits; an entry's points are null when the occurrence is not counted
timeline_entries as (
    select
        lead_id,
        scoring_model,
        behavior_reset_at,
        bucket_number,
        rule_id,
        event_id,
        event_type,
        occurred_at,
        occurred_epoch as row_epoch,
        1 as order_kind,
        accumulator_index,
        slope_accumulator_index,
        accumulator_kind,
        decay_per_second,
        expires_after_seconds,
        bucket_seconds,
        occurred_epoch as entry_epoch,
        points as rule_points,
        case when is_counted then points end as points,
        true as is_own_bucket
    from occurrence_parts
    union all
    select
        carried_parts.lead_id,
        carried_parts.scoring_model,
        carried_parts.behavior_reset_at,
        carried_parts.bucket_number + offsets.bucket_offset as bucket_number,
        carried_parts.rule_id,
        carried_parts.event_id,
        carried_parts.event_type,
        carried_parts.occurred_at,
        carried_parts.occurred_epoch as row_epoch,
        1 as order_kind,
        carried_parts.accumulator_index,
        carried_parts.slope_accumulator_index,
        carried_parts.accumulator_kind,
        carried_parts.decay_per_second,
        carried_parts.expires_after_seconds,
        carried_parts.bucket_seconds,
        carried_parts.occurred_epoch as entry_epoch,
        carried_parts.points as rule_points,
        carried_parts.points,
        false as is_own_bucket
    from carried_parts
    inner join offsets
        on
            offsets.bucket_offset >= 1
            and offsets.bucket_offset <= carried_parts.last_bucket_number - carried_parts.bucket_number
),

timeline_exits as (
    select
        occurrence_parts.lead_id,
        occurrence_parts.scoring_model,
        occurrence_parts.behavior_reset_at,
        floor(
            (occurrence_parts.occurred_epoch + occurrence_parts.expires_after_seconds)
            / occurrence_parts.bucket_seconds
        ) as bucket_number,
        occurrence_parts.rule_id,
        occurrence_parts.event_id,
        occurrence_parts.event_type,
        occurrence_parts.occurred_at,
        occurrence_parts.occurred_epoch + occurrence_parts.expires_after_seconds as row_epoch,
        0 as order_kind,
        occurrence_parts.accumulator_index,
        occurrence_parts.slope_accumulator_index,
        occurrence_parts.accumulator_kind,
        occurrence_parts.decay_per_second,
        occurrence_parts.expires_after_seconds,
        occurrence_parts.bucket_seconds,
        occurrence_parts.occurred_epoch as entry_epoch,
        occurrence_parts.points as rule_points,
        -occurrence_parts.points as points,
        false as is_own_bucket
    from occurrence_parts
    cross join as_of
    where
        occurrence_parts.is_counted
        and occurrence_parts.expires_after_seconds is not null
        and occurrence_parts.occurred_epoch + occurrence_parts.expires_after_seconds <= as_of.as_of_epoch
        and floor(
            (occurrence_parts.occurred_epoch + occurrence_parts.expires_after_seconds)
            / occurrence_parts.bucket_seconds
        ) <= occurrence_parts.last_bucket_number
),

-- fast-track events that match no rule are scoring events too
fast_track_only as (
    select
        events.lead_id,
        fast_track_events.scoring_model,
        events.event_id,
        events.event_type,
        events.occurred_at,
        {{ lf_epoch_seconds('events.occurred_at') }} as row_epoch
    from events
    inner join fast_track_events
        on events.event_type = fast_track_events.event_type
    where not exists (
        select 1
        from occurrences
        where
            occurrences.event_id = events.event_id
            and occurrences.scoring_model = fast_track_events.scoring_model
    )
),

fast_track_only_segmented as (
    select
        fast_track_only.lead_id,
        fast_track_only.scoring_model,
        max(resets.reset_at) as behavior_reset_at,
        fast_track_only.event_id,
        fast_track_only.event_type,
        fast_track_only.occurred_at,
        fast_track_only.row_epoch
    from fast_track_only
    left join resets
        on
            fast_track_only.lead_id = resets.lead_id
            and fast_track_only.scoring_model = resets.scoring_model
            and fast_track_only.occurred_at > resets.reset_at
    group by
        fast_track_only.lead_id,
        fast_track_only.scoring_model,
        fast_track_only.event_id,
        fast_track_only.event_type,
        fast_track_only.occurred_at,
        fast_track_only.row_epoch
),

-- what a timeline row adds to its accumulator(s), relative to its bucket's start
timeline_values as (
    select
        lead_id,
        scoring_model,
        behavior_reset_at,
        bucket_number,
        rule_id,
        event_id,
        event_type,
        occurred_at,
        row_epoch,
        order_kind,
        is_own_bucket,
        case when rule_points > 0 then 1 else 0 end as is_engagement,
        accumulator_index,
        slope_accumulator_index,
        case
            when points is null then null
            when accumulator_kind = 'exp'
                then points * exp(decay_per_second * (entry_epoch - bucket_number * bucket_seconds))
            when accumulator_kind = 'linear_level'
                then points * (1.0 + (entry_epoch - bucket_number * bucket_seconds) / expires_after_seconds)
            else points
        end as accumulator_value,
        points / expires_after_seconds as slope_value
    from (
        select * from timeline_entries
        union all
        select * from timeline_exits
    ) as timeline_rows
    union all
    select
        fast_track_only_segmented.lead_id,
        fast_track_only_segmented.scoring_model,
        fast_track_only_segmented.behavior_reset_at,
        floor(fast_track_only_segmented.row_epoch / layout.bucket_seconds) as bucket_number,
        '' as rule_id,
        fast_track_only_segmented.event_id,
        fast_track_only_segmented.event_type,
        fast_track_only_segmented.occurred_at,
        fast_track_only_segmented.row_epoch,
        1 as order_kind,
        true as is_own_bucket,
        0 as is_engagement,
        0 as accumulator_index,
        0 as slope_accumulator_index,
        cast(null as {{ lf_engine_type('double') }}) as accumulator_value,
        cast(null as {{ lf_engine_type('double') }}) as slope_value
    from fast_track_only_segmented
    inner join layout
        on fast_track_only_segmented.scoring_model = layout.scoring_model
),

-- The running sums, one per accumulator, over the rows themselves (no pivot). An event that
-- matches several rules has several consecutive rows, its engaging ones last; the last holds
-- the sums right after the event.
running as (
    select
        lead_id,
        scoring_model,
        behavior_reset_at,
        bucket_number,
        event_id,
        event_type,
        occurred_at,
        row_epoch,
        order_kind,
        is_own_bucket,
        is_engagement,
        {%- for i in range(1, n_acc + 1) %}
            sum(
                case
                    when accumulator_index = {{ i }} then accumulator_value
                    when slope_accumulator_index = {{ i }} then slope_value
                end
            ) over timeline as running_{{ i }},
        {%- endfor %}
        -- the next row's event when it is an entry (exits are ordered by the event they end)
        lead(case when order_kind = 1 then event_id end) over timeline_order as next_entry_event_id
    from timeline_values
    window
        timeline as (
            partition by lead_id, scoring_model, behavior_reset_at, bucket_number
            order by row_epoch asc, order_kind asc, event_id asc, is_engagement asc, rule_id asc
            rows between unbounded preceding and current row
        ),
        -- the same order without a frame, for lead() (Spark rejects lead() with a frame)
        timeline_order as (
            partition by lead_id, scoring_model, behavior_reset_at, bucket_number
            order by row_epoch asc, order_kind asc, event_id asc, is_engagement asc, rule_id asc
        )
),

-- a scoring event's last row in its own bucket holds the sums right after the event
evaluated as (
    select
        lead_id,
        scoring_model,
        behavior_reset_at,
        bucket_number,
        event_id,
        event_type,
        occurred_at,
        row_epoch,
        {%- for i in range(1, n_acc + 1) %}
            running_{{ i }},
        {%- endfor %}
        is_engagement
    from running
    where
        order_kind = 1
        and is_own_bucket
        and not coalesce(next_entry_event_id = event_id, false)
),

read_out as (
    select
        evaluated.lead_id,
        evaluated.scoring_model,
        evaluated.behavior_reset_at,
        evaluated.event_id,
        evaluated.event_type,
        evaluated.occurred_at,
        evaluated.row_epoch as occurred_epoch,
        evaluated.is_engagement,
        {%- for i in range(1, n_acc + 1) %}
            case
                when evaluated.running_{{ i }} is null then 0.0
                when layout.kind_{{ i }} = 'exp'
                    then
                        exp(
                            -layout.k_{{ i }}
                            * (evaluated.row_epoch - evaluated.bucket_number * layout.bucket_seconds)
                        )
                        * evaluated.running_{{ i }}
                when layout.kind_{{ i }} = 'linear_slope'
                    then
                        -(evaluated.row_epoch - evaluated.bucket_number * layout.bucket_seconds)
                        * evaluated.running_{{ i }}
                else evaluated.running_{{ i }}
            end as value_{{ i }},
            layout.group_of_{{ i }},
        {%- endfor %}
        {%- for g in range(1, n_groups + 1) %}
            layout.max_points_{{ g }},
            layout.dimension_of_{{ g }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from evaluated
    inner join layout
        on evaluated.scoring_model = layout.scoring_model
),

grouped as (
    select
        {%- for g in range(1, n_groups + 1) %}
            0.0
            {%- for i in range(1, n_acc + 1) %}
                + case when group_of_{{ i }} = {{ g }} then value_{{ i }} else 0.0 end
            {%- endfor %} as group_sum_{{ g }},
        {%- endfor %}
        read_out.*
    from read_out
),

capped as (
    select
        {%- for g in range(1, n_groups + 1) %}
            case
                when max_points_{{ g }} is not null and group_sum_{{ g }} > max_points_{{ g }}
                    then max_points_{{ g }}
                else group_sum_{{ g }}
            end as group_capped_{{ g }},
        {%- endfor %}
        grouped.*
    from grouped
),

behavior_at_event as (
    select
        lead_id,
        scoring_model,
        behavior_reset_at,
        event_id,
        event_type,
        occurred_at,
        occurred_epoch,
        is_engagement,
        {%- for dimension in dimensions %}
            0.0
            {%- for g in range(1, n_groups + 1) %}
                + case when dimension_of_{{ g }} = '{{ dimension }}' then group_capped_{{ g }} else 0.0 end
            {%- endfor %} as {{ dimension }}_score{% if not loop.last %},{% endif %}
        {%- endfor %}
    from capped
),

-- numbered over all of the lead's segments and buckets (they follow each other in time), with
-- the latest engagement up to the event in any segment: a second, narrow window
behavior as (
    select
        lead_id,
        scoring_model,
        behavior_reset_at,
        event_id,
        event_type,
        occurred_at,
        occurred_epoch,
        {%- for dimension in dimensions %}
            {{ dimension }}_score,
        {%- endfor %}
        cast(row_number() over lead_order as {{ dbt.type_bigint() }}) as event_sequence,
        max(case when is_engagement = 1 then occurred_epoch end) over lead_timeline as last_engaged_epoch
    from behavior_at_event
    window
        lead_timeline as (
            partition by lead_id, scoring_model
            order by occurred_epoch asc, event_id asc
            rows between unbounded preceding and current row
        ),
        lead_order as (
            partition by lead_id, scoring_model
            order by occurred_epoch asc, event_id asc
        )
),

suppressed_matches as (
    select
        behavior.lead_id,
        behavior.scoring_model,
        behavior.event_id,
        suppression_periods.suppressed_reason,
        row_number() over (
            partition by behavior.lead_id, behavior.scoring_model, behavior.event_id
            order by suppression_periods.suppressed_at desc, suppression_periods.suppressing_event_id desc
        ) as suppression_rank
    from behavior
    inner join suppression_periods
        on
            behavior.lead_id = suppression_periods.lead_id
            and behavior.scoring_model = suppression_periods.scoring_model
            and (
                behavior.occurred_at > suppression_periods.suppressed_at
                or (
                    behavior.occurred_at = suppression_periods.suppressed_at
                    and behavior.event_id >= suppression_periods.suppressing_event_id
                )
            )
            and (
                suppression_periods.lifted_at is null
                or behavior.occurred_at < suppression_periods.lifted_at
                or (
                    behavior.occurred_at = suppression_periods.lifted_at
                    and behavior.event_id < suppression_periods.lifting_event_id
                )
            )
),

suppressed as (
    select * from suppressed_matches
    where suppression_rank = 1
),

scored as (
    select
        behavior.lead_id,
        behavior.scoring_model,
        behavior.event_id,
        behavior.event_type,
        behavior.occurred_at,
        behavior.event_sequence,
        behavior.behavior_reset_at,
        fit_scored.fit_score,
        fit_scored.is_fit_disqualified,
        behavior.engagement_score,
        behavior.intent_score,
        behavior.negative_score,
        fit_scored.fit_score + behavior.engagement_score + behavior.intent_score + behavior.negative_score
            as raw_score,
        suppressed.event_id is not null as is_suppressed,
        suppressed.suppressed_reason,
        behavior.last_engaged_epoch,
        behavior.occurred_epoch
    from behavior
    inner join fit_scored
        on
            behavior.lead_id = fit_scored.lead_id
            and behavior.scoring_model = fit_scored.scoring_model
    left join suppressed
        on
            behavior.lead_id = suppressed.lead_id
            and behavior.scoring_model = suppressed.scoring_model
            and behavior.event_id = suppressed.event_id
),

qualified as (
    select
        scored.*,
        least(100.0, greatest(0.0, scored.raw_score)) as lead_score,
        fast_track_events.event_type is not null as is_fast_track_event,
        not scored.is_fit_disqualified
        and not scored.is_suppressed
        and (
            scoring_models.requires_activity_within_days is null
            or scored.occurred_epoch - scored.last_engaged_epoch
            <= scoring_models.requires_activity_within_days * 86400.0
        ) as is_gate_open,
        least(100.0, greatest(0.0, scored.raw_score)) >= scoring_models.mql_threshold - 1e-9
        and scored.fit_score >= scoring_models.min_fit_score
        and scored.engagement_score + scored.intent_score + scored.negative_score
        >= coalesce(scoring_models.min_behavior_score, 0) - 1e-9 as is_threshold_reached
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
        lead_id,
        scoring_model,
        event_id,
        event_type,
        occurred_at,
        event_sequence,
        behavior_reset_at,
        fit_score,
        -- rounded to 1e-10: the running sums differ from direct decay by float noise only
        {{ lf_round("engagement_score", 10) }} as engagement_score,
        {{ lf_round("intent_score", 10) }} as intent_score,
        {{ lf_round("negative_score", 10) }} as negative_score,
        {{ lf_round("raw_score", 10) }} as raw_score,
        {{ lf_round("lead_score", 10) }} as lead_score,
        is_fit_disqualified,
        is_suppressed,
        suppressed_reason,
        last_engaged_epoch,
        is_fast_track_event,
        coalesce(is_gate_open, false) and (is_threshold_reached or is_fast_track_event) as is_mql_eligible,
        case
            when not coalesce(is_gate_open, false) then null
            when is_threshold_reached then 'threshold'
            when is_fast_track_event then 'fast_track'
        end as mql_trigger
    from qualified
)

select * from final
