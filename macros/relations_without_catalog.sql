{#-
    ref() and source() for this project's own nodes: dbt's own, with two differences.

    A one-argument ref names this project's model: `ref('dim_accounts')` resolves as
    `ref('lead_funnel', 'dim_accounts')`. dbt looks a package's one-argument refs up in the root
    project first, so when lead_funnel is installed as a package a host model of the same name
    would otherwise take the place of this project's. dbt gives a package's ref() macro to that
    package's models, snapshots, hooks and singular tests; generic tests get it through
    get_where_subquery (macros/package/generic_test_refs.sql).

    On DuckDB, relations are rendered without the database part: `staging.stg_crm__leads`
    rather than `lead_funnel.staging.stg_crm__leads`. DuckDB names a database file's catalog
    after the file (lead_funnel.duckdb is catalog lead_funnel), and a view keeps the text it
    was created with. Views that named the catalog would fail in a copy of the warehouse under
    another file name (`Catalog "..." does not exist`): a published version, a rollback or an
    analyst's copy. Without the catalog a view resolves in whichever file holds it. A relation
    of another attached database would need its catalog; the project reads none.

    PostgreSQL and Spark render relations exactly as dbt does (default__). A host project's
    node that reaches this ref() (a host's generic test shares get_where_subquery) gets dbt's
    ref() unchanged.
-#}
{% macro ref() -%}
    {%- if not lead_funnel.lf_is_own_node() -%}
        {{ return(builtins.ref(*varargs, **kwargs)) }}
    {%- endif -%}
    {%- if varargs | length == 1 -%}
        {%- set relation = builtins.ref('lead_funnel', varargs[0], **kwargs) -%}
    {%- else -%}
        {%- set relation = builtins.ref(*varargs, **kwargs) -%}
    {%- endif -%}
    {{ return(lead_funnel.lf_relation_for_views(relation)) }}
{%- endmacro %}


{% macro source() -%}
    {{ return(lead_funnel.lf_relation_for_views(builtins.source(*varargs, **kwargs))) }}
{%- endmacro %}


{#- True while dbt renders a node of this project (model, test, snapshot, hook, ...). -#}
{% macro lf_is_own_node() -%}
    {{ return(model is defined and model is not none and model.package_name == 'lead_funnel') }}
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
