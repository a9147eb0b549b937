-- Per scoring model and threshold (0, 5, ..., 100): an honest backtest of the MQL threshold.
-- The population is one set of leads per model: every surviving lead whose outcome window
-- (var calibration_outcome_days after its creation) has ended by the as-of moment. Each is
-- scored as it stood at the horizon (var calibration_horizon_days after its creation), using
-- only the scoring events up to then: its backtest score is the highest lead score it reached
-- by the horizon at an event where every MQL condition but the threshold held (fit gate, not
-- disqualified, not suppressed, enough behaviour, recent activity where the model asks for
-- it); a lead that never passed those has none and ranks below every scored lead. Its outcome
-- is reaching SQL (or an opportunity, or a win) and winning, within the outcome window.
-- A threshold's would-be MQLs are the leads whose backtest score reached it; per threshold
-- the score band, precision (MQL->SQL rate), recall (share of SQLs captured) and lift (over
-- the population's rate), and per model the AUC. The recommended threshold is the lowest above
-- 0, with at least var calibration_min_mqls would-be MQLs, whose MQL->SQL rate lies in the
-- target band (vars calibration_target_mql_to_sql_*), among the thresholds that bind (turn
-- away a lead the gates let through); when none does it is null and recommendation_note says
-- which way the band is missed.
{%- set thresholds = range(0, 101, 5) %}
{%- set double = lf_engine_type('double') %}
{%- set string = dbt.type_string() %}
{%- set horizon_days = var('calibration_horizon_days') | int %}
{%- set outcome_days = var('calibration_outcome_days') | int %}
{%- set min_mqls = var('calibration_min_mqls') | int %}
{%- set target_low = var('calibration_target_mql_to_sql_low') %}
{%- set target_high = var('calibration_target_mql_to_sql_high') %}
{%- if outcome_days < horizon_days %}
    {{ exceptions.raise_compiler_error(
        'var calibration_outcome_days (' ~ outcome_days ~ ') must be at least '
        ~ 'calibration_horizon_days (' ~ horizon_days ~ ')'
    ) }}
{%- endif %}

with

lead_scores as (
    select * from {{ ref('fct_lead_scores') }}
),

leads as (
    select * from {{ ref('dim_leads') }}
),

score_history as (
    select * from {{ ref('int_lead_scores_at_each_event') }}
),

mql_cycles as (
    select * from {{ ref('fct_mql_cycles') }}
),

scoring_models as (
    select * from {{ ref('scoring_models') }}
),

threshold_list as (
    {%- for threshold in thresholds %}
        select {{ threshold }} as threshold{{ ' union all' if not loop.last }}
    {%- endfor %}
),

grid as (
    select
        scoring_models.scoring_model,
        threshold_list.threshold
    from scoring_models
    cross join threshold_list
),

candidates as (
    select
        lead_scores.lead_id,
        lead_scores.scoring_model,
        lead_scores.scored_as_of,
        {{ dbt.dateadd('day', horizon_days, 'leads.created_at') }} as horizon_at,
        {{ dbt.dateadd('day', outcome_days, 'leads.created_at') }} as outcome_window_ends_at
    from lead_scores
    inner join leads
        on lead_scores.lead_id = leads.lead_id
),

maturity as (
    select
        scoring_models.scoring_model,
        count(
            case when candidates.outcome_window_ends_at <= candidates.scored_as_of then 1 end
        ) as leads_scored,
        count(
            case when candidates.outcome_window_ends_at > candidates.scored_as_of then 1 end
        ) as leads_immature
    from scoring_models
    left join candidates
        on scoring_models.scoring_model = candidates.scoring_model
    group by scoring_models.scoring_model
),

mature as (
    select * from candidates
    where outcome_window_ends_at <= scored_as_of
),

-- the highest score reached by the horizon with every MQL condition but the threshold holding
backtest_scores as (
    select
        mature.lead_id,
        mature.scoring_model,
        max(score_history.lead_score) as backtest_score
    from mature
    inner join score_history
        on
            mature.lead_id = score_history.lead_id
            and mature.scoring_model = score_history.scoring_model
    inner join scoring_models
        on mature.scoring_model = scoring_models.scoring_model
    where
        score_history.occurred_at <= mature.horizon_at
        and not score_history.is_fit_disqualified
        and not score_history.is_suppressed
        and score_history.fit_score >= scoring_models.min_fit_score
        and score_history.engagement_score + score_history.intent_score + score_history.negative_score
        >= coalesce(scoring_models.min_behavior_score, 0) - 1e-9
        and (
            scoring_models.requires_activity_within_days is null
            or {{ lf_epoch_seconds('score_history.occurred_at') }} - score_history.last_engaged_epoch
            <= scoring_models.requires_activity_within_days * 86400.0
        )
    group by mature.lead_id, mature.scoring_model
),

outcomes as (
    select
        mature.lead_id,
        mature.scoring_model,
        max(
            case
                when
                    mql_cycles.sales_qualified_at <= mature.outcome_window_ends_at
                    or mql_cycles.opportunity_created_at <= mature.outcome_window_ends_at
                    or mql_cycles.closed_won_at <= mature.outcome_window_ends_at
                    then 1
                else 0
            end
        ) as reached_sql,
        max(case when mql_cycles.closed_won_at <= mature.outcome_window_ends_at then 1 else 0 end)
            as reached_won
    from mature
    inner join mql_cycles
        on
            mature.lead_id = mql_cycles.lead_id
            and mature.scoring_model = mql_cycles.scoring_model
    group by mature.lead_id, mature.scoring_model
),

population as (
    select
        mature.lead_id,
        mature.scoring_model,
        backtest_scores.backtest_score,
        coalesce(outcomes.reached_sql, 0) as reached_sql,
        coalesce(outcomes.reached_won, 0) as reached_won
    from mature
    left join backtest_scores
        on
            mature.lead_id = backtest_scores.lead_id
            and mature.scoring_model = backtest_scores.scoring_model
    left join outcomes
        on
            mature.lead_id = outcomes.lead_id
            and mature.scoring_model = outcomes.scoring_model
),

-- leads without a backtest score rank below every scored lead (scores are 0 to 100)
ranked as (
    select
        scoring_model,
        reached_sql,
        reached_won,
        rank() over (partition by scoring_model order by coalesce(backtest_score, -1) asc)
        + (count(*) over (partition by scoring_model, coalesce(backtest_score, -1)) - 1) / 2.0
            as average_rank
    from population
),

model_totals as (
    select
        scoring_models.scoring_model,
        count(ranked.scoring_model) as leads_in_population,
        coalesce(sum(ranked.reached_sql), 0) as total_sqls,
        coalesce(sum(ranked.reached_won), 0) as total_wins,
        sum(case when ranked.reached_sql = 1 then ranked.average_rank else 0 end) as sql_rank_sum,
        sum(case when ranked.reached_won = 1 then ranked.average_rank else 0 end) as won_rank_sum
    from scoring_models
    left join ranked
        on scoring_models.scoring_model = ranked.scoring_model
    group by scoring_models.scoring_model
),

auc as (
    select
        scoring_model,
        total_sqls,
        total_wins,
        {{ lf_ratio('total_sqls', 'leads_in_population') }} as base_sql_rate,
        {{ lf_ratio('total_wins', 'leads_in_population') }} as base_won_rate,
        {{ lf_ratio(
            '(sql_rank_sum - total_sqls * (total_sqls + 1) / 2.0)',
            '(cast(total_sqls as ' ~ double ~ ') * (leads_in_population - total_sqls))'
        ) }} as auc_sql,
        {{ lf_ratio(
            '(won_rank_sum - total_wins * (total_wins + 1) / 2.0)',
            '(cast(total_wins as ' ~ double ~ ') * (leads_in_population - total_wins))'
        ) }} as auc_won
    from model_totals
),

flagged as (
    select
        population.scoring_model,
        threshold_list.threshold,
        population.reached_sql,
        population.reached_won,
        coalesce(population.backtest_score >= threshold_list.threshold - 1e-9, false) as is_at_or_above,
        coalesce(
            population.backtest_score >= threshold_list.threshold - 1e-9
            and (
                threshold_list.threshold = 100
                or population.backtest_score < threshold_list.threshold + 5 - 1e-9
            ),
            false
        ) as is_in_band
    from population
    cross join threshold_list
),

sweep as (
    select
        grid.scoring_model,
        grid.threshold,
        sum(case when flagged.is_at_or_above then 1 else 0 end) as would_be_mqls,
        sum(case when flagged.is_at_or_above then flagged.reached_sql else 0 end) as would_be_mql_sqls,
        sum(case when flagged.is_at_or_above then flagged.reached_won else 0 end) as would_be_mql_wins,
        sum(case when flagged.is_in_band then 1 else 0 end) as band_leads,
        sum(case when flagged.is_in_band then flagged.reached_sql else 0 end) as band_sqls,
        sum(case when flagged.is_in_band then flagged.reached_won else 0 end) as band_wins
    from grid
    left join flagged
        on
            grid.scoring_model = flagged.scoring_model
            and grid.threshold = flagged.threshold
    group by grid.scoring_model, grid.threshold
),

rated as (
    select
        sweep.*,
        {{ lf_ratio('sweep.band_sqls', 'sweep.band_leads') }} as band_sql_rate,
        {{ lf_ratio('sweep.band_wins', 'sweep.band_leads') }} as band_won_rate,
        {{ lf_ratio('sweep.would_be_mql_sqls', 'sweep.would_be_mqls') }} as mql_to_sql_rate,
        {{ lf_ratio('sweep.would_be_mql_wins', 'sweep.would_be_mqls') }} as precision_won,
        {{ lf_ratio('sweep.would_be_mql_sqls', 'auc.total_sqls') }} as recall_sql,
        {{ lf_ratio('sweep.would_be_mql_wins', 'auc.total_wins') }} as recall_won,
        cast({{ target_low }} as {{ double }}) as target_mql_to_sql_low,
        cast({{ target_high }} as {{ double }}) as target_mql_to_sql_high,
        -- a candidate turns away at least one lead the gates let through (the sweep's largest
        -- count is at threshold 0) and keeps enough would-be MQLs to judge
        sweep.threshold > 0
        and sweep.would_be_mqls < max(sweep.would_be_mqls) over (partition by sweep.scoring_model)
        and sweep.would_be_mqls >= {{ min_mqls }} as is_candidate
    from sweep
    inner join auc
        on sweep.scoring_model = auc.scoring_model
),

lifted as (
    select
        rated.*,
        {{ lf_ratio('rated.mql_to_sql_rate', 'auc.base_sql_rate') }} as lift_sql,
        {{ lf_ratio('rated.precision_won', 'auc.base_won_rate') }} as lift_won,
        coalesce(
            rated.mql_to_sql_rate >= rated.target_mql_to_sql_low - 1e-12
            and rated.mql_to_sql_rate <= rated.target_mql_to_sql_high + 1e-12,
            false
        ) as is_in_target_band
    from rated
    inner join auc
        on rated.scoring_model = auc.scoring_model
),

-- the candidates' position against the band: the recommendation, or which way it is missed
band_positions as (
    select
        scoring_model,
        count(case when is_candidate then 1 end) as candidates,
        min(case when is_candidate and is_in_target_band then threshold end) as recommended_threshold,
        min(case when is_candidate then threshold end) as lowest_candidate,
        max(case when is_candidate then threshold end) as highest_candidate,
        count(
            case when is_candidate and mql_to_sql_rate > target_mql_to_sql_high then 1 end
        ) as candidates_above,
        count(
            case when is_candidate and mql_to_sql_rate < target_mql_to_sql_low then 1 end
        ) as candidates_below,
        max(
            case when is_candidate and mql_to_sql_rate < target_mql_to_sql_low then threshold end
        ) as highest_below
    from lifted
    group by scoring_model
),

best_rates as (
    select
        scoring_model,
        max(mql_to_sql_rate) as best_rate
    from lifted
    where is_candidate
    group by scoring_model
),

best_below as (
    select
        lifted.scoring_model,
        min(lifted.threshold) as best_threshold
    from lifted
    inner join best_rates
        on
            lifted.scoring_model = best_rates.scoring_model
            and lifted.mql_to_sql_rate = best_rates.best_rate
    where lifted.is_candidate
    group by lifted.scoring_model
),

first_above as (
    select
        lifted.scoring_model,
        min(lifted.threshold) as first_above_threshold
    from lifted
    inner join band_positions
        on lifted.scoring_model = band_positions.scoring_model
    where
        lifted.is_candidate
        and lifted.mql_to_sql_rate > lifted.target_mql_to_sql_high
        and lifted.threshold > coalesce(band_positions.highest_below, -1)
    group by lifted.scoring_model
),

recommendations as (
    select
        band_positions.scoring_model,
        band_positions.recommended_threshold,
        case
            when band_positions.recommended_threshold is not null then 'in_band'
            when band_positions.candidates = 0 then 'too_few_leads'
            when band_positions.candidates_above = band_positions.candidates then 'above_band'
            when band_positions.candidates_below = band_positions.candidates then 'below_band'
            else 'jumps_over_band'
        end as recommendation_status,
        band_positions.lowest_candidate,
        band_positions.highest_below,
        first_above.first_above_threshold,
        best_below.best_threshold
    from band_positions
    left join first_above
        on band_positions.scoring_model = first_above.scoring_model
    left join best_below
        on band_positions.scoring_model = best_below.scoring_model
),

noted as (
    select
        recommendations.*,
        case recommendations.recommendation_status
            when 'in_band' then {{ dbt.concat([
                "'Threshold '", dbt.cast('recommendations.recommended_threshold', string),
                "' is the lowest whose would-be MQLs convert to SQL within the target band.'"
            ]) }}
            when 'too_few_leads' then {{ dbt.concat([
                "'No threshold both turns away a lead that the gates let through and keeps "
                ~ min_mqls ~ " or more would-be MQLs among the leads whose " ~ outcome_days
                ~ "-day outcome window has ended: too little history to recommend one.'"
            ]) }}
            when 'above_band' then {{ dbt.concat([
                "'No threshold lands in the target band: it is missed from above. Every "
                ~ "threshold from '", dbt.cast('recommendations.lowest_candidate', string),
                "' converts to SQL above the upper end of the band: these leads convert better "
                ~ "than the band asks, so raise the band (vars calibration_target_mql_to_sql_*) "
                ~ "or MQL more leads.'"
            ]) }}
            when 'below_band' then {{ dbt.concat([
                "'No threshold lands in the target band: it is missed from below. No threshold "
                ~ "reaches the lower end of the band (the best MQL->SQL rate is at threshold '",
                dbt.cast('recommendations.best_threshold', string),
                "'): the score does not separate SQLs well enough; review the rules.'"
            ]) }}
            else {{ dbt.concat([
                "'No threshold lands in the target band: the MQL->SQL rate jumps over it, "
                ~ "from below the band at threshold '",
                dbt.cast('recommendations.highest_below', string),
                "' to above it at threshold '",
                "coalesce(" ~ dbt.cast('recommendations.first_above_threshold', string) ~ ", '?')",
                "'; a finer threshold between them may land in it.'"
            ]) }}
        end as recommendation_note
    from recommendations
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            "lifted.scoring_model", "'|'", dbt.cast("lifted.threshold", api.Column.translate_type("string"))
        ])) }} as threshold_calibration_id,
        lifted.scoring_model,
        scoring_models.mql_threshold as current_mql_threshold,
        lifted.threshold,
        coalesce(lifted.threshold = scoring_models.mql_threshold, false) as is_current_threshold,
        lifted.threshold as band_low,
        case when lifted.threshold = 100 then 100 else lifted.threshold + 5 end as band_high,
        {{ horizon_days }} as horizon_days,
        {{ outcome_days }} as outcome_window_days,
        cast(lifted.band_leads as {{ dbt.type_bigint() }}) as band_leads,
        cast(lifted.band_sqls as {{ dbt.type_bigint() }}) as band_sqls,
        cast(lifted.band_wins as {{ dbt.type_bigint() }}) as band_wins,
        lifted.band_sql_rate,
        lifted.band_won_rate,
        cast(lifted.would_be_mqls as {{ dbt.type_bigint() }}) as would_be_mqls,
        cast(lifted.would_be_mql_sqls as {{ dbt.type_bigint() }}) as would_be_mql_sqls,
        cast(lifted.would_be_mql_wins as {{ dbt.type_bigint() }}) as would_be_mql_wins,
        lifted.mql_to_sql_rate,
        lifted.mql_to_sql_rate as precision_sql,
        lifted.recall_sql,
        lifted.lift_sql,
        lifted.precision_won,
        lifted.recall_won,
        lifted.recall_won as share_of_wins_captured,
        lifted.lift_won,
        lifted.target_mql_to_sql_low,
        lifted.target_mql_to_sql_high,
        lifted.is_in_target_band,
        noted.recommended_threshold,
        coalesce(lifted.threshold = noted.recommended_threshold, false) as is_recommended_threshold,
        noted.recommendation_status,
        noted.recommendation_note,
        cast(maturity.leads_scored as {{ dbt.type_bigint() }}) as leads_scored,
        cast(maturity.leads_immature as {{ dbt.type_bigint() }}) as leads_immature,
        cast(auc.total_sqls as {{ dbt.type_bigint() }}) as total_sqls,
        cast(auc.total_wins as {{ dbt.type_bigint() }}) as total_wins,
        auc.base_sql_rate,
        auc.base_won_rate,
        auc.auc_sql,
        auc.auc_won
    from lifted
    inner join auc
        on lifted.scoring_model = auc.scoring_model
    inner join maturity
        on lifted.scoring_model = maturity.scoring_model
    inner join scoring_models
        on lifted.scoring_model = scoring_models.scoring_model
    inner join noted
        on lifted.scoring_model = noted.scoring_model
)

select * from final
