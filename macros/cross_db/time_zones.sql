{#- Time zone conversion of timestamps without time zone. lf_local_to_utc reads the value as the
    wall-clock time in the IANA zone (an expression) and gives the UTC time; lf_utc_to_local the
    reverse. The session time zone never matters: DuckDB (ICU) and PostgreSQL turn the wall
    time into an instant with timezone(zone, timestamp) and back with timezone(zone,
    timestamptz); Spark has to_utc_timestamp and from_utc_timestamp. A wall time in a
    daylight-saving gap or overlap is resolved as each engine does; business hours never fall
    in one. -#}
{% macro lf_local_to_utc(expression, time_zone) %}
    {{ return(adapter.dispatch('lf_local_to_utc', 'lead_funnel')(expression, time_zone)) }}
{% endmacro %}

{% macro default__lf_local_to_utc(expression, time_zone) -%}
    timezone('UTC', timezone({{ time_zone }}, {{ expression }}))
{%- endmacro %}

{% macro spark__lf_local_to_utc(expression, time_zone) -%}
    to_utc_timestamp({{ expression }}, {{ time_zone }})
{%- endmacro %}


{% macro lf_utc_to_local(expression, time_zone) %}
    {{ return(adapter.dispatch('lf_utc_to_local', 'lead_funnel')(expression, time_zone)) }}
{% endmacro %}

{% macro default__lf_utc_to_local(expression, time_zone) -%}
    timezone({{ time_zone }}, timezone('UTC', {{ expression }}))
{%- endmacro %}

{% macro spark__lf_utc_to_local(expression, time_zone) -%}
    from_utc_timestamp({{ expression }}, {{ time_zone }})
{%- endmacro %}
