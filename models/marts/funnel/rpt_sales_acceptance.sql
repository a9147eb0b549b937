-- How sales receives MQLs, per scoring model and MQL month (null = all): acceptance and
-- rejection rates, rejections by reason (rejection_reason 'all' = every cycle), recycles,
-- time in nurture (recycle to next MQL) and the re-MQL rate (recycled cycles that qualify again).

with

cycles as (
    select * from {{ ref('int_mql_cycles_enriched') }}
    where not is_inferred_mql
),

with_reason as (
    select
        *,
        'all' as reason_slice
    from cycles
    union all
    select
        *,
        coalesce(rejection_reason, '(none)') as reason_slice
    from cycles
    where sales_rejected_at is not null
),

with_all_months as (
    select
        *,
        mql_month as period_month
    from with_reason
    union all
    select
        *,
        cast(null as date) as period_month
    from with_reason
),

aggregated as (
    select
        scoring_model,
        period_month,
        reason_slice as rejection_reason,
        count(*) as mql_cycles,
        count(case when sales_accepted_at is not null then 1 end) as accepted,
        count(case when sales_rejected_at is not null then 1 end) as rejected,
        count(case when recycled_at is not null then 1 end) as recycled,
        count(case when recycled_at is not null and next_cycle_started_at is not null then 1 end)
            as re_mqls,
        avg(
            case
                when recycled_at is not null and next_cycle_started_at is not null
                    then {{ lf_days_between('recycled_at', 'next_cycle_started_at') }}
            end
        ) as mean_days_in_nurture,
        {{ lf_percentile(
            'case when recycled_at is not null and next_cycle_started_at is not null then '
            ~ lf_days_between('recycled_at', 'next_cycle_started_at') ~ ' end', 0.5
        ) }} as median_days_in_nurture
    from with_all_months
    group by scoring_model, period_month, reason_slice
),

totals as (
    select
        scoring_model,
        period_month,
        rejected as all_rejected
    from aggregated
    where rejection_reason = 'all'
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            "coalesce(" ~ dbt.cast("aggregated.period_month", api.Column.translate_type("string")) ~ ", 'all')", "'|'",
            "aggregated.scoring_model", "'|'", "aggregated.rejection_reason"
        ])) }} as sales_acceptance_id,
        aggregated.scoring_model,
        aggregated.period_month,
        aggregated.period_month is null as is_all_cohorts,
        aggregated.rejection_reason,
        aggregated.mql_cycles,
        aggregated.accepted,
        aggregated.rejected,
        {{ lf_ratio('aggregated.accepted', 'aggregated.mql_cycles') }} as acceptance_rate,
        {{ lf_ratio('aggregated.rejected', 'aggregated.mql_cycles') }} as rejection_rate,
        {{ lf_ratio('aggregated.rejected', 'totals.all_rejected') }} as share_of_rejections,
        aggregated.recycled,
        aggregated.re_mqls,
        {{ lf_ratio('aggregated.re_mqls', 'aggregated.recycled') }} as re_mql_rate,
        aggregated.mean_days_in_nurture,
        aggregated.median_days_in_nurture
    from aggregated
    inner join totals
        on
            aggregated.scoring_model = totals.scoring_model
            and (
                aggregated.period_month = totals.period_month
                or (aggregated.period_month is null and totals.period_month is null)
            )
)

select * from final
