{#- A cast that yields null instead of failing, so staging can quarantine unparsable values.
    DuckDB and Spark have try_cast; Postgres has none, so only values shaped like the
    target type are cast there. -#}
{% macro lf_try_cast(expression, data_type) %}
    {{ return(adapter.dispatch('lf_try_cast', 'lead_funnel')(expression, data_type)) }}
{% endmacro %}

{% macro default__lf_try_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{% macro postgres__lf_try_cast(expression, data_type) -%}
    {%- set kind = data_type | lower -%}
    {%- if 'timestamp' in kind or 'date' in kind -%}
        case when {{ expression }} ~ '^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])([ T]([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?)?$'
            then cast({{ expression }} as {{ data_type }}) end
    {%- elif 'int' in kind -%}
        case when trim({{ expression }}) ~ '^[+-]?\d{1,18}$' then cast({{ expression }} as {{ data_type }}) end
    {%- else -%}
        case when trim({{ expression }}) ~ '^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$'
            then cast({{ expression }} as {{ data_type }}) end
    {%- endif -%}
{%- endmacro %}


{#- Text to boolean: true/false, t/f, yes/no, 1/0 in any case; anything else is null. -#}
{% macro lf_parse_boolean(expression) -%}
    case
        when lower(trim({{ expression }})) in ('true', 't', 'yes', 'y', '1') then true
        when lower(trim({{ expression }})) in ('false', 'f', 'no', 'n', '0') then false
    end
{%- endmacro %}


{#- Text that is blank after trimming becomes null. -#}
{% macro lf_clean_text(expression) -%}
    nullif(trim({{ expression }}), '')
{%- endmacro %}


{#- The latest timestamp a row may carry before it is quarantined as lying in the future. -#}
{% macro lf_future_limit() -%}
    {{ dbt.dateadd('hour', var('future_tolerance_hours'),
        "cast('" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S') ~ "' as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}


{#- A double rounded to `digits` decimals, as a double (PostgreSQL rounds only numerics). -#}
{% macro lf_round(expression, digits) %}
    {{- return(adapter.dispatch('lf_round', 'lead_funnel')(expression, digits)) -}}
{% endmacro %}

{% macro default__lf_round(expression, digits) -%}
    round({{ expression }}, {{ digits }})
{%- endmacro %}

{% macro postgres__lf_round(expression, digits) -%}
    cast(round(cast({{ expression }} as numeric), {{ digits }}) as double precision)
{%- endmacro %}
