{#-
    dbt source freshness on raw text. Every raw column arrives as text (the landing hook on
    DuckDB, lead_funnel.load on PostgreSQL and Spark), so each source's loaded_at_field names
    raw text: a column such as updated_at, or a text expression such as
    coalesce(nullif(trim(loaded_at), ''), occurred_at). This replaces dbt's
    default__collect_freshness for the project: it reads that text as staging does
    (lf_parse_timestamp, dispatched per engine) and ignores moments later than the future
    limit, so an unreadable value cannot fail the query and a far-future one (2099-...) cannot
    make a stale table look fresh. The rest is dbt's own query.
-#}
{% macro default__collect_freshness(source, loaded_at_field, filter) %}
    {%- call statement('collect_freshness', fetch_result=True, auto_begin=False) -%}
        select
            max({{ lead_funnel.lf_freshness_moment(loaded_at_field) }}) as max_loaded_at,
            {{ current_timestamp() }} as snapshotted_at
        from {{ source }}
        {%- if filter %}
            where {{ filter }}
        {%- endif %}
    {%- endcall -%}
    {{ return(load_result('collect_freshness')) }}
{% endmacro %}


{#- The moment a raw row counts as loaded for freshness: its text read as a UTC timestamp, null
    when unreadable or later than lf_future_limit(). A timestamp column (the landing tables'
    landed_at) is cast to text first, which every engine writes in a form the parser reads. -#}
{% macro lf_freshness_moment(expression) -%}
    {%- set moment = lead_funnel.lf_parse_timestamp('cast(' ~ expression ~ ' as ' ~ dbt.type_string() ~ ')') -%}
    (case when {{ moment }} <= {{ lead_funnel.lf_future_limit() }} then {{ moment }} end)
{%- endmacro %}
