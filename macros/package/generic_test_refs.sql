{#-
    Generic tests resolve their refs with this project's ref().

    dbt renders a generic test (its model, and arguments such as a relationships test's
    `to: ref('dim_accounts')`) with only the macros the test depends on: the test's own macro,
    get_where_subquery and the macros they call. This get_where_subquery is dbt's, and the call
    below, never made, puts lead_funnel's ref() among those macros, so a test's one-argument
    ref names this project's model even when a host project has a model of the same name
    (macros/relations_without_catalog.sql). dbt takes a package's get_where_subquery for every
    test unless the root project has its own; a host's tests get dbt's ref() from it unchanged.

    dbt records the model of its own unique and not_null tests without rendering anything;
    these two are dbt's tests under the same names, so they are rendered like every other test.
-#}
{% macro get_where_subquery(relation) -%}
    {%- if false -%}{{ lead_funnel.ref('') }}{%- endif -%}
    {{ return(adapter.dispatch('get_where_subquery', 'dbt')(relation)) }}
{%- endmacro %}


{% test unique(model, column_name) %}
    {{ adapter.dispatch('test_unique', 'dbt')(model, column_name) }}
{% endtest %}


{% test not_null(model, column_name) %}
    {{ adapter.dispatch('test_not_null', 'dbt')(model, column_name) }}
{% endtest %}
