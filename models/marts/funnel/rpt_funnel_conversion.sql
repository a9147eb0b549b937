-- Funnel conversion in three views, per scoring model and slice (all, lead source, channel,
-- industry, country): MQL-month cohorts (one row per MQL cycle: a recycled lead that
-- re-qualifies counts again), lead-creation-month cohorts (one row per surviving lead), and
-- calendar-month period counts. Cohort rates count conversion ever and within the conversion
-- window (var conversion_window_days); cohorts younger than the window are flagged immature.
-- Inferred MQL cycles (sales-sourced) are left out of the marketing funnel.

with

cycles as (
    select * from {{ ref('int_mql_cycles_enriched') }}
    where not is_inferred_mql
),

segments as (
    select * from {{ ref('int_lead_segments_unpivoted') }}
),

scored_leads as (
    select * from {{ ref('fct_lead_scores') }}
),

leads as (
    select * from {{ ref('dim_leads') }}
),

mql_cohorts as (
    select
        'mql_cohort' as view_type,
        cycles.mql_month as period_month,
        cycles.scoring_model,
        segments.slice_dimension,
        segments.slice_value,
        cast(null as {{ dbt.type_bigint() }}) as leads,
        count(*) as mqls,
        count(case when cycles.reached_sal then 1 end) as sals,
        count(case when cycles.reached_sql then 1 end) as sqls,
        count(case when cycles.reached_opportunity then 1 end) as opportunities,
        count(case when cycles.reached_won then 1 end) as wins,
        cast(null as {{ dbt.type_bigint() }}) as mqls_in_window,
        count(case when cycles.reached_sal_in_window then 1 end) as sals_in_window,
        count(case when cycles.reached_sql_in_window then 1 end) as sqls_in_window,
        count(case when cycles.reached_opportunity_in_window then 1 end) as opportunities_in_window,
        count(case when cycles.reached_won_in_window then 1 end) as wins_in_window,
        max(case when cycles.is_mature then 0 else 1 end) = 1 as is_cohort_immature
    from cycles
    inner join segments
        on cycles.lead_id = segments.lead_id
    group by
        cycles.mql_month, cycles.scoring_model, segments.slice_dimension, segments.slice_value
),

lead_reach as (
    select
        scored_leads.lead_id,
        scored_leads.scoring_model,
        leads.created_at,
        cast({{ dbt.date_trunc('month', 'leads.created_at') }} as date) as created_month,
        {{ dbt.dateadd('day', var('conversion_window_days'), 'leads.created_at') }} as window_ends_at,
        min(cycles.marketing_qualified_at) as first_mql_at,
        min(cycles.sal_reached_at) as first_sal_at,
        min(cycles.sql_reached_at) as first_sql_at,
        min(cycles.opportunity_reached_at) as first_opportunity_at,
        min(cycles.closed_won_at) as first_won_at
    from scored_leads
    inner join leads
        on scored_leads.lead_id = leads.lead_id
    left join cycles
        on
            scored_leads.lead_id = cycles.lead_id
            and scored_leads.scoring_model = cycles.scoring_model
    group by scored_leads.lead_id, scored_leads.scoring_model, leads.created_at
),

lead_cohorts as (
    select
        'lead_cohort' as view_type,
        lead_reach.created_month as period_month,
        lead_reach.scoring_model,
        segments.slice_dimension,
        segments.slice_value,
        count(*) as leads,
        count(lead_reach.first_mql_at) as mqls,
        count(lead_reach.first_sal_at) as sals,
        count(lead_reach.first_sql_at) as sqls,
        count(lead_reach.first_opportunity_at) as opportunities,
        count(lead_reach.first_won_at) as wins,
        count(case when lead_reach.first_mql_at <= lead_reach.window_ends_at then 1 end) as mqls_in_window,
        count(case when lead_reach.first_sal_at <= lead_reach.window_ends_at then 1 end) as sals_in_window,
        count(case when lead_reach.first_sql_at <= lead_reach.window_ends_at then 1 end) as sqls_in_window,
        count(case when lead_reach.first_opportunity_at <= lead_reach.window_ends_at then 1 end)
            as opportunities_in_window,
        count(case when lead_reach.first_won_at <= lead_reach.window_ends_at then 1 end) as wins_in_window,
        max(lead_reach.created_at) > {{ lf_maturity_cutoff() }} as is_cohort_immature
    from lead_reach
    inner join segments
        on lead_reach.lead_id = segments.lead_id
    group by
        lead_reach.created_month, lead_reach.scoring_model, segments.slice_dimension, segments.slice_value
),

