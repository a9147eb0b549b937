{#- An ordered list of `expression` per group, ordered by `order_by` (an aggregate): a list
    column on DuckDB, an array (array_agg ... order by) elsewhere. With `where`, only the
    group's rows meeting that condition are listed, and a group without any gets null (as an
    aggregate's filter clause gives on DuckDB and PostgreSQL). -#}
{% macro lf_ordered_list(expression, order_by, where=none) %}
    {{ return(adapter.dispatch('lf_ordered_list', 'lead_funnel')(expression, order_by, where)) }}
{% endmacro %}

{% macro default__lf_ordered_list(expression, order_by, where=none) -%}
    array_agg({{ expression }} order by {{ order_by }})
    {%- if where is not none %} filter (where {{ where }}){% endif %}
{%- endmacro %}

{% macro duckdb__lf_ordered_list(expression, order_by, where=none) -%}
    list({{ expression }} order by {{ order_by }})
    {%- if where is not none %} filter (where {{ where }}){% endif %}
{%- endmacro %}

{#- Spark: collect_list has no order, so (keys, value) structs are collected and sorted with
    a comparator over the keys of `order_by` (each `expression [asc|desc]`, comma separated),
    then the values are taken out. Spark allows a filter clause on collect_list but not on the
    transform around it, and an empty collect_list is an empty array, not null. -#}
{% macro spark__lf_ordered_list(expression, order_by, where=none) -%}
    {%- set keys = [] -%}
    {%- for part in order_by.split(',') -%}
        {%- set words = part.strip().split(' ') -%}
        {%- set descending = words | length > 1 and words[-1] | lower == 'desc' -%}
        {%- set key_expression = words[0] if words | length > 1 and words[-1] | lower in ('asc', 'desc') else part.strip() -%}
        {%- do keys.append({'name': 'k' ~ loop.index, 'expression': key_expression, 'descending': descending}) -%}
    {%- endfor -%}
    {%- if where is not none %}
    case when count(*) filter (where {{ where }}) > 0 then
    {%- endif %}
    transform(
        array_sort(
            collect_list(named_struct(
                {%- for key in keys %}'{{ key.name }}', {{ key.expression }}, {% endfor -%}
                'v', {{ expression }}
            )){% if where is not none %} filter (where {{ where }}){% endif %},
            (l, r) -> case
                {%- for key in keys %}
                    {%- set first, second = ('r', 'l') if key.descending else ('l', 'r') %}
                    when {{ first }}.{{ key.name }} < {{ second }}.{{ key.name }} then -1
                    when {{ first }}.{{ key.name }} > {{ second }}.{{ key.name }} then 1
                {%- endfor %}
                else 0
            end
        ),
        item -> item.v
    )
    {%- if where is not none %}
    end
    {%- endif %}
{%- endmacro %}
