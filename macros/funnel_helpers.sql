{#- Continuous percentile (linear interpolation between closest ranks, as numpy's default). -#}
{% macro lf_percentile(expression, fraction) %}
    {{ return(adapter.dispatch('lf_percentile', 'lead_funnel')(expression, fraction)) }}
{% endmacro %}

{% macro default__lf_percentile(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro spark__lf_percentile(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}


{#- ISO weekday of a date or timestamp: 1 = Monday ... 7 = Sunday. -#}
{% macro lf_iso_weekday(expression) %}
    {{ return(adapter.dispatch('lf_iso_weekday', 'lead_funnel')(expression)) }}
{% endmacro %}

{% macro default__lf_iso_weekday(expression) -%}
    cast(extract(isodow from {{ expression }}) as {{ dbt.type_int() }})
{%- endmacro %}

{% macro spark__lf_iso_weekday(expression) -%}
    (((dayofweek({{ expression }}) + 5) % 7) + 1)
{%- endmacro %}


{#- Hours from timestamp start_at to timestamp end_at, fractional. -#}
{% macro lf_hours_between(start_at, end_at) -%}
    (({{ lf_epoch_seconds(end_at) }} - {{ lf_epoch_seconds(start_at) }}) / 3600.0)
{%- endmacro %}


{#- A ratio that is null, not an error, when the denominator is zero. -#}
{% macro lf_ratio(numerator, denominator) -%}
    case when {{ denominator }} > 0 then cast({{ numerator }} as {{ lf_engine_type("double") }}) / {{ denominator }} end
{%- endmacro %}


{#- The as-of moment shifted back by the conversion window: cohorts entered before it are mature. -#}
{% macro lf_maturity_cutoff() -%}
    {{ dbt.dateadd('day', -1 * var('conversion_window_days'), lf_score_as_of()) }}
{%- endmacro %}
