{#- One row per day from start_date to end_date (date expressions, inclusive), as column
    calendar_date. Portable: numbers come from cross-joined digits, at most 100,000 days.
    When the dates are columns of a relation (a CTE of the caller), name it as
    bounds_relation: it is joined inside, because PostgreSQL does not let a subquery in
    FROM see a sibling's columns. -#}
{% macro lf_day_spine(start_date, end_date, bounds_relation=none) -%}
    with digits as (
        {%- for digit in range(10) %}
            select {{ digit }} as digit{{ ' union all' if not loop.last }}
        {%- endfor %}
    ),

    numbers as (
        select
            ones.digit + 10 * tens.digit + 100 * hundreds.digit + 1000 * thousands.digit
            + 10000 * ten_thousands.digit as day_offset
        from digits as ones
        cross join digits as tens
        cross join digits as hundreds
        cross join digits as thousands
        cross join digits as ten_thousands
    )

    select cast({{ dbt.dateadd('day', 'numbers.day_offset', start_date) }} as date) as calendar_date
    from numbers
    {%- if bounds_relation %}
        cross join {{ bounds_relation }}
    {%- endif %}
    where numbers.day_offset <= {{ dbt.datediff(start_date, end_date, 'day') }}
{%- endmacro %}
