{#-
    Functions an engine lacks, created before any model runs (on-run-start). PostgreSQL has
    no way to test whether text is valid JSON without raising an error (pg_input_is_valid is
    PostgreSQL 16+), so lf_try_jsonb(text) returns the parsed value or null; and it evaluates
    a repeated expression once per mention, so lf_parse_timestamp(text) matches the ISO
    pattern once per value. DuckDB and Spark need nothing of this.
-#}
{% macro lf_create_engine_functions() %}
    {{ return(adapter.dispatch('lf_create_engine_functions', 'lead_funnel')()) }}
{% endmacro %}


{% macro default__lf_create_engine_functions() %}
    {{ return('select 1 as engine_functions_needed') }}
{% endmacro %}


{% macro postgres__lf_create_engine_functions() %}
    create schema if not exists {{ adapter.quote(target.schema) }};
    create or replace function {{ adapter.quote(target.schema) }}.lf_try_jsonb(value text)
    returns jsonb
    language plpgsql
    immutable
    as $lf$
    begin
        return value::jsonb;
    exception when others then
        return null;
    end;
    $lf$;
    create or replace function {{ adapter.quote(target.schema) }}.lf_parse_timestamp(value text)
    returns timestamp
    language plpgsql
    immutable
    as $lf$
    declare
        m text[];
    begin
        m := regexp_match(upper(trim(value)), '{{ lf_iso_timestamp_pattern() }}');
        return {{ lf_timestamp_from_match('m') }};
    end;
    $lf$
{% endmacro %}
