-- What makes up each lead's score as of the as-of moment: one row per surviving lead, scoring
-- model and rule that applies to it (a matched fit rule, or a behaviour rule with an
-- occurrence), plus one `group_cap:<group>` row per score group whose cap removes points.
-- The contributions of a lead and model add up to its raw score before clamping. Behaviour
-- earned before the lead's latest reset (behavior_reset_at) contributes 0.

with

fit_attributes as (
    select * from {{ ref('int_lead_fit_attributes_derived') }}
),

fit_scored as (
    select * from {{ ref('int_lead_fit_scored') }}
),

fit_rules as (
    select * from {{ ref('scoring_fit_rules') }}
),

occurrences as (
    select * from {{ ref('int_engagement_events_scored') }}
),

behavior_rules as (
    select * from {{ ref('scoring_behavior_rules') }}
),

scoring_groups as (
    select * from {{ ref('scoring_groups') }}
),

current_segments as (
    select * from {{ ref('int_lead_current_segments') }}
),

fit_components as (
    select
        fit_scored.lead_id,
        fit_scored.scoring_model,
        fit_rules.rule_id,
        'fit' as rule_kind,
        'fit' as dimension,
        fit_attributes.attribute || '=' || fit_attributes.attribute_value as matched_on,
        cast(1 as {{ dbt.type_bigint() }}) as occurrence_count,
        cast(1 as {{ dbt.type_bigint() }}) as counted_occurrence_count,
        cast(fit_rules.points as {{ lf_engine_type('double') }}) as contribution
    from fit_scored
    inner join fit_attributes
        on fit_scored.lead_id = fit_attributes.lead_id
    inner join fit_rules
        on
            fit_scored.scoring_model = fit_rules.scoring_model
            and fit_attributes.attribute = fit_rules.attribute
            and fit_attributes.attribute_value = fit_rules.attribute_value
),

-- the worth of every occurrence at the as-of moment; 0 unless counted in the current segment
occurrence_worth_at_as_of as (
    select
        occurrences.lead_id,
        occurrences.scoring_model,
        occurrences.rule_id,
        -- coalesce: a segment compared with a null one is not current (null is not false)
        occurrences.is_counted
        and coalesce(
            (occurrences.behavior_reset_at is null and current_segments.behavior_reset_at is null)
            or occurrences.behavior_reset_at = current_segments.behavior_reset_at,
            false
        ) as is_current,
        {{ lf_epoch_seconds(lf_score_as_of()) }} - occurrences.occurred_epoch as age_seconds,
        occurrences.points,
        occurrences.decay_kind,
        occurrences.half_life_days,
        occurrences.lifespan_days,
        occurrences.linear_decay_days
    from occurrences
    left join current_segments
        on
            occurrences.lead_id = current_segments.lead_id
            and occurrences.scoring_model = current_segments.scoring_model
),

-- summed per lead, model and rule on narrow rows; the rule's attributes are joined afterwards
behavior_sums as (
    select
        lead_id,
        scoring_model,
        rule_id,
        count(*) as occurrence_count,
        count(case when is_current then 1 end) as counted_occurrence_count,
        sum(
            case
                when not is_current then 0.0
                when decay_kind = 'linear' and age_seconds >= linear_decay_days * 86400.0 then 0.0
                when
                    decay_kind in ('lifespan', 'half_life')
                    and lifespan_days is not null
                    and age_seconds >= lifespan_days * 86400.0
                    then 0.0
                -- 0.5^1075 is below the smallest double: 0 on every engine (PostgreSQL
                -- would raise an underflow error instead of returning it).
                when decay_kind = 'half_life' and (age_seconds / 86400.0) / half_life_days >= 1075
                    then 0.0
                when decay_kind = 'half_life'
                    then points * power(0.5, (age_seconds / 86400.0) / half_life_days)
                when decay_kind = 'linear'
                    then points * (1.0 - (age_seconds / 86400.0) / linear_decay_days)
                else points
            end
        ) as contribution
    from occurrence_worth_at_as_of
    group by lead_id, scoring_model, rule_id
),

behavior_components as (
    select
        behavior_sums.lead_id,
        behavior_sums.scoring_model,
        behavior_sums.rule_id,
        'behavior' as rule_kind,
        behavior_rules.dimension,
        behavior_rules.event_type as matched_on,
        behavior_sums.occurrence_count,
        behavior_sums.counted_occurrence_count,
        behavior_sums.contribution,
        behavior_rules.score_group
    from behavior_sums
    inner join fit_scored
        on
            behavior_sums.lead_id = fit_scored.lead_id
            and behavior_sums.scoring_model = fit_scored.scoring_model
    inner join behavior_rules
        on
            behavior_sums.scoring_model = behavior_rules.scoring_model
            and behavior_sums.rule_id = behavior_rules.rule_id
),

group_totals as (
    select
        behavior_components.lead_id,
        behavior_components.scoring_model,
        behavior_components.score_group,
        behavior_components.dimension,
        scoring_groups.max_points,
        sum(behavior_components.contribution) as group_contribution
    from behavior_components
    inner join scoring_groups
        on
            behavior_components.scoring_model = scoring_groups.scoring_model
            and behavior_components.score_group = scoring_groups.score_group
    group by
        behavior_components.lead_id,
        behavior_components.scoring_model,
        behavior_components.score_group,
        behavior_components.dimension,
        scoring_groups.max_points
),

group_cap_components as (
    select
        lead_id,
        scoring_model,
        'group_cap:' || score_group as rule_id,
        'group_cap' as rule_kind,
        dimension,
        score_group as matched_on,
        cast(0 as {{ dbt.type_bigint() }}) as occurrence_count,
        cast(0 as {{ dbt.type_bigint() }}) as counted_occurrence_count,
        max_points - group_contribution as contribution
    from group_totals
    where max_points is not null and group_contribution > max_points
),

unioned as (
    select * from fit_components
    union all
    select
        lead_id,
        scoring_model,
        rule_id,
        rule_kind,
        dimension,
        matched_on,
        occurrence_count,
        counted_occurrence_count,
        contribution
    from behavior_components
    union all
    select * from group_cap_components
),

final as (
    select
        {{ dbt.hash(dbt.concat(["lead_id", "'|'", "scoring_model", "'|'", "rule_id"])) }}
            as lead_score_component_id,
        lead_id,
        scoring_model,
        rule_id,
        rule_kind,
        dimension,
        matched_on,
        occurrence_count,
        counted_occurrence_count,
        contribution,
        {{ lf_score_as_of() }} as scored_as_of
    from unioned
)

select * from final
