-- What makes up each lead's score as of score_as_of: one row per surviving lead, scoring model
-- and rule that applies to it (a matched fit rule, or a behaviour rule with an occurrence).
-- The contributions of a lead and model add up to its raw score before clamping.

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
        cast(fit_rules.points as double precision) as contribution
    from fit_scored
    inner join fit_attributes
        on fit_scored.lead_id = fit_attributes.lead_id
    inner join fit_rules
        on
            fit_scored.scoring_model = fit_rules.scoring_model
            and fit_attributes.attribute = fit_rules.attribute
            and fit_attributes.attribute_value = fit_rules.attribute_value
),

occurrence_worth_at_as_of as (
    select
        occurrences.lead_id,
        occurrences.scoring_model,
        occurrences.rule_id,
        occurrences.dimension,
        occurrences.event_type,
        occurrences.is_counted,
        case
            when not occurrences.is_counted then 0.0
            when
                occurrences.lifespan_days is not null
                and {{ lf_days_between('occurrences.occurred_at', lf_score_as_of()) }}
                >= occurrences.lifespan_days
                then 0.0
            when occurrences.half_life_days is null then occurrences.points
            else occurrences.points * power(
                0.5,
                {{ lf_days_between('occurrences.occurred_at', lf_score_as_of()) }}
                / occurrences.half_life_days
            )
        end as worth
    from occurrences
    inner join fit_scored
        on
            occurrences.lead_id = fit_scored.lead_id
            and occurrences.scoring_model = fit_scored.scoring_model
),

behavior_components as (
    select
        lead_id,
        scoring_model,
        rule_id,
        'behavior' as rule_kind,
        dimension,
        event_type as matched_on,
        count(*) as occurrence_count,
        count(case when is_counted then 1 end) as counted_occurrence_count,
        sum(worth) as contribution
    from occurrence_worth_at_as_of
    group by lead_id, scoring_model, rule_id, dimension, event_type
),

unioned as (
    select * from fit_components
    union all
    select * from behavior_components
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
