-- One row per day, scoring model and lifecycle stage (every stage of seed lifecycle_stages, so a
-- stage added to the seed adds its rows): leads entering the stage that day and
-- leads in the stage at the end of the day (entered on or before it, not yet left).

with

stage_history as (
    select * from {{ ref('fct_lead_stage_history') }}
),

stages as (
    select * from {{ ref('lifecycle_stages') }}
),

scoring_models as (
    select * from {{ ref('scoring_models') }}
),

bounds as (
    select
        min(cast(valid_from as date)) as first_date,
        cast({{ lf_score_as_of() }} as date) as last_date
    from stage_history
),

calendar as (
    select spine.calendar_date
    from ({{ lf_day_spine('bounds.first_date', 'bounds.last_date', 'bounds') }}) as spine
),

entering as (
    select
        scoring_model,
        stage,
        cast(valid_from as date) as funnel_date,
        count(*) as leads_entering
    from stage_history
    group by scoring_model, stage, cast(valid_from as date)
),

leaving as (
    select
        scoring_model,
        stage,
        cast(valid_to as date) as funnel_date,
        count(*) as leads_leaving
    from stage_history
    where valid_to is not null
    group by scoring_model, stage, cast(valid_to as date)
),

grid as (
    select
        calendar.calendar_date as funnel_date,
        scoring_models.scoring_model,
        stages.stage,
        stages.stage_order
    from calendar
    cross join scoring_models
    cross join stages
),

daily as (
    select
        grid.funnel_date,
        grid.scoring_model,
        grid.stage,
        grid.stage_order,
        coalesce(entering.leads_entering, 0) as leads_entering,
        coalesce(leaving.leads_leaving, 0) as leads_leaving
    from grid
    left join entering
        on
            grid.funnel_date = entering.funnel_date
            and grid.scoring_model = entering.scoring_model
            and grid.stage = entering.stage
    left join leaving
        on
            grid.funnel_date = leaving.funnel_date
            and grid.scoring_model = leaving.scoring_model
            and grid.stage = leaving.stage
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            dbt.cast("funnel_date", api.Column.translate_type("string")), "'|'", "scoring_model", "'|'", "stage"
        ])) }} as funnel_day_id,
        funnel_date,
        scoring_model,
        stage,
        stage_order,
        leads_entering,
        leads_leaving,
        cast(
            sum(leads_entering - leads_leaving) over (
                partition by scoring_model, stage
                order by funnel_date asc
                rows between unbounded preceding and current row
            ) as {{ dbt.type_bigint() }}
        ) as leads_in_stage
    from daily
)

select * from final
