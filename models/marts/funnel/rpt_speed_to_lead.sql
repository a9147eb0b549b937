-- Speed to lead: time from MQL to first sales touch, per scoring model, MQL month (null = all)
-- and response bucket (<= 5 min, <= 30 min, <= 1 h, <= 24 h, > 24 h, never; 'all' = every
-- cycle): cycles, conversion to SQL, conversion relative to the <= 5 min bucket, compliance
-- with the SLA (var sla_hours) and with the business-hours SLA (var sla_business_hours, counting
-- only the hours of seed business_hours), and the response-time distribution.
{%- set buckets = [
    ('le_5_min', 1, 5),
    ('le_30_min', 2, 30),
    ('le_1_hour', 3, 60),
    ('le_24_hours', 4, 1440),
    ('gt_24_hours', 5, none),
] %}
{%- set day_start = 'cast(calendar.calendar_date as ' ~ dbt.type_timestamp() ~ ')' %}

with

cycles as (
    select * from {{ ref('int_mql_cycles_enriched') }}
    where not is_inferred_mql
),

business_hours as (
    select * from {{ ref('business_hours') }}
),

bounds as (
    select
        cast(min(marketing_qualified_at) as date) as first_date,
        cast({{ lf_score_as_of() }} as date) as last_date
    from cycles
),

calendar as (
    select spine.calendar_date
    from ({{ lf_day_spine('bounds.first_date', 'bounds.last_date', 'bounds') }}) as spine
),

business_intervals as (
    select
        {{ dbt.dateadd('hour', 'business_hours.start_hour', day_start) }} as interval_starts_at,
        {{ dbt.dateadd('hour', 'business_hours.end_hour', day_start) }} as interval_ends_at
    from calendar
    inner join business_hours
        on {{ lf_iso_weekday('calendar.calendar_date') }} = business_hours.iso_weekday
),

business_response as (
    select
        cycles.mql_cycle_id,
        sum(
            {{ lf_hours_between(
                'case when business_intervals.interval_starts_at > cycles.marketing_qualified_at then business_intervals.interval_starts_at else cycles.marketing_qualified_at end',
                'case when business_intervals.interval_ends_at < cycles.first_touched_at then business_intervals.interval_ends_at else cycles.first_touched_at end'
            ) }}
        ) as business_hours_to_touch
    from cycles
    inner join business_intervals
        on
            cycles.first_touched_at > business_intervals.interval_starts_at
            and cycles.marketing_qualified_at < business_intervals.interval_ends_at
    where cycles.first_touched_at is not null
    group by cycles.mql_cycle_id
),

bucketed as (
    select
        cycles.mql_cycle_id,
        cycles.scoring_model,
        cycles.mql_month,
        cycles.reached_sql,
        cycles.response_minutes,
        case
            when cycles.first_touched_at is null then null
            else coalesce(business_response.business_hours_to_touch, 0)
        end as business_hours_to_touch,
        case
            when cycles.response_minutes is null then 'never'
            {%- for bucket, _, upper in buckets if upper is not none %}
                when cycles.response_minutes <= {{ upper }} then '{{ bucket }}'
            {%- endfor %}
            else 'gt_24_hours'
        end as response_bucket
    from cycles
    left join business_response
        on cycles.mql_cycle_id = business_response.mql_cycle_id
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
