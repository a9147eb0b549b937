{#- A data test's query that fails with its rows' messages: `query` (a select) returns one row
    per failure, `message_column` says what is wrong. Where the engine can raise an error from
    SQL (DuckDB's error()) the test stops with the messages joined, so the failure names what
    is missing; elsewhere it returns the rows, whose messages dbt stores with store_failures. -#}
{% macro lf_fail_with_messages(query, message_column) %}
    {{ return(adapter.dispatch('lf_fail_with_messages', 'lead_funnel')(query, message_column)) }}
{% endmacro %}

{% macro default__lf_fail_with_messages(query, message_column) -%}
    select * from ({{ query }}) as failures
{%- endmacro %}

{% macro duckdb__lf_fail_with_messages(query, message_column) -%}
    with failures as (
        {{ query }}
    ),

    joined as (
        select string_agg({{ message_column }}, '; ' order by {{ message_column }}) as message
        from failures
    )

    -- error() sits in the filter, which the engine always evaluates
    select message
    from joined
    where message is not null and error(message) is null
{%- endmacro %}
