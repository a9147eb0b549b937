-- How the score history adds up behaviour: one row per scoring model, behaviour rule and
-- accumulator the rule feeds. Rules sharing a dimension, a score group and a decay class share
-- an accumulator: `exp` (a half-life: a running sum of points * exp(k * t)), `flat` (no decay
-- or a lifespan: a running sum of points) or, for linear decay, `linear_level` and
-- `linear_slope`. Each model's accumulators are numbered 1..n and its score groups 1..m (a
-- dimension's ungrouped rules form a group without a maximum), the layout
-- int_lead_scores_at_each_event reads. Rules: seeds/scoring/scoring_behavior_rules.csv.
{{ config(materialized='table') }}

with

behavior_rules as (
    select * from {{ ref('scoring_behavior_rules') }}
),

scoring_groups as (
    select * from {{ ref('scoring_groups') }}
),

rules as (
    select
        scoring_model,
        rule_id,
        dimension,
        score_group,
        decay_kind,
        case
            when decay_kind = 'half_life' then ln(2.0) / (half_life_days * 86400.0)
            else 0.0
        end as decay_per_second,
        case
            when decay_kind = 'linear' then linear_decay_days * 86400.0
            when decay_kind in ('lifespan', 'half_life') then lifespan_days * 86400.0
        end as expires_after_seconds,
        case
            when decay_kind = 'half_life' then 'exp'
            when decay_kind = 'linear' then 'linear_level'
            else 'flat'
        end as accumulator_kind
    from behavior_rules
),

rule_parts as (
    select * from rules
    union all
    select
        scoring_model,
        rule_id,
        dimension,
        score_group,
        decay_kind,
        decay_per_second,
        expires_after_seconds,
        'linear_slope' as accumulator_kind
    from rules
    where decay_kind = 'linear'
),

numbered as (
    select
        rule_parts.*,
        scoring_groups.max_points as group_max_points,
        dense_rank() over (
            partition by rule_parts.scoring_model
            order by
                rule_parts.dimension, coalesce(rule_parts.score_group, ''),
                rule_parts.accumulator_kind, rule_parts.decay_per_second
        ) as accumulator_index,
        dense_rank() over (
            partition by rule_parts.scoring_model
            order by rule_parts.dimension, coalesce(rule_parts.score_group, '')
        ) as group_index,
        max(rule_parts.decay_per_second) over (partition by rule_parts.scoring_model)
            as model_max_decay_per_second
    from rule_parts
    left join scoring_groups
        on
            rule_parts.scoring_model = scoring_groups.scoring_model
            and rule_parts.score_group = scoring_groups.score_group
),

final as (
    select
        scoring_model,
        rule_id,
        accumulator_kind,
        accumulator_index,
        group_index,
        dimension,
        score_group,
        group_max_points,
        decay_per_second,
        expires_after_seconds,
        -- Time is cut into buckets in which exp(k * (t - bucket start)) stays below exp(300)
        -- for the model's fastest decay; without half-lives one bucket holds everything.
        case
            when model_max_decay_per_second > 0 then 300.0 / model_max_decay_per_second
            else 1e12
        end as bucket_seconds,
        -- How many later buckets an occurrence is carried into: an exp accumulator until
        -- its worth is below exp(-300) of its points, the others until they expire.
        case
            when accumulator_kind = 'exp'
                then cast(ceil(model_max_decay_per_second / decay_per_second) as {{ dbt.type_int() }})
        end as carried_buckets
    from numbered
)

select * from final
