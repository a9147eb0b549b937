-- Elapsed time between funnel stages: for each stage pair, per scoring model, MQL-month
-- cohort (and all cohorts, period_month null) and slice: n, mean, median, p75 and p90 in
-- hours. The pairs come from seed lifecycle_stages: each funnel stage with a velocity_from
-- stage, in funnel order, measured between the stages' reached moments (a skipped stage
-- counts as passed); after the pairs into the MQL stage, MQL -> first sales touch (a touch is
-- an activity, not a stage); last, MQL -> the last funnel stage (won), the whole funnel.
-- Contradictory cycles, inferred MQLs and negative durations (e.g. a lead whose qualifying
-- engagement was tracked before the CRM created it) are left out; a pair from the lead stage
-- counts first cycles only. Percentiles interpolate linearly between closest ranks.
{%- set lead_stage = lf_stage_with_role('lead') %}
{%- set start_stage = lf_stage_with_role('start') %}
{%- set funnel = lf_funnel_stages() %}
{%- set reached_at = {lead_stage['stage']: lead_stage['moment_column']} %}
{%- for stage in funnel if stage['stage'] != lead_stage['stage'] %}
    {%- do reached_at.update({stage['stage']: stage['stage'] ~ '_reached_at'}) %}
{%- endfor %}
{%- set stage_pairs = [] %}
{%- for stage in funnel %}
    {%- if stage['velocity_from'] in reached_at %}
        {%- do stage_pairs.append((
            stage['velocity_from'], stage['stage'], reached_at[stage['velocity_from']],
            reached_at[stage['stage']]
        )) %}
    {%- endif %}
    {%- if stage['stage'] == start_stage['stage'] %}
        {%- do stage_pairs.append(
            (stage['stage'], 'first_touch', reached_at[stage['stage']], 'first_touched_at')
        ) %}
    {%- endif %}
{%- endfor %}
{%- if funnel | length > 0 and (funnel | last)['velocity_from'] != start_stage['stage'] %}
    {%- do stage_pairs.append((
        start_stage['stage'], (funnel | last)['stage'], reached_at[start_stage['stage']],
        reached_at[(funnel | last)['stage']]
    )) %}
{%- endif %}

with

cycles as (
    select * from {{ ref('int_mql_cycles_enriched') }}
    where not is_inferred_mql and not is_contradictory
),

segments as (
    select * from {{ ref('int_lead_segments_unpivoted') }}
),

durations as (
    {%- for from_stage, to_stage, from_moment, to_moment in stage_pairs %}
        select
            cycles.lead_id,
            cycles.scoring_model,
            cycles.mql_month,
            '{{ from_stage }}' as from_stage,
            '{{ to_stage }}' as to_stage,
            {{ loop.index }} as stage_pair_order,
            {{ lf_hours_between('cycles.' ~ from_moment, 'cycles.' ~ to_moment) }} as elapsed_hours
        from cycles
        where
            cycles.{{ to_moment }} >= cycles.{{ from_moment }}
            {%- if from_stage == lead_stage['stage'] %}
                and cycles.cycle_number = 1
            {%- endif %}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

sliced as (
    select
        durations.*,
        segments.slice_dimension,
        segments.slice_value
    from durations
    inner join segments
        on durations.lead_id = segments.lead_id
),

with_all_cohorts as (
    select
        *,
        mql_month as period_month
    from sliced
    union all
    select
        *,
        cast(null as date) as period_month
    from sliced
),

unioned as (
    select
        period_month,
        scoring_model,
        from_stage,
        to_stage,
        stage_pair_order,
        slice_dimension,
        slice_value,
        count(*) as n,
        avg(elapsed_hours) as mean_hours,
        {{ lf_percentile('elapsed_hours', 0.5) }} as median_hours,
        {{ lf_percentile('elapsed_hours', 0.75) }} as p75_hours,
        {{ lf_percentile('elapsed_hours', 0.9) }} as p90_hours
    from with_all_cohorts
    group by
        period_month, scoring_model, from_stage, to_stage, stage_pair_order,
        slice_dimension, slice_value
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            "coalesce(" ~ dbt.cast("period_month", api.Column.translate_type("string")) ~ ", 'all')", "'|'",
            "scoring_model", "'|'", "from_stage", "'|'", "to_stage", "'|'", "slice_dimension", "'|'", "slice_value"
        ])) }} as stage_velocity_id,
        period_month,
        period_month is null as is_all_cohorts,
        scoring_model,
        from_stage,
        to_stage,
        stage_pair_order,
        slice_dimension,
        slice_value,
        n,
        mean_hours,
        median_hours,
        p75_hours,
        p90_hours,
        median_hours / 24.0 as median_days
    from unioned
)

select * from final
