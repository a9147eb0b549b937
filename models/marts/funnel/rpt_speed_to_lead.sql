-- Speed to lead: time from MQL to first sales touch, per scoring model, MQL month (null = all)
-- and response bucket (<= 5 min, <= 30 min, <= 1 h, <= 24 h, > 24 h, never; 'all' = every
-- cycle): cycles, conversion to SQL, conversion relative to the <= 5 min bucket, compliance
-- with the SLA (var sla_hours) and with the business-hours SLA (var sla_business_hours, counting
-- only the business hours of the MQL's SLA clock: int_mql_handoffs_sla), and the response-time
-- distribution.
{%- set buckets = [
    ('le_5_min', 1, 5),
    ('le_30_min', 2, 30),
    ('le_1_hour', 3, 60),
    ('le_24_hours', 4, 1440),
    ('gt_24_hours', 5, none),
] %}

with

cycles as (
    select * from {{ ref('int_mql_cycles_enriched') }}
    where not is_inferred_mql
),

sla as (
    select * from {{ ref('int_mql_handoffs_sla') }}
),

bucketed as (
    select
        cycles.mql_cycle_id,
        cycles.scoring_model,
        cycles.mql_month,
        cycles.reached_sql,
        cycles.response_minutes,
        sla.business_hours_to_first_touch as business_hours_to_touch,
        case
            when cycles.response_minutes is null then 'never'
            {%- for bucket, _, upper in buckets if upper is not none %}
                when cycles.response_minutes <= {{ upper }} then '{{ bucket }}'
            {%- endfor %}
            else 'gt_24_hours'
        end as response_bucket
    from cycles
    left join sla
        on cycles.mql_cycle_id = sla.mql_cycle_id
),

with_all_bucket as (
    select
        *,
        response_bucket as bucket
    from bucketed
    union all
    select
        *,
        'all' as bucket
    from bucketed
),

with_all_months as (
    select
        *,
        mql_month as period_month
    from with_all_bucket
    union all
    select
        *,
        cast(null as date) as period_month
    from with_all_bucket
),

aggregated as (
    select
        scoring_model,
        period_month,
        bucket as response_bucket,
        count(*) as mql_cycles,
        count(case when reached_sql then 1 end) as sqls,
        count(response_minutes) as touched_cycles,
        count(case when response_minutes <= {{ var('sla_hours') }} * 60 then 1 end) as touched_within_sla,
        count(case when business_hours_to_touch <= {{ var('sla_business_hours') }} then 1 end)
            as touched_within_business_sla,
        {{ lf_percentile('response_minutes', 0.5) }} as median_response_minutes,
        {{ lf_percentile('response_minutes', 0.9) }} as p90_response_minutes,
        {{ lf_percentile('business_hours_to_touch', 0.5) }} as median_business_hours_to_touch
    from with_all_months
    group by scoring_model, period_month, bucket
),

rated as (
    select
        *,
        {{ lf_ratio('sqls', 'mql_cycles') }} as mql_to_sql_rate,
        {{ lf_ratio('touched_within_sla', 'mql_cycles') }} as sla_compliance_rate,
        {{ lf_ratio('touched_within_business_sla', 'mql_cycles') }} as business_sla_compliance_rate
    from aggregated
),

fastest as (
    select
        scoring_model,
        period_month,
        mql_to_sql_rate as fastest_mql_to_sql_rate
    from rated
    where response_bucket = 'le_5_min'
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            "coalesce(" ~ dbt.cast("rated.period_month", api.Column.translate_type("string")) ~ ", 'all')", "'|'",
            "rated.scoring_model", "'|'", "rated.response_bucket"
        ])) }} as speed_to_lead_id,
        rated.scoring_model,
        rated.period_month,
        rated.period_month is null as is_all_cohorts,
        rated.response_bucket,
        case rated.response_bucket
            {%- for bucket, bucket_order, _ in buckets %}
                when '{{ bucket }}' then {{ bucket_order }}
            {%- endfor %}
            when 'never' then 6
            else 0
        end as response_bucket_order,
        rated.mql_cycles,
        rated.sqls,
        rated.mql_to_sql_rate,
        {{ lf_ratio('rated.mql_to_sql_rate', 'fastest.fastest_mql_to_sql_rate') }}
            as mql_to_sql_rate_vs_5_min,
        rated.touched_cycles,
        rated.touched_within_sla,
        rated.sla_compliance_rate,
        rated.touched_within_business_sla,
        rated.business_sla_compliance_rate,
        rated.median_response_minutes,
        rated.p90_response_minutes,
        rated.median_business_hours_to_touch,
        {{ var('sla_hours') }} as sla_hours,
        {{ var('sla_business_hours') }} as sla_business_hours
    from rated
    left join fastest
        on
            rated.scoring_model = fastest.scoring_model
            and (
                rated.period_month = fastest.period_month
                or (rated.period_month is null and fastest.period_month is null)
            )
)

select * from final
