-- One row per day from 2015 through 2035: the time spine MetricFlow joins cumulative and
-- trailing-window metrics to. Built from the project's portable day spine macro.

with

days as (
    {{ lf_day_spine("cast('2015-01-01' as date)", "cast('2035-12-31' as date)") }}
),

final as (
    select cast(calendar_date as date) as date_day
    from days
)

select * from final
