{#- Lists beside lf_ordered_list (macros/list_helpers.sql): length and the empty list. -#}

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

{#- An empty list of text, typed like lf_ordered_list's lists of text. -#}
{% macro lf_empty_list() %}
    {{ return(adapter.dispatch('lf_empty_list', 'lead_funnel')()) }}
{% endmacro %}

{% macro default__lf_empty_list() -%}
    cast(array[] as text[])
{%- endmacro %}

{% macro duckdb__lf_empty_list() -%}
    cast([] as varchar[])
{%- endmacro %}

{% macro spark__lf_empty_list() -%}
    cast(array() as array<string>)
{%- endmacro %}
