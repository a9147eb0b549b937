{#- ISO 8601 text to a UTC timestamp (without time zone), null when the text is not one of:
    YYYY-MM-DD HH:MM:SS[.fff] (or with T instead of the space), optionally followed by Z or a
    numeric offset (+02:00, -0500, +02), which is subtracted to give UTC; or YYYY-MM-DD, read
    as midnight UTC. Text and offset arithmetic only, so the session time zone never matters.
    Hours 00-23, seconds 00-59, offsets up to 14 hours, year 0000 is not read. -#}
{% macro lf_parse_timestamp(expression) %}
    {{ return(adapter.dispatch('lf_parse_timestamp', 'lead_funnel')(expression)) }}
{% endmacro %}


{#- True when the text is a readable date without a time of day (YYYY-MM-DD). -#}
{% macro lf_is_date_only(expression) -%}
    ({{ lf_parse_timestamp(expression) }} is not null and length(trim({{ expression }})) = 10)
{%- endmacro %}


{#- The pattern of lf_parse_timestamp, on upper-cased trimmed text. Groups: 1 date, 2 year,
    3 month, 4 day of month, 5 time of day, 6 hour, 7 minute, 8 second (with fraction),
    9 zone (Z or offset), 10 offset sign, 11 offset hours, 12 offset minutes. Only [0-9]
    classes and no backslashes, so the same text is valid in every engine's string literal. -#}
{% macro lf_iso_timestamp_pattern() -%}
    {%- set date_part = '(([0-9]{4})-([0-9]{2})-([0-9]{2}))' -%}
    {%- set clock_part = '(([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9](?:[.][0-9]{1,9})?))' -%}
    {%- set zone_part = '(Z|([+-])(0[0-9]|1[0-4])(?::?([0-5][0-9]))?)' -%}
    {{- '^' ~ date_part ~ '(?:[T ]' ~ clock_part ~ zone_part ~ '?)?$' -}}
{%- endmacro %}


{#- DuckDB: regexp_extract with named groups, a cast of the zone-less text to timestamp (never
    timestamptz, whose casts follow the session time zone), then the offset in minutes. -#}
{% macro duckdb__lf_parse_timestamp(expression) -%}
    {%- set text = "upper(trim(" ~ expression ~ "))" -%}
    {%- set part = "regexp_extract(" ~ text ~ ", '" ~ lf_iso_timestamp_pattern()
        ~ "', ['day', 'year', 'month', 'day_of_month', 'clock', 'hour', 'minute', 'second', 'zone',"
        ~ " 'sign', 'offset_hours', 'offset_minutes'])" -%}
    (case
        -- the common plain form, read without regular expressions
        when {{ text }} like '____-__-__ __:__:__' and substr({{ text }}, 12, 2) < '24'
            and not starts_with({{ text }}, '0000')
            then try_cast({{ text }} as timestamp)
        when regexp_full_match({{ text }}, '{{ lf_iso_timestamp_pattern() }}')
            and not starts_with({{ text }}, '0000')
            then try_cast(
                {{ part }}.day || ' ' || coalesce(nullif({{ part }}.clock, ''), '00:00:00')
                as timestamp
            ) - to_minutes(
                case when {{ part }}.sign = '-' then -1 else 1 end
                * (
                    coalesce(cast(nullif({{ part }}.offset_hours, '') as integer), 0) * 60
                    + coalesce(cast(nullif({{ part }}.offset_minutes, '') as integer), 0)
                )
            )
    end)
{%- endmacro %}


{#- Postgres (and engines with regexp_match, make_timestamp and interval arithmetic): every field
    is checked before make_timestamp is called, because Postgres casts fail on bad values. CASE
    branches are evaluated in order, so make_date only sees a valid year and month. -#}
{% macro default__lf_parse_timestamp(expression) -%}
    {{- lf_timestamp_from_match(
        "(regexp_match(upper(trim(" ~ expression ~ ")), '" ~ lf_iso_timestamp_pattern() ~ "'))"
    ) -}}
{%- endmacro %}


{#- The parsed timestamp from the text array of a regexp_match of lf_iso_timestamp_pattern. -#}
{% macro lf_timestamp_from_match(m) -%}
    {%- set year = "cast(" ~ m ~ "[2] as integer)" -%}
    {%- set month = "cast(" ~ m ~ "[3] as integer)" -%}
    {%- set day = "cast(" ~ m ~ "[4] as integer)" -%}
    (case
        when {{ m }} is null then null
        when {{ year }} < 1 or {{ month }} not between 1 and 12 or {{ day }} < 1 then null
        when {{ day }} > extract(
            day from make_date({{ year }}, {{ month }}, 1) + interval '1 month' - interval '1 day'
        ) then null
        else make_timestamp(
            {{ year }}, {{ month }}, 1,
            coalesce(cast({{ m }}[6] as integer), 0),
            coalesce(cast({{ m }}[7] as integer), 0),
            coalesce(cast(trunc(cast({{ m }}[8] as numeric), 6) as double precision), 0)
        )
        + ({{ day }} - 1) * interval '1 day'
        - (case when {{ m }}[10] = '-' then -1 else 1 end)
        * (coalesce(cast({{ m }}[11] as integer), 0) * 60 + coalesce(cast({{ m }}[12] as integer), 0))
        * interval '1 minute'
    end)
{%- endmacro %}


{#- PostgreSQL evaluates a repeated expression once per mention, so the parse lives in a
    function (lf_create_engine_functions) that matches the pattern once per value. -#}
{% macro postgres__lf_parse_timestamp(expression) -%}
    {{ target.schema }}.lf_parse_timestamp({{ expression }})
{%- endmacro %}


{#- Spark SQL (3.4 or later): regexp_extract by group index (empty when absent), a try_cast of
    the zone-less text to timestamp_ntz and wall-clock interval arithmetic, returned as
    timestamp; run Spark sessions with spark.sql.session.timeZone=UTC so that type reads as UTC. -#}
{% macro spark__lf_parse_timestamp(expression) -%}
    {%- set text = "upper(trim(" ~ expression ~ "))" -%}
    {%- set pattern = "'" ~ lf_iso_timestamp_pattern() ~ "'" -%}
    (case
        when {{ text }} rlike {{ pattern }} and substr({{ text }}, 1, 4) <> '0000'
            then cast(
                try_cast(
                    concat(
                        regexp_extract({{ text }}, {{ pattern }}, 1), ' ',
                        coalesce(nullif(regexp_extract({{ text }}, {{ pattern }}, 5), ''), '00:00:00')
                    ) as timestamp_ntz
                ) - make_dt_interval(
                    0,
                    (case when regexp_extract({{ text }}, {{ pattern }}, 10) = '-' then -1 else 1 end)
                    * coalesce(cast(nullif(regexp_extract({{ text }}, {{ pattern }}, 11), '') as int), 0),
                    (case when regexp_extract({{ text }}, {{ pattern }}, 10) = '-' then -1 else 1 end)
                    * coalesce(cast(nullif(regexp_extract({{ text }}, {{ pattern }}, 12), '') as int), 0),
                    0
                ) as timestamp
            )
    end)
{%- endmacro %}


{#- The earliest plausible moment (var timestamp_floor, 'YYYY-MM-DD'); staging quarantines
    earlier timestamps as implausible_timestamp. -#}
{% macro lf_timestamp_floor() -%}
    cast('{{ var("timestamp_floor") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}
