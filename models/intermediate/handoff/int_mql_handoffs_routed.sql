-- One row per MQL cycle (not inferred) with its routing and its owner. The territory is
-- resolved from the most specific to the least: the lead's country territory when a routing
-- rule names it, else its region territory when a rule names that, else none (rules with an
-- empty territory). Of the rules of seed routing_rules that match the territory, the score
-- band of the score at MQL and the segment, the most specific wins (ties to the first rule id).
-- The owner: the rule's named rep when the roster (seed routing_reps) has them active that day
-- or does not list them; else a weighted round robin among the queue's reps active that day,
-- its cursor going on from day to day, each rep taking at most capacity_per_day before any rep
-- goes over capacity.
-- The SLA clock runs in the owner's time zone, else in the lead's country's (seed
-- country_time_zones), else in var sla_default_time_zone.
-- A table, not a view: its data tests and the models reading it would each compute it again.
{{ config(materialized='table') }}

{%- set string = api.Column.translate_type('string') %}

with

cycles as (
    select * from {{ ref('int_mql_cycles_started') }}
),

fit_attributes as (
    select * from {{ ref('int_lead_fit_attributes_derived') }}
),

territories as (
    select * from {{ ref('routing_territories') }}
),

score_bands as (
    select * from {{ ref('routing_score_bands') }}
),

segments as (
    select * from {{ ref('routing_segments') }}
),

routing_rules as (
    select * from {{ ref('routing_rules') }}
),

routing_reps as (
    select * from {{ ref('routing_reps') }}
),

country_time_zones as (
    select * from {{ ref('country_time_zones') }}
),

lead_attributes as (
    select
        lead_id,
        max(case when attribute = 'country' then attribute_value end) as country,
        max(case when attribute = 'region' then attribute_value end) as region,
        max(case when attribute = 'employee_band' then attribute_value end) as employee_band
    from fit_attributes
    group by lead_id
),

country_territories as (
    select
        country,
        min(territory) as territory
    from territories
    where country is not null
    group by country
),

region_territories as (
    select
        region,
        min(territory) as territory
    from territories
    where country is null and region is not null
    group by region
),

-- territories some rule names: only these can be resolved to
ruled_territories as (
    select distinct territory
    from routing_rules
    where territory is not null
),

mql_cycles as (
    select
        cycles.lead_id,
        cycles.scoring_model,
        cycles.cycle_number,
        cycles.cycle_started_at as marketing_qualified_at,
        cast(cycles.cycle_started_at as date) as assignment_date,
        cycles.score_at_mql,
        lead_attributes.country,
        lead_attributes.region,
        lead_attributes.employee_band
    from cycles
    left join lead_attributes
        on cycles.lead_id = lead_attributes.lead_id
    where not cycles.is_inferred_mql
),

classified as (
    select
        mql_cycles.*,
        coalesce(country_territories.territory, region_territories.territory) as territory,
        country_territories.territory as country_territory,
        region_territories.territory as region_territory,
        coalesce(ruled_by_country.territory, ruled_by_region.territory) as routed_territory,
        score_bands.score_band,
        segments.segment
    from mql_cycles
    left join country_territories
        on mql_cycles.country = country_territories.country
    left join region_territories
        on mql_cycles.region = region_territories.region
    left join ruled_territories as ruled_by_country
        on country_territories.territory = ruled_by_country.territory
    left join ruled_territories as ruled_by_region
        on region_territories.territory = ruled_by_region.territory
    left join score_bands
        on
            (score_bands.min_score is null or mql_cycles.score_at_mql >= score_bands.min_score)
            and (score_bands.max_score is null or mql_cycles.score_at_mql < score_bands.max_score)
            and mql_cycles.score_at_mql is not null
    left join segments
        on mql_cycles.employee_band = segments.employee_band
),

rules_ranked as (
    select
        classified.lead_id,
        classified.scoring_model,
        classified.cycle_number,
        routing_rules.routing_rule_id,
        routing_rules.queue,
        routing_rules.owner_id as rule_owner_id,
        routing_rules.sla_hours,
        row_number() over (
            partition by classified.lead_id, classified.scoring_model, classified.cycle_number
            order by
                (
                    case when routing_rules.territory is not null then 1 else 0 end
                    + case when routing_rules.score_band is not null then 1 else 0 end
                    + case when routing_rules.segment is not null then 1 else 0 end
                ) desc,
                routing_rules.routing_rule_id asc
        ) as rule_rank
    from classified
    inner join routing_rules
        on
            (routing_rules.territory is null or classified.routed_territory = routing_rules.territory)
            and (routing_rules.score_band is null or classified.score_band = routing_rules.score_band)
            and (routing_rules.segment is null or classified.segment = routing_rules.segment)
),

