{#- The number of elements of a list column (lf_ordered_list): len on DuckDB, cardinality on
    PostgreSQL, size on Spark. -#}
{% macro lf_list_length(expression) %}
    {{ return(adapter.dispatch('lf_list_length', 'lead_funnel')(expression)) }}
{% endmacro %}

{% macro default__lf_list_length(expression) -%}
    cardinality({{ expression }})
{%- endmacro %}

{% macro duckdb__lf_list_length(expression) -%}
    len({{ expression }})
{%- endmacro %}

{% macro spark__lf_list_length(expression) -%}
    size({{ expression }})
{%- endmacro %}