{%- set stage_moments = [
    ('mqls', 'marketing_qualified_at'),
    ('sals', 'sal_reached_at'),
    ('sqls', 'sql_reached_at'),
    ('opportunities', 'opportunity_reached_at'),
    ('wins', 'closed_won_at'),
] %}

period_entries as (
    {%- for stage_name, moment in stage_moments %}
        select
            cycles.lead_id,
            cycles.scoring_model,
            '{{ stage_name }}' as stage_name,
            cast({{ dbt.date_trunc('month', 'cycles.' ~ moment) }} as date) as period_month
        from cycles
        where cycles.{{ moment }} is not null
        union all
    {%- endfor %}
    select
        scored_leads.lead_id,
        scored_leads.scoring_model,
        'leads' as stage_name,
        cast({{ dbt.date_trunc('month', 'leads.created_at') }} as date) as period_month
    from scored_leads
    inner join leads
        on scored_leads.lead_id = leads.lead_id
),

periods as (
    select
        'period' as view_type,
        period_entries.period_month,
        period_entries.scoring_model,
        segments.slice_dimension,
        segments.slice_value,
        count(case when period_entries.stage_name = 'leads' then 1 end) as leads,
        count(case when period_entries.stage_name = 'mqls' then 1 end) as mqls,
        count(case when period_entries.stage_name = 'sals' then 1 end) as sals,
        count(case when period_entries.stage_name = 'sqls' then 1 end) as sqls,
        count(case when period_entries.stage_name = 'opportunities' then 1 end) as opportunities,
        count(case when period_entries.stage_name = 'wins' then 1 end) as wins,
        cast(null as {{ dbt.type_bigint() }}) as mqls_in_window,
        cast(null as {{ dbt.type_bigint() }}) as sals_in_window,
        cast(null as {{ dbt.type_bigint() }}) as sqls_in_window,
        cast(null as {{ dbt.type_bigint() }}) as opportunities_in_window,
        cast(null as {{ dbt.type_bigint() }}) as wins_in_window,
        false as is_cohort_immature
    from period_entries
    inner join segments
        on period_entries.lead_id = segments.lead_id
    group by
        period_entries.period_month, period_entries.scoring_model,
        segments.slice_dimension, segments.slice_value
),

unioned as (
    select * from mql_cohorts
    union all
    select * from lead_cohorts
    union all
    select * from periods
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            "view_type", "'|'", dbt.cast("period_month", api.Column.translate_type("string")), "'|'",
            "scoring_model", "'|'", "slice_dimension", "'|'", "slice_value"
        ])) }} as funnel_conversion_id,
        view_type,
        period_month,
        scoring_model,
        slice_dimension,
        slice_value,
        leads,
        mqls,
        sals,
        sqls,
        opportunities,
        wins,
        {{ lf_ratio('mqls', 'leads') }} as lead_to_mql_rate,
        {{ lf_ratio('sals', 'mqls') }} as mql_to_sal_rate,
        {{ lf_ratio('sqls', 'mqls') }} as mql_to_sql_rate,
        {{ lf_ratio('opportunities', 'sqls') }} as sql_to_opportunity_rate,
        {{ lf_ratio('wins', 'opportunities') }} as opportunity_to_won_rate,
        {{ lf_ratio('wins', 'mqls') }} as mql_to_won_rate,
        mqls_in_window,
        sals_in_window,
        sqls_in_window,
        opportunities_in_window,
        wins_in_window,
        {{ lf_ratio('mqls_in_window', 'leads') }} as lead_to_mql_rate_in_window,
        {{ lf_ratio('sqls_in_window', 'mqls') }} as mql_to_sql_rate_in_window,
        {{ lf_ratio('wins_in_window', 'mqls') }} as mql_to_won_rate_in_window,
        {{ var('conversion_window_days') }} as conversion_window_days,
        is_cohort_immature
    from unioned
)

select * from final
