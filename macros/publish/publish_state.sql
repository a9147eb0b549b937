{#-
    Publish state: how many rows each raw table staged in the last build that succeeded as a
    whole, so the next build can refuse to publish a table that vanished or shrank
    (audit_publish_gates). Kept in the table audit.published_table_counts, outside
    the models, because every build replaces the models.
-#}

{#- The relation holding the published counts. -#}
{% macro lf_publish_state_relation() -%}
    {{ adapter.quote(var('publish_state_schema')) }}.{{ adapter.quote('published_table_counts') }}
{%- endmacro %}


{#- on-run-start: the state table exists before any model or test reads it. -#}
{% macro lf_prepare_publish_state() %}
    {%- if execute -%}
        {%- do run_query('create schema if not exists ' ~ adapter.quote(var('publish_state_schema'))) -%}
        {%- do run_query(
            'create table if not exists ' ~ lead_funnel.lf_publish_state_relation() ~ ' ('
            ~ 'build_number ' ~ dbt.type_bigint() ~ ', '
            ~ 'source_table ' ~ dbt.type_string() ~ ', '
            ~ 'staged_rows ' ~ dbt.type_bigint() ~ ', '
            ~ 'quarantined_rows ' ~ dbt.type_bigint() ~ ', '
            ~ 'published_at ' ~ dbt.type_timestamp() ~ ', '
            ~ 'invocation_id ' ~ dbt.type_string() ~ ')'
        ) -%}
    {%- endif -%}
    {{ return('select 1 as publish_state_prepared') }}
{% endmacro %}


{#- on-run-end: when nothing in the run failed and the gates were evaluated, the counts the
    gates saw become the published state (one row per table and build, numbered 1, 2, ...). -#}
{% macro lf_record_published_counts(results) %}
    {%- if not execute -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- set gates_built = [] -%}
    {%- set failures = [] -%}
    {%- for result in results -%}
        {%- if result.status in ('error', 'fail', 'skipped', 'runtime error') -%}
            {%- do failures.append(result.node.name) -%}
        {%- endif -%}
        {%- if result.node.name == 'audit_publish_gates' and result.status == 'success' -%}
            {%- do gates_built.append(result.node.relation_name) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if gates_built and not failures -%}
        {%- do run_query(
            'insert into ' ~ lead_funnel.lf_publish_state_relation()
            ~ ' select (select coalesce(max(build_number), 0) + 1 from '
            ~ lead_funnel.lf_publish_state_relation() ~ '), source_table, staged_rows, quarantined_rows, '
            ~ "cast('" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S') ~ "' as " ~ dbt.type_timestamp() ~ '), '
            ~ "'" ~ invocation_id ~ "' from " ~ gates_built[0]
        ) -%}
    {%- endif -%}
    {{ return('select 1 as published_counts_recorded') }}
{% endmacro %}


{#- A failing gate stops the run with its message where the engine can raise one (DuckDB's
    error()); elsewhere the test fails with the failing rows, whose gate_failure says why. -#}
{% macro lf_raise_gate_failures(relation) %}
    {{ return(adapter.dispatch('lf_raise_gate_failures', 'lead_funnel')(relation)) }}
{% endmacro %}

{% macro default__lf_raise_gate_failures(relation) -%}
    select source_table, gate_failure
    from {{ relation }}
    where gate_failure is not null
{%- endmacro %}

{% macro duckdb__lf_raise_gate_failures(relation) -%}
    with failures as (
        select string_agg(gate_failure, '; ' order by source_table) as message
        from {{ relation }}
        where gate_failure is not null
    )

    -- error() sits in the filter, which the engine always evaluates
    select message
    from failures
    where message is not null and error('publish gate: ' || message) is null
{%- endmacro %}
