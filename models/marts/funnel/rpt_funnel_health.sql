-- Each measured funnel rate beside its documented range (seed benchmark_ranges, which names
-- the source of every range): status below / within / above and the sources' diagnosis.
-- Rates are measured per scoring model over mature cohorts (entered at least
-- conversion_window_days before the as-of time), counting conversion ever.

with

cycles as (
    select * from {{ ref('int_mql_cycles_enriched') }}
    where not is_inferred_mql
),

all_cycles as (
    select * from {{ ref('int_mql_cycles_enriched') }}
),

scored_leads as (
    select * from {{ ref('fct_lead_scores') }}
),

leads as (
    select * from {{ ref('dim_leads') }}
),

ranges as (
    select * from {{ ref('benchmark_ranges') }}
),

leads_with_mql as (
    select distinct
        lead_id,
        scoring_model
    from cycles
),

mature_leads as (
    select
        scored_leads.scoring_model,
        count(*) as leads,
        count(case when leads_with_mql.lead_id is not null then 1 end) as leads_with_mql
    from scored_leads
    inner join leads
        on scored_leads.lead_id = leads.lead_id
    left join leads_with_mql
        on
            scored_leads.lead_id = leads_with_mql.lead_id
            and scored_leads.scoring_model = leads_with_mql.scoring_model
    where leads.created_at <= {{ lf_maturity_cutoff() }}
    group by scored_leads.scoring_model
),

mature_cycles as (
    select
        scoring_model,
        count(*) as mqls,
        count(case when sales_accepted_at is not null then 1 end) as accepted,
        count(case when reached_sql then 1 end) as sqls,
        count(case when reached_won then 1 end) as wins
    from cycles
    where is_mature
    group by scoring_model
),

sales_cycles as (
    select
        scoring_model,
        count(case when reached_sql then 1 end) as sqls,
        count(case when reached_opportunity then 1 end) as opportunities,
        count(case when closed_won_at is not null then 1 end) as won,
        count(case when closed_lost_at is not null then 1 end) as lost
    from all_cycles
    where coalesce(sql_reached_at, marketing_qualified_at) <= {{ lf_maturity_cutoff() }}
    group by scoring_model
),

measured as (
    select
        mature_leads.scoring_model,
        'lead_to_mql_rate' as metric,
        mature_leads.leads_with_mql as numerator,
        mature_leads.leads as denominator
    from mature_leads
    union all
    select
        scoring_model,
        'mql_acceptance_rate' as metric,
        accepted as numerator,
        mqls as denominator
    from mature_cycles
    union all
    select
        scoring_model,
        'mql_to_sql_rate' as metric,
        sqls as numerator,
        mqls as denominator
    from mature_cycles
    union all
    select
        scoring_model,
        'mql_to_won_rate' as metric,
        wins as numerator,
        mqls as denominator
    from mature_cycles
    union all
    select
        scoring_model,
        'sql_to_opportunity_rate' as metric,
        opportunities as numerator,
        sqls as denominator
    from sales_cycles
    union all
    select
        scoring_model,
        'opportunity_to_won_rate' as metric,
        won as numerator,
        won + lost as denominator
    from sales_cycles
),

compared as (
    select
        measured.scoring_model,
        measured.metric,
        measured.numerator,
        measured.denominator,
        {{ lf_ratio('measured.numerator', 'measured.denominator') }} as measured_rate,
        ranges.source_file,
        ranges.source_name,
        ranges.is_preferred,
        ranges.range_low,
        ranges.range_high,
        ranges.alarm_low,
        ranges.alarm_high,
        ranges.diagnosis_below,
        ranges.diagnosis_above
    from measured
    inner join ranges
        on measured.metric = ranges.metric
),

final as (
    select
        {{ dbt.hash(dbt.concat(["scoring_model", "'|'", "metric", "'|'", "source_file"])) }}
            as funnel_health_id,
        scoring_model,
        metric,
        numerator,
        denominator,
        measured_rate,
        range_low,
        range_high,
        case
            when measured_rate is null then 'no_data'
            when range_low is not null and measured_rate < range_low then 'below'
            when range_high is not null and measured_rate > range_high then 'above'
            else 'within'
        end as status,
        coalesce(
            (alarm_low is not null and measured_rate < alarm_low)
            or (alarm_high is not null and measured_rate > alarm_high),
            false
        ) as is_alarm,
        case
            when range_low is not null and measured_rate < range_low then diagnosis_below
            when range_high is not null and measured_rate > range_high then diagnosis_above
        end as diagnosis,
        source_file,
        source_name,
        is_preferred
    from compared
)

select * from final
