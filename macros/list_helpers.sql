{#- An ordered list of `expression` per group, ordered by `order_by` (an aggregate): a list
    column on DuckDB, an array (array_agg ... order by) elsewhere. -#}
{% macro lf_ordered_list(expression, order_by) %}
    {{ return(adapter.dispatch('lf_ordered_list', 'lead_funnel')(expression, order_by)) }}
{% endmacro %}

{% macro default__lf_ordered_list(expression, order_by) -%}
    array_agg({{ expression }} order by {{ order_by }})
{%- endmacro %}

{% macro duckdb__lf_ordered_list(expression, order_by) -%}
    list({{ expression }} order by {{ order_by }})
{%- endmacro %}