matched as (
    select
        classified.*,
        rules_ranked.routing_rule_id,
        rules_ranked.queue,
        rules_ranked.rule_owner_id,
        coalesce(rules_ranked.sla_hours, {{ var('sla_hours') }}) as sla_hours
    from classified
    left join rules_ranked
        on
            classified.lead_id = rules_ranked.lead_id
            and classified.scoring_model = rules_ranked.scoring_model
            and classified.cycle_number = rules_ranked.cycle_number
            and rules_ranked.rule_rank = 1
),

-- the named owner's roster rows: listed at all, active on the assignment day, time zone
named_owner_roster as (
    select
        matched.lead_id,
        matched.scoring_model,
        matched.cycle_number,
        count(*) as roster_rows,
        count(
            case
                when
                    (routing_reps.active_from is null or routing_reps.active_from <= matched.assignment_date)
                    and (routing_reps.active_to is null or routing_reps.active_to >= matched.assignment_date)
                    then 1
            end
        ) as active_rows,
        min(routing_reps.time_zone) as time_zone
    from matched
    inner join routing_reps
        on matched.rule_owner_id = routing_reps.rep_id
    group by matched.lead_id, matched.scoring_model, matched.cycle_number
),

with_named_owner as (
    select
        matched.*,
        matched.rule_owner_id is not null
        and coalesce(named_owner_roster.active_rows, 1) > 0 as is_named_owner_available,
        named_owner_roster.time_zone as named_owner_time_zone
    from matched
    left join named_owner_roster
        on
            matched.lead_id = named_owner_roster.lead_id
            and matched.scoring_model = named_owner_roster.scoring_model
            and matched.cycle_number = named_owner_roster.cycle_number
),

