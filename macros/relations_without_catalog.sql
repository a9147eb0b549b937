{#-
    ref() and source() as dbt's own, but on DuckDB rendered without the database part:
    `staging.stg_crm__leads` rather than `lead_funnel.staging.stg_crm__leads`.

    DuckDB names a database file's catalog after the file (lead_funnel.duckdb is catalog
    lead_funnel), and a view keeps the text it was created with. Views that named the catalog
    would fail in a copy of the warehouse under another file name (`Catalog "..." does not
    exist`): a published version, a rollback or an analyst's copy. Without the catalog a view
    resolves in whichever file holds it. A relation of another attached database would need
    its catalog; the project reads none.

    PostgreSQL and Spark render relations exactly as dbt does (default__).
-#}
{% macro ref() -%}
    {{ return(lead_funnel.lf_relation_for_views(builtins.ref(*varargs, **kwargs))) }}
{%- endmacro %}


{% macro source() -%}
    {{ return(lead_funnel.lf_relation_for_views(builtins.source(*varargs, **kwargs))) }}
{%- endmacro %}


{% macro lf_relation_for_views(relation) -%}
    {{ return(adapter.dispatch('lf_relation_for_views', 'lead_funnel')(relation)) }}
{%- endmacro %}


{% macro default__lf_relation_for_views(relation) -%}
    {{ return(relation) }}
{%- endmacro %}


{#- A unit test's stand-in (no schema) and anything that is not a relation stay as they are. -#}
{% macro duckdb__lf_relation_for_views(relation) -%}
    {%- if relation is not none and relation.include is defined and relation.schema is not none -%}
        {{ return(relation.include(database=false)) }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}
