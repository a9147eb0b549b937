-- Per scoring model and threshold (0, 5, ..., 100): conversion by score band, the would-be MQLs
-- of a threshold sweep, the AUC of the score against reaching SQL and winning, and the lowest
-- threshold whose MQL->SQL rate reaches the target band (vars calibration_target_mql_to_sql_*).
{%- set thresholds = range(0, 101, 5) %}

with

lead_scores as (
    select * from {{ ref('fct_lead_scores') }}
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

outcomes as (
    select
        lead_id,
        scoring_model,
        max(
            case
                when
                    sales_qualified_at is not null
                    or opportunity_created_at is not null
                    or closed_won_at is not null
                    then 1
                else 0
            end
        ) as reached_sql,
        max(case when closed_won_at is not null then 1 else 0 end) as reached_won
    from mql_cycles
    group by lead_id, scoring_model
),

population as (
    select
        lead_scores.lead_id,
        lead_scores.scoring_model,
        case
            when lead_scores.is_marketing_qualified
                then coalesce(lead_scores.score_at_mql, lead_scores.lead_score)
            else lead_scores.lead_score
        end as calibration_score,
        coalesce(outcomes.reached_sql, 0) as reached_sql,
        coalesce(outcomes.reached_won, 0) as reached_won
    from lead_scores
    left join outcomes
        on
            lead_scores.lead_id = outcomes.lead_id
            and lead_scores.scoring_model = outcomes.scoring_model
),

ranked as (
    select
        scoring_model,
        reached_sql,
        reached_won,
        rank() over (partition by scoring_model order by calibration_score asc)
        + (count(*) over (partition by scoring_model, calibration_score) - 1) / 2.0 as average_rank
    from population
),

model_totals as (
    select
        scoring_model,
        count(*) as leads_scored,
        sum(reached_sql) as total_sqls,
        sum(reached_won) as total_wins,
        sum(case when reached_sql = 1 then average_rank else 0 end) as sql_rank_sum,
        sum(case when reached_won = 1 then average_rank else 0 end) as won_rank_sum
    from ranked
    group by scoring_model
),

auc as (
    select
        scoring_model,
        leads_scored,
        total_sqls,
        total_wins,
        {{ lf_ratio(
            '(sql_rank_sum - total_sqls * (total_sqls + 1) / 2.0)',
            '(cast(total_sqls as ' ~ lf_engine_type('double') ~ ') * (leads_scored - total_sqls))'
        ) }} as auc_sql,
        {{ lf_ratio(
            '(won_rank_sum - total_wins * (total_wins + 1) / 2.0)',
            '(cast(total_wins as ' ~ lf_engine_type('double') ~ ') * (leads_scored - total_wins))'
        ) }} as auc_won
    from model_totals
),

sweep as (
    select
        population.scoring_model,
        threshold_list.threshold,
        sum(case when population.calibration_score >= threshold_list.threshold then 1 else 0 end)
            as would_be_mqls,
        sum(
            case
                when population.calibration_score >= threshold_list.threshold then population.reached_sql
                else 0
            end
        ) as would_be_mql_sqls,
        sum(
            case
                when population.calibration_score >= threshold_list.threshold then population.reached_won
                else 0
            end
        ) as would_be_mql_wins,
        sum(
            case
                when
                    population.calibration_score >= threshold_list.threshold
                    and (
                        threshold_list.threshold = 100
                        or population.calibration_score < threshold_list.threshold + 5
                    )
                    then 1
                else 0
            end
        ) as band_leads,
        sum(
            case
                when
                    population.calibration_score >= threshold_list.threshold
                    and (
                        threshold_list.threshold = 100
                        or population.calibration_score < threshold_list.threshold + 5
                    )
                    then population.reached_sql
                else 0
            end
        ) as band_sqls,
        sum(
            case
                when
                    population.calibration_score >= threshold_list.threshold
                    and (
                        threshold_list.threshold = 100
                        or population.calibration_score < threshold_list.threshold + 5
                    )
                    then population.reached_won
                else 0
            end
        ) as band_wins
    from population
    cross join threshold_list
    group by population.scoring_model, threshold_list.threshold
),

rated as (
    select
        sweep.*,
        {{ lf_ratio('sweep.band_sqls', 'sweep.band_leads') }} as band_sql_rate,
        {{ lf_ratio('sweep.band_wins', 'sweep.band_leads') }} as band_won_rate,
        {{ lf_ratio('sweep.would_be_mql_sqls', 'sweep.would_be_mqls') }} as mql_to_sql_rate,
        {{ lf_ratio('sweep.would_be_mql_wins', 'sweep.would_be_mqls') }} as mql_to_won_rate,
        {{ lf_ratio('sweep.would_be_mql_wins', 'auc.total_wins') }} as share_of_wins_captured,
        {{ lf_ratio('sweep.would_be_mql_sqls', 'auc.total_sqls') }} as share_of_sqls_captured,
        cast(
            {{ var('calibration_target_mql_to_sql_low') }} as {{ lf_engine_type('double') }}
        ) as target_mql_to_sql_low,
        cast(
            {{ var('calibration_target_mql_to_sql_high') }} as {{ lf_engine_type('double') }}
        ) as target_mql_to_sql_high
    from sweep
    inner join auc
        on sweep.scoring_model = auc.scoring_model
),

recommended as (
    select
        scoring_model,
        min(threshold) as recommended_threshold
    from rated
    where mql_to_sql_rate >= target_mql_to_sql_low
    group by scoring_model
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            "rated.scoring_model", "'|'", dbt.cast("rated.threshold", api.Column.translate_type("string"))
        ])) }} as threshold_calibration_id,
        rated.scoring_model,
        scoring_models.mql_threshold as current_mql_threshold,
        rated.threshold,
        rated.threshold as band_low,
        case when rated.threshold = 100 then 100 else rated.threshold + 5 end as band_high,
        cast(rated.band_leads as {{ dbt.type_bigint() }}) as band_leads,
        cast(rated.band_sqls as {{ dbt.type_bigint() }}) as band_sqls,
        cast(rated.band_wins as {{ dbt.type_bigint() }}) as band_wins,
        rated.band_sql_rate,
        rated.band_won_rate,
        cast(rated.would_be_mqls as {{ dbt.type_bigint() }}) as would_be_mqls,
        cast(rated.would_be_mql_sqls as {{ dbt.type_bigint() }}) as would_be_mql_sqls,
        cast(rated.would_be_mql_wins as {{ dbt.type_bigint() }}) as would_be_mql_wins,
        rated.mql_to_sql_rate,
        rated.mql_to_won_rate,
        rated.share_of_sqls_captured,
        rated.share_of_wins_captured,
        rated.target_mql_to_sql_low,
        rated.target_mql_to_sql_high,
        coalesce(
            rated.mql_to_sql_rate >= rated.target_mql_to_sql_low
            and rated.mql_to_sql_rate <= rated.target_mql_to_sql_high,
            false
        ) as is_in_target_band,
        recommended.recommended_threshold,
        coalesce(rated.threshold = recommended.recommended_threshold, false) as is_recommended_threshold,
        auc.leads_scored,
        cast(auc.total_sqls as {{ dbt.type_bigint() }}) as total_sqls,
        cast(auc.total_wins as {{ dbt.type_bigint() }}) as total_wins,
        auc.auc_sql,
        auc.auc_won
    from rated
    inner join auc
        on rated.scoring_model = auc.scoring_model
    inner join scoring_models
        on rated.scoring_model = scoring_models.scoring_model
    left join recommended
        on rated.scoring_model = recommended.scoring_model
)

select * from final
