-- One row per routed MQL cycle with its SLA clock: the time zone it runs in (the owner's, else
-- the lead's country's, else var sla_default_time_zone), the business hours of that calendar
-- elapsed at the MQL moment and at the first sales touch, the SLA due moment (the rule's
-- sla_hours business hours after the MQL moment, in UTC and in local time) and the business
-- hours the first touch took. Business hours come from int_business_hours_calendar (seed
-- business_hours, holidays of seed routing_holidays). An MQL outside business hours starts
-- its clock at the next business interval.
{{ config(materialized='table') }}

with

routed as (
    select * from {{ ref('int_mql_handoffs_routed') }}
),

cycles as (
    select * from {{ ref('int_mql_cycles_pivoted') }}
),

calendar as (
    select * from {{ ref('int_business_hours_calendar') }}
),

business_intervals as (
    select * from calendar
    where is_business_day
),

clocked as (
    select
        cycles.mql_cycle_id,
        routed.lead_id,
        routed.scoring_model,
        routed.cycle_number,
        routed.marketing_qualified_at,
        cycles.first_touched_at,
        routed.sla_time_zone,
        routed.sla_time_zone_source,
        coalesce(routed.territory, '') as calendar_territory,
        routed.sla_hours,
        {{ lf_utc_to_local('routed.marketing_qualified_at', 'routed.sla_time_zone') }}
            as marketing_qualified_at_local,
        {{ lf_utc_to_local('cycles.first_touched_at', 'routed.sla_time_zone') }} as first_touched_at_local
    from routed
    inner join cycles
        on
            routed.lead_id = cycles.lead_id
            and routed.scoring_model = cycles.scoring_model
            and routed.cycle_number = cycles.cycle_number
),

-- the business hours of the calendar elapsed at a moment: those of the intervals before the
-- first interval on or after its local date, plus the part of that interval before it
{%- for moment in ['marketing_qualified_at', 'first_touched_at'] %}

    elapsed_at_{{ moment }} as (
        select
            clocked.mql_cycle_id,
            business_intervals.business_hours_before + case
                when clocked.{{ moment }} <= business_intervals.starts_at then 0
                when clocked.{{ moment }} >= business_intervals.ends_at then business_intervals.business_hours
                else {{ lf_hours_between('business_intervals.starts_at', 'clocked.' ~ moment) }}
            end as business_hours_elapsed
        from clocked
        inner join calendar
            on
                clocked.sla_time_zone = calendar.time_zone
                and clocked.calendar_territory = calendar.calendar_territory
                and cast(clocked.{{ moment }}_local as date) = calendar.local_date
        inner join business_intervals
            on
                calendar.time_zone = business_intervals.time_zone
                and calendar.calendar_territory = business_intervals.calendar_territory
                and calendar.next_interval_sequence = business_intervals.interval_sequence
    ),
{%- endfor %}

targeted as (
    select
        clocked.*,
        elapsed_at_marketing_qualified_at.business_hours_elapsed as business_hours_at_mql,
        elapsed_at_marketing_qualified_at.business_hours_elapsed + clocked.sla_hours as business_hours_due,
        case
            when clocked.first_touched_at is not null
                then
                    elapsed_at_first_touched_at.business_hours_elapsed
                    - elapsed_at_marketing_qualified_at.business_hours_elapsed
        end as business_hours_to_first_touch
    from clocked
    left join elapsed_at_marketing_qualified_at
        on clocked.mql_cycle_id = elapsed_at_marketing_qualified_at.mql_cycle_id
    left join elapsed_at_first_touched_at
        on clocked.mql_cycle_id = elapsed_at_first_touched_at.mql_cycle_id
),

-- the business interval in which the due business hour falls
due as (
    select
        targeted.mql_cycle_id,
        {{ dbt.dateadd(
            'second',
            'cast(round((targeted.business_hours_due - business_intervals.business_hours_before) * 3600) as '
            ~ dbt.type_int() ~ ')',
            'business_intervals.starts_at'
        ) }} as sla_due_at
    from targeted
    inner join business_intervals
        on
            targeted.sla_time_zone = business_intervals.time_zone
            and targeted.calendar_territory = business_intervals.calendar_territory
            and targeted.business_hours_due > business_intervals.business_hours_before
            and targeted.business_hours_due
            <= business_intervals.business_hours_before + business_intervals.business_hours
),

final as (
    select
        targeted.mql_cycle_id,
        targeted.lead_id,
        targeted.scoring_model,
        targeted.cycle_number,
        targeted.sla_time_zone,
        targeted.sla_time_zone_source,
        targeted.calendar_territory,
        targeted.sla_hours,
        targeted.marketing_qualified_at,
        targeted.marketing_qualified_at_local,
        targeted.business_hours_at_mql,
        due.sla_due_at,
        {{ lf_utc_to_local('due.sla_due_at', 'targeted.sla_time_zone') }} as sla_due_at_local,
        targeted.first_touched_at,
        targeted.first_touched_at_local,
        case
            when targeted.business_hours_to_first_touch < 0 then 0
            else targeted.business_hours_to_first_touch
        end as business_hours_to_first_touch
    from targeted
    left join due
        on targeted.mql_cycle_id = due.mql_cycle_id
)

select * from final
