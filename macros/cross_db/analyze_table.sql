{#- Post-hook of table models: PostgreSQL plans joins from table statistics, which a freshly
    created table lacks until autovacuum gets to it, so each table is analysed when built.
    Other engines need nothing. -#}
{% macro lf_analyze_table() %}
    {{ return(adapter.dispatch('lf_analyze_table', 'lead_funnel')()) }}
{% endmacro %}

{% macro default__lf_analyze_table() %}
    {{ return('') }}
{% endmacro %}

{% macro postgres__lf_analyze_table() %}
    {%- if config.get('materialized') in ('table', 'incremental', 'seed') -%}
        analyze {{ this }}
    {%- endif -%}
{% endmacro %}


{#- Pre-hook of every model: PostgreSQL estimates the rows of a CTE used several times
    poorly and then picks nested loops that go quadratic on event tables; analytic models are
    better served by hash and merge joins, so nested loops are only a last resort there, and
    sorts and hashes get more memory than the server default. Other engines need nothing. -#}
{% macro lf_session_settings() %}
    {{ return(adapter.dispatch('lf_session_settings', 'lead_funnel')()) }}
{% endmacro %}

{% macro default__lf_session_settings() %}
    {{ return('') }}
{% endmacro %}

{% macro postgres__lf_session_settings() %}
    set enable_nestloop = off;
    set work_mem = '{{ env_var("LEAD_FUNNEL_PG_WORK_MEM", "256MB") }}'
{% endmacro %}