-- MQLs assigned by round robin, numbered per scoring model and queue over all days (the
-- round robin's cursor) and within the day, in MQL order
queue_mqls as (
    select
        lead_id,
        scoring_model,
        cycle_number,
        queue,
        assignment_date,
        row_number() over (
            partition by scoring_model, queue
            order by marketing_qualified_at asc, lead_id asc, cycle_number asc
        ) as queue_sequence,
        row_number() over (
            partition by scoring_model, queue, assignment_date
            order by marketing_qualified_at asc, lead_id asc, cycle_number asc
        ) as day_sequence
    from with_named_owner
    where queue is not null and not is_named_owner_available
),

queue_days as (
    select
        scoring_model,
        queue,
        assignment_date,
        {{ dbt.datediff("cast('2000-01-01' as date)", 'assignment_date', 'day') }} as day_number -- noqa: LT05
    from queue_mqls
    group by scoring_model, queue, assignment_date
),

-- the queue's reps active on the day, numbered by rep id
active_reps as (
    select
        queue_days.scoring_model,
        queue_days.queue,
        queue_days.assignment_date,
        queue_days.day_number,
        routing_reps.rep_id,
        routing_reps.weight,
        routing_reps.capacity_per_day,
        routing_reps.time_zone,
        row_number() over (
            partition by queue_days.scoring_model, queue_days.queue, queue_days.assignment_date
            order by routing_reps.rep_id asc
        ) - 1 as rep_index,
        count(*) over (
            partition by queue_days.scoring_model, queue_days.queue, queue_days.assignment_date
        ) as active_rep_count
    from queue_days
    inner join routing_reps
        on
            queue_days.queue = routing_reps.queue
            and (routing_reps.active_from is null or queue_days.assignment_date >= routing_reps.active_from)
            and (routing_reps.active_to is null or queue_days.assignment_date <= routing_reps.active_to)
            and routing_reps.weight > 0
),

weight_units as (
    {{ dbt.generate_series(100) }}
),

-- the day's round-robin pattern: a rep of weight w holds w of its slots, spread at
-- (j + 0.5) / w, j = 0 .. w - 1, so weights 2, 1, 1 give A B A C (ties to the rep id)
patterns as (
    select
        active_reps.scoring_model,
        active_reps.queue,
        active_reps.assignment_date,
        active_reps.rep_id,
        row_number() over (
            partition by active_reps.scoring_model, active_reps.queue, active_reps.assignment_date
            order by (weight_units.generated_number - 0.5) / active_reps.weight asc, active_reps.rep_id asc
        ) - 1 as pattern_position,
        count(*) over (
            partition by active_reps.scoring_model, active_reps.queue, active_reps.assignment_date
        ) as pattern_length
    from active_reps
    inner join weight_units
        on active_reps.weight >= weight_units.generated_number
),

-- first pass: the queue's n-th MQL takes position (n - 1) mod the pattern's length
first_pass as (
    select
        queue_mqls.lead_id,
        queue_mqls.scoring_model,
        queue_mqls.cycle_number,
        queue_mqls.queue,
        queue_mqls.assignment_date,
        queue_mqls.queue_sequence,
        patterns.rep_id,
        row_number() over (
            partition by
                queue_mqls.scoring_model, queue_mqls.queue, queue_mqls.assignment_date, patterns.rep_id
            order by queue_mqls.queue_sequence asc
        ) - 1 as rep_day_number
    from queue_mqls
    inner join patterns
        on
            queue_mqls.scoring_model = patterns.scoring_model
            and queue_mqls.queue = patterns.queue
            and queue_mqls.assignment_date = patterns.assignment_date
            and mod(queue_mqls.queue_sequence - 1, patterns.pattern_length) = patterns.pattern_position -- noqa: ST09, LT05
),

first_pass_capped as (
    select
        first_pass.*,
        active_reps.capacity_per_day is null
        or first_pass.rep_day_number < active_reps.capacity_per_day as is_kept
    from first_pass
    inner join active_reps
        on
            first_pass.scoring_model = active_reps.scoring_model
            and first_pass.queue = active_reps.queue
            and first_pass.assignment_date = active_reps.assignment_date
            and first_pass.rep_id = active_reps.rep_id
),

-- MQLs past their rep's capacity, numbered per queue and day
overflow as (
    select
        lead_id,
        scoring_model,
        cycle_number,
        queue,
        assignment_date,
        row_number() over (
            partition by scoring_model, queue, assignment_date
            order by queue_sequence asc
        ) as overflow_number
    from first_pass_capped
    where not is_kept
),

kept_counts as (
    select
        scoring_model,
        queue,
        assignment_date,
        rep_id,
        count(*) as kept_count
    from first_pass_capped
    where is_kept
    group by scoring_model, queue, assignment_date, rep_id
),

-- second pass, only on days with overflow: every rep offers its spare slots (k = 0, 1, ...
-- for k < capacity - kept) at (k + phase) / weight, the phase rotating with the day, and
-- after them slots past capacity; the overflow takes them in order
spare_slots as (
    select
        active_reps.scoring_model,
        active_reps.queue,
        active_reps.assignment_date,
        active_reps.rep_id,
        active_reps.capacity_per_day is null
        or coalesce(kept_counts.kept_count, 0) + queue_mqls.day_sequence - 1 < active_reps.capacity_per_day
            as is_within_capacity,
        (
            case
                when
                    active_reps.capacity_per_day is null
                    or coalesce(kept_counts.kept_count, 0) + queue_mqls.day_sequence - 1
                    < active_reps.capacity_per_day
                    then queue_mqls.day_sequence - 1
                else
                    coalesce(kept_counts.kept_count, 0) + queue_mqls.day_sequence - 1
                    - active_reps.capacity_per_day
            end
            + (
                mod(active_reps.rep_index + active_reps.day_number, active_reps.active_rep_count) + 0.5
            ) / active_reps.active_rep_count
        ) / active_reps.weight as slot_position
    from active_reps
    left join kept_counts
        on
            active_reps.scoring_model = kept_counts.scoring_model
            and active_reps.queue = kept_counts.queue
            and active_reps.assignment_date = kept_counts.assignment_date
            and active_reps.rep_id = kept_counts.rep_id
    inner join queue_mqls
        on
            active_reps.scoring_model = queue_mqls.scoring_model
            and active_reps.queue = queue_mqls.queue
            and active_reps.assignment_date = queue_mqls.assignment_date
    where exists (
        select 1
        from overflow
        where
            overflow.scoring_model = active_reps.scoring_model
            and overflow.queue = active_reps.queue
            and overflow.assignment_date = active_reps.assignment_date
    )
),

spare_slots_ranked as (
    select
        *,
        row_number() over (
            partition by scoring_model, queue, assignment_date
            order by
                case when is_within_capacity then 0 else 1 end asc,
                slot_position asc,
                rep_id asc
        ) as slot_rank
    from spare_slots
),

round_robin as (
    select
        first_pass_capped.lead_id,
        first_pass_capped.scoring_model,
        first_pass_capped.cycle_number,
        first_pass_capped.rep_id,
        true as is_within_capacity
    from first_pass_capped
    where first_pass_capped.is_kept
    union all
    select
        overflow.lead_id,
        overflow.scoring_model,
        overflow.cycle_number,
        spare_slots_ranked.rep_id,
        spare_slots_ranked.is_within_capacity
    from overflow
    inner join spare_slots_ranked
        on
            overflow.scoring_model = spare_slots_ranked.scoring_model
            and overflow.queue = spare_slots_ranked.queue
            and overflow.assignment_date = spare_slots_ranked.assignment_date
            and overflow.overflow_number = spare_slots_ranked.slot_rank
),

round_robin_described as (
    select
        round_robin.*,
        queue_mqls.queue_sequence,
        active_reps.time_zone,
        active_reps.active_rep_count
    from round_robin
    inner join queue_mqls
        on
            round_robin.lead_id = queue_mqls.lead_id
            and round_robin.scoring_model = queue_mqls.scoring_model
            and round_robin.cycle_number = queue_mqls.cycle_number
    inner join active_reps
        on
            queue_mqls.scoring_model = active_reps.scoring_model
            and queue_mqls.queue = active_reps.queue
            and queue_mqls.assignment_date = active_reps.assignment_date
            and round_robin.rep_id = active_reps.rep_id
),

assigned as (
    select
        with_named_owner.*,
        round_robin.queue_sequence,
        round_robin.active_rep_count,
        case
            when with_named_owner.is_named_owner_available then with_named_owner.rule_owner_id
            else round_robin.rep_id
        end as owner_id,
        case
            when with_named_owner.is_named_owner_available then with_named_owner.named_owner_time_zone
            else round_robin.time_zone
        end as owner_time_zone,
        case
            when with_named_owner.queue is null then 'unrouted'
            when with_named_owner.is_named_owner_available then 'assigned_named_owner'
            when round_robin.rep_id is null then 'unassigned_no_rep'
            when round_robin.is_within_capacity then 'assigned_round_robin'
            else 'assigned_over_capacity'
        end as routing_status
    from with_named_owner
    left join round_robin_described as round_robin
        on
            with_named_owner.lead_id = round_robin.lead_id
            and with_named_owner.scoring_model = round_robin.scoring_model
            and with_named_owner.cycle_number = round_robin.cycle_number
),

explained as (
    select
        *,
        case
            when routed_territory is not null and routed_territory = country_territory
                then {{ dbt.concat(["'territory '", "routed_territory", "' by country'"]) }}
            when routed_territory is not null and country_territory is not null
                then {{ dbt.concat([
                    "'territory '", "routed_territory", "' by region (no rule for '", "country_territory", "')'"
                ]) }}
            when routed_territory is not null
                then {{ dbt.concat(["'territory '", "routed_territory", "' by region'"]) }}
            when territory is not null
                then {{ dbt.concat(["'no rule for territory '", "territory"]) }}
            else 'no territory'
        end as territory_reason,
        case
            when routing_status = 'unrouted' then 'no routing rule matches'
            when routing_status = 'assigned_named_owner'
                then {{ dbt.concat(["'owner '", "owner_id", "' named by the rule'"]) }}
            else {{ dbt.concat([
                "case when rule_owner_id is not null then "
                ~ dbt.concat(["'named owner '", "rule_owner_id", "' inactive; '"]) ~ " else '' end",
                "case routing_status"
                ~ " when 'unassigned_no_rep' then " ~ dbt.concat([
                    "'no active rep in '", "queue", "' on '", dbt.cast("assignment_date", string)
                ])
                ~ " else " ~ dbt.concat([
                    "'round robin in '", "queue", "': MQL '", dbt.cast("queue_sequence", string),
                    "' of the queue, '", dbt.cast("active_rep_count", string), "' active reps'",
                    "case when routing_status = 'assigned_over_capacity'"
                    ~ " then ', every rep at capacity' else '' end"
                ])
                ~ " end"
            ]) }}
        end as assignment_reason
    from assigned
),

-- the SLA clock's time zone: the owner's, else the lead's country's, else the default
zoned as (
    select
        explained.*,
        coalesce(
            explained.owner_time_zone, country_time_zones.time_zone, '{{ var("sla_default_time_zone") }}'
        ) as sla_time_zone,
        case
            when explained.owner_time_zone is not null then 'owner'
            when country_time_zones.time_zone is not null then 'country'
            else 'default'
        end as sla_time_zone_source
    from explained
    left join country_time_zones
        on explained.country = country_time_zones.country
),

final as (
    select
        lead_id,
        scoring_model,
        cycle_number,
        marketing_qualified_at,
        assignment_date,
        score_at_mql,
        country,
        region,
        territory,
        country_territory,
        region_territory,
        routed_territory,
        score_band,
        segment,
        routing_rule_id,
        queue,
        rule_owner_id,
        owner_id,
        owner_time_zone,
        sla_time_zone,
        sla_time_zone_source,
        routing_status,
        case
            when routing_rule_id is null then assignment_reason
            else {{ dbt.concat([
                "'rule '", "routing_rule_id", "' ('", "territory_reason",
                "case when score_band is not null then " ~ dbt.concat(["', score band '", "score_band"]) ~ " else '' end",
                "case when segment is not null then " ~ dbt.concat(["', segment '", "segment"]) ~ " else '' end",
                "'); '", "assignment_reason"
            ]) }}
        end as routing_reason,
        sla_hours
    from zoned
)

select * from final
