-- Every MQL cycle with the stages it reached (a stage skipped on the way counts as passed:
-- an opportunity implies SQL and acceptance), whether each was reached within the conversion
-- window, whether the cohort is mature, the lead's segment and the response time to the MQL.
{%- set window_days = var('conversion_window_days') %}

with

cycles as (
    select * from {{ ref('fct_mql_cycles') }}
),

leads as (
    select * from {{ ref('dim_leads') }}
),

reached as (
    select
        *,
        closed_won_at is not null as reached_won,
        opportunity_created_at is not null or closed_won_at is not null as reached_opportunity,
        sales_qualified_at is not null
        or opportunity_created_at is not null
        or closed_won_at is not null as reached_sql,
        sales_accepted_at is not null
        or sales_qualified_at is not null
        or opportunity_created_at is not null
        or closed_won_at is not null as reached_sal,
        closed_won_at is not null or closed_lost_at is not null as is_closed,
        coalesce(sales_accepted_at, sales_qualified_at, opportunity_created_at, closed_won_at)
            as sal_reached_at,
        coalesce(sales_qualified_at, opportunity_created_at, closed_won_at) as sql_reached_at,
        coalesce(opportunity_created_at, closed_won_at) as opportunity_reached_at
    from cycles
),

windowed as (
    select
        reached.*,
        {{ dbt.dateadd('day', window_days, 'reached.marketing_qualified_at') }} as window_ends_at,
        reached.marketing_qualified_at <= {{ lf_maturity_cutoff() }} as is_mature
    from reached
),

final as (
    select
        windowed.mql_cycle_id,
        windowed.lead_id,
        windowed.scoring_model,
        windowed.cycle_number,
        windowed.is_inferred_mql,
        windowed.is_contradictory,
        windowed.marketing_qualified_at,
        cast({{ dbt.date_trunc('month', 'windowed.marketing_qualified_at') }} as date) as mql_month,
        windowed.first_touched_at,
        windowed.sales_accepted_at,
        windowed.sales_rejected_at,
        windowed.rejection_reason,
        windowed.recycled_at,
        windowed.next_cycle_started_at,
        windowed.sales_qualified_at,
        windowed.opportunity_created_at,
        windowed.closed_won_at,
        windowed.closed_lost_at,
        windowed.sal_reached_at,
        windowed.sql_reached_at,
        windowed.opportunity_reached_at,
        windowed.reached_sal,
        windowed.reached_sql,
        windowed.reached_opportunity,
        windowed.reached_won,
        windowed.is_closed,
        windowed.sal_reached_at <= windowed.window_ends_at as reached_sal_in_window,
        windowed.sql_reached_at <= windowed.window_ends_at as reached_sql_in_window,
        windowed.opportunity_reached_at <= windowed.window_ends_at as reached_opportunity_in_window,
        windowed.closed_won_at <= windowed.window_ends_at as reached_won_in_window,
        windowed.is_mature,
        case
            when windowed.first_touched_at is not null
                then
                    {{ lf_days_between('windowed.marketing_qualified_at', 'windowed.first_touched_at') }}
                    * 1440.0
        end as response_minutes,
        leads.lead_source,
        leads.channel,
        leads.industry,
        leads.country,
        leads.created_at as lead_created_at
    from windowed
    inner join leads
        on windowed.lead_id = leads.lead_id
)

select * from final
