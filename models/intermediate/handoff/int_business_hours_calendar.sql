-- One row per SLA calendar (a time zone and a territory of the MQLs in int_mql_handoffs_routed)
-- and local date, from the day before the first MQL to var sla_search_days after the last MQL
-- or first touch. A business day (seed business_hours, not a holiday of seed routing_holidays
-- for the territory or for every territory) has its business interval in UTC, its length in
-- hours, its sequence number in the calendar and the business hours of the calendar before
-- it; every day names the first business interval on or after it (next_interval_sequence).
-- The interval's start and end are converted from local time separately, so a daylight-saving
-- change moves them in UTC and never changes the length of a business day.
{{ config(materialized='table') }}
{%- set local_midnight = 'cast(calendar_days.local_date as ' ~ dbt.type_timestamp() ~ ')' %}

with

routed as (
    select * from {{ ref('int_mql_handoffs_routed') }}
),

cycles as (
    select * from {{ ref('int_mql_cycles_pivoted') }}
),

business_hours as (
    select * from {{ ref('business_hours') }}
),

holidays as (
    select * from {{ ref('routing_holidays') }}
),

calendars as (
    select distinct
        sla_time_zone as time_zone,
        coalesce(territory, '') as calendar_territory
    from routed
),

bounds as (
    select
        cast({{ dbt.dateadd('day', -1, 'min(marketing_qualified_at)') }} as date) as first_date,
        cast({{ dbt.dateadd(
            'day', var('sla_search_days'), 'max(coalesce(first_touched_at, marketing_qualified_at))'
        ) }} as date) as last_date
    from cycles
    where not is_inferred_mql
),

days as (
    select spine.calendar_date
    from ({{ lf_day_spine('bounds.first_date', 'bounds.last_date', 'bounds') }}) as spine
),

holiday_days as (
    select distinct
        calendars.time_zone,
        calendars.calendar_territory,
        holidays.holiday_date
    from calendars
    inner join holidays
        on holidays.territory is null or calendars.calendar_territory = holidays.territory
),

calendar_days as (
    select
        calendars.time_zone,
        calendars.calendar_territory,
        days.calendar_date as local_date,
        holiday_days.holiday_date is not null as is_holiday,
        case when holiday_days.holiday_date is null then business_hours.start_hour end as start_hour,
        case when holiday_days.holiday_date is null then business_hours.end_hour end as end_hour
    from calendars
    cross join days
    left join business_hours
        on {{ lf_iso_weekday('days.calendar_date') }} = business_hours.iso_weekday
    left join holiday_days
        on
            calendars.time_zone = holiday_days.time_zone
            and calendars.calendar_territory = holiday_days.calendar_territory
            and days.calendar_date = holiday_days.holiday_date
),

intervals as (
    select
        calendar_days.time_zone,
        calendar_days.calendar_territory,
        calendar_days.local_date,
        calendar_days.is_holiday,
        calendar_days.start_hour is not null as is_business_day,
        {{ lf_local_to_utc(
            dbt.dateadd('hour', 'calendar_days.start_hour', local_midnight),
            'calendar_days.time_zone'
        ) }} as starts_at,
        {{ lf_local_to_utc(
            dbt.dateadd('hour', 'calendar_days.end_hour', local_midnight),
            'calendar_days.time_zone'
        ) }} as ends_at
    from calendar_days
),

measured as (
    select
        *,
        case when is_business_day then {{ lf_hours_between('starts_at', 'ends_at') }} end as business_hours,
        case
            when is_business_day
                then sum(case when is_business_day then 1 else 0 end) over (
                    partition by time_zone, calendar_territory
                    order by local_date
                    rows between unbounded preceding and current row
                )
        end as interval_sequence
    from intervals
),

final as (
    select
        time_zone,
        calendar_territory,
        local_date,
        is_business_day,
        is_holiday,
        starts_at,
        ends_at,
        business_hours,
        interval_sequence,
        coalesce(
            sum(business_hours) over (
                partition by time_zone, calendar_territory
                order by local_date
                rows between unbounded preceding and 1 preceding
            ),
            0
        ) as business_hours_before,
        min(interval_sequence) over (
            partition by time_zone, calendar_territory
            order by local_date desc
            rows between unbounded preceding and current row
        ) as next_interval_sequence
    from measured
)

select * from final
