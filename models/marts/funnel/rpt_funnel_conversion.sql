-- Funnel conversion in three views, per scoring model and slice (all, lead source, channel,
-- industry, country): MQL-month cohorts (one row per MQL cycle: a recycled lead that
-- re-qualifies counts again), lead-creation-month cohorts (one row per surviving lead), and
-- calendar-month period counts. Cohort rates count conversion ever and within the conversion
-- window (var conversion_window_days); cohorts younger than the window are flagged immature.
-- Inferred MQL cycles (sales-sourced) are left out of the marketing funnel. Every funnel stage
-- of seed lifecycle_stages is counted (<stage>_count, <stage>_count_in_window) and published in
-- the stage_counts maps; stages with a count_column also get their named contract columns.
{%- set lead_stage = lf_stage_with_role('lead') %}
{%- set start_stage = lf_stage_with_role('start') %}
{%- set funnel = lf_funnel_stages() %}
{%- set cycle_funnel = funnel | rejectattr('cycle_role', 'equalto', 'lead') | list %}
{%- set null_count = 'cast(null as ' ~ dbt.type_bigint() ~ ')' %}

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
        {{ null_count }} as {{ lead_stage['stage'] }}_count,
        {%- for stage in cycle_funnel %}
            count(case when cycles.reached_{{ stage['stage'] }} then 1 end) as {{ stage['stage'] }}_count,
        {%- endfor %}
        {{ null_count }} as {{ lead_stage['stage'] }}_count_in_window,
        {%- for stage in cycle_funnel %}
            {%- if stage['stage'] == start_stage['stage'] %}
                {{ null_count }} as {{ stage['stage'] }}_count_in_window,
            {%- else %}
                count(case when cycles.reached_{{ stage['stage'] }}_in_window then 1 end)
                    as {{ stage['stage'] }}_count_in_window,
            {%- endif %}
        {%- endfor %}
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
        {%- for stage in cycle_funnel %}
            min(cycles.{{ stage['stage'] }}_reached_at) as first_{{ stage['stage'] }}_at,
        {%- endfor %}
        {{ dbt.dateadd('day', var('conversion_window_days'), 'leads.created_at') }} as window_ends_at
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
        count(*) as {{ lead_stage['stage'] }}_count,
        {%- for stage in cycle_funnel %}
            count(lead_reach.first_{{ stage['stage'] }}_at) as {{ stage['stage'] }}_count,
        {%- endfor %}
        {{ null_count }} as {{ lead_stage['stage'] }}_count_in_window,
        {%- for stage in cycle_funnel %}
            count(case when lead_reach.first_{{ stage['stage'] }}_at <= lead_reach.window_ends_at then 1 end)
                as {{ stage['stage'] }}_count_in_window,
        {%- endfor %}
        max(lead_reach.created_at) > {{ lf_maturity_cutoff() }} as is_cohort_immature
    from lead_reach
    inner join segments
        on lead_reach.lead_id = segments.lead_id
    group by
        lead_reach.created_month, lead_reach.scoring_model, segments.slice_dimension, segments.slice_value
),

period_entries as (
    {%- for stage in cycle_funnel %}
        select
            cycles.lead_id,
            cycles.scoring_model,
            '{{ stage["stage"] }}' as stage,
            {%- set reached_at = 'cycles.' ~ stage['stage'] ~ '_reached_at' %}
            cast({{ dbt.date_trunc('month', reached_at) }} as date) as period_month
        from cycles
        where cycles.{{ stage['stage'] }}_reached_at is not null
        union all
    {%- endfor %}
    select
        scored_leads.lead_id,
        scored_leads.scoring_model,
        '{{ lead_stage["stage"] }}' as stage,
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
        {%- for stage in [lead_stage] + cycle_funnel %}
            count(case when period_entries.stage = '{{ stage["stage"] }}' then 1 end)
                as {{ stage['stage'] }}_count,
        {%- endfor %}
        {%- for stage in [lead_stage] + cycle_funnel %}
            {{ null_count }} as {{ stage['stage'] }}_count_in_window,
        {%- endfor %}
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
        {%- for stage in [lead_stage] + cycle_funnel if stage['count_column'] %}
            {{ stage['stage'] }}_count as {{ stage['count_column'] }},
        {%- endfor %}
        {{ lf_ratio('mql_count', 'lead_count') }} as lead_to_mql_rate,
        {{ lf_ratio('sal_count', 'mql_count') }} as mql_to_sal_rate,
        {{ lf_ratio('sql_count', 'mql_count') }} as mql_to_sql_rate,
        {{ lf_ratio('opportunity_count', 'sql_count') }} as sql_to_opportunity_rate,
        {{ lf_ratio('won_count', 'opportunity_count') }} as opportunity_to_won_rate,
        {{ lf_ratio('won_count', 'mql_count') }} as mql_to_won_rate,
        {%- for stage in cycle_funnel if stage['count_column'] %}
            {{ stage['stage'] }}_count_in_window as {{ stage['count_column'] }}_in_window,
        {%- endfor %}
        {{ lf_ratio('mql_count_in_window', 'lead_count') }} as lead_to_mql_rate_in_window,
        {{ lf_ratio('sql_count_in_window', 'mql_count') }} as mql_to_sql_rate_in_window,
        {{ lf_ratio('won_count_in_window', 'mql_count') }} as mql_to_won_rate_in_window,
        {{ var('conversion_window_days') }} as conversion_window_days,
        is_cohort_immature,
        {%- set counts = [] %}
        {%- set counts_in_window = [] %}
        {%- for stage in [lead_stage] + cycle_funnel %}
            {%- do counts.append([stage['stage'], stage['stage'] ~ '_count']) %}
            {%- do counts_in_window.append([stage['stage'], stage['stage'] ~ '_count_in_window']) %}
        {%- endfor %}
        {{ lf_text_map(counts) }} as stage_counts,
        {{ lf_text_map(counts_in_window) }} as stage_counts_in_window
    from unioned
)

select * from final
