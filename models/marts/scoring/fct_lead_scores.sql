-- One row per surviving lead and scoring model: the score as of the as-of moment by dimension,
-- clamped to 0-100, its grade, suppression and recency, and the lead's MQL moment as chosen by
-- var mql_source. The dimensions are the sums of fct_lead_score_components (group caps
-- included), so every number can be explained.

with

fit_scored as (
    select * from {{ ref('int_lead_fit_scored') }}
),

components as (
    select * from {{ ref('fct_lead_score_components') }}
),

mql_moments as (
    select * from {{ ref('int_lead_mql_moments') }}
),

grade_bands as (
    select * from {{ ref('scoring_grade_bands') }}
),

occurrences as (
    select * from {{ ref('int_engagement_events_scored') }}
),

suppression_periods as (
    select * from {{ ref('int_lead_suppression_periods') }}
),

current_segments as (
    select * from {{ ref('int_lead_current_segments') }}
),

last_engagements as (
    select
        lead_id,
        scoring_model,
        max(occurred_at) as last_engaged_at
    from occurrences
    where points > 0
    group by lead_id, scoring_model
),

active_suppressions as (
    select
        lead_id,
        scoring_model,
        suppressed_reason,
        row_number() over (
            partition by lead_id, scoring_model
            order by suppressed_at desc, suppressing_event_id desc
        ) as suppression_rank
    from suppression_periods
    where lifted_at is null
),

behavior_totals as (
    select
        lead_id,
        scoring_model,
        sum(case when dimension = 'engagement' then contribution else 0 end) as engagement_score,
        sum(case when dimension = 'intent' then contribution else 0 end) as intent_score,
        sum(case when dimension = 'negative' then contribution else 0 end) as negative_score
    from components
    where rule_kind in ('behavior', 'group_cap')
    group by lead_id, scoring_model
),

scored as (
    select
        fit_scored.lead_id,
        fit_scored.scoring_model,
        fit_scored.fit_score,
        coalesce(behavior_totals.engagement_score, 0) as engagement_score,
        coalesce(behavior_totals.intent_score, 0) as intent_score,
        coalesce(behavior_totals.negative_score, 0) as negative_score,
        fit_scored.is_fit_disqualified
    from fit_scored
    left join behavior_totals
        on
            fit_scored.lead_id = behavior_totals.lead_id
            and fit_scored.scoring_model = behavior_totals.scoring_model
),

totals as (
    select
        *,
        fit_score + engagement_score + intent_score + negative_score as raw_score,
        least(100.0, greatest(0.0, fit_score + engagement_score + intent_score + negative_score))
            as lead_score,
        engagement_score + intent_score + negative_score as behavior_score
    from scored
),

graded as (
    select
        totals.*,
        case when totals.is_fit_disqualified then 'D' else fit_bands.grade end as fit_grade,
        engagement_bands.grade as engagement_grade
    from totals
    left join grade_bands as fit_bands
        on
            totals.scoring_model = fit_bands.scoring_model
            and fit_bands.grade_dimension = 'fit'
            and (fit_bands.min_score is null or totals.fit_score >= fit_bands.min_score)
            and (fit_bands.max_score is null or totals.fit_score < fit_bands.max_score)
    left join grade_bands as engagement_bands
        on
            totals.scoring_model = engagement_bands.scoring_model
            and engagement_bands.grade_dimension = 'engagement'
            and (engagement_bands.min_score is null or totals.behavior_score >= engagement_bands.min_score)
            and (engagement_bands.max_score is null or totals.behavior_score < engagement_bands.max_score)
),

final as (
    select
        {{ dbt.hash(dbt.concat(["graded.lead_id", "'|'", "graded.scoring_model"])) }} as lead_score_id,
        graded.lead_id,
        graded.scoring_model,
        graded.fit_score,
        graded.engagement_score,
        graded.intent_score,
        graded.negative_score,
        graded.raw_score,
        graded.lead_score,
        graded.fit_grade,
        graded.engagement_grade,
        graded.fit_grade || graded.engagement_grade as lead_grade,
        graded.is_fit_disqualified,
        mql_moments.marketing_qualified_at is not null as is_marketing_qualified,
        mql_moments.marketing_qualified_at,
        mql_moments.mql_trigger,
        mql_moments.mql_trigger_event_id,
        mql_moments.mql_trigger_event_type,
        mql_moments.score_at_mql,
        mql_moments.derived_marketing_qualified_at,
        mql_moments.crm_marketing_qualified_at,
        mql_moments.pql_marketing_qualified_at,
        mql_moments.mql_source,
        current_segments.behavior_reset_at,
        active_suppressions.suppressed_reason is not null as is_suppressed,
        active_suppressions.suppressed_reason,
        last_engagements.last_engaged_at,
        {{ lf_days_between('last_engagements.last_engaged_at', lf_score_as_of()) }}
            as days_since_last_engagement,
        coalesce({{ lf_days_between('last_engagements.last_engaged_at', lf_score_as_of()) }} <= 30, false)
            as is_active_30d,
        coalesce({{ lf_days_between('last_engagements.last_engaged_at', lf_score_as_of()) }} <= 60, false)
            as is_active_60d,
        coalesce({{ lf_days_between('last_engagements.last_engaged_at', lf_score_as_of()) }} <= 90, false)
            as is_active_90d,
        {{ lf_score_as_of() }} as scored_as_of
    from graded
    inner join mql_moments
        on
            graded.lead_id = mql_moments.lead_id
            and graded.scoring_model = mql_moments.scoring_model
    left join current_segments
        on
            graded.lead_id = current_segments.lead_id
            and graded.scoring_model = current_segments.scoring_model
    left join last_engagements
        on
            graded.lead_id = last_engagements.lead_id
            and graded.scoring_model = last_engagements.scoring_model
    left join active_suppressions
        on
            graded.lead_id = active_suppressions.lead_id
            and graded.scoring_model = active_suppressions.scoring_model
            and active_suppressions.suppression_rank = 1
)

select * from final
