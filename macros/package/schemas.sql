{#-
    Where this project's schemas are, as the root project and installed as a package.

    As the root project every schema keeps its bare name (staging, intermediate, marts, seeds,
    audit, snapshots, incremental_state), so BI tools and analysts find
    `marts.fct_lead_scores` everywhere. Installed as a package in another dbt project, every
    one is nested under the host's target schema (`<target.schema>_marts`, ...), so the host's
    dev and prod targets never share a schema. As the root project, LEAD_FUNNEL_SCHEMA_PREFIX
    nests them the same way under a prefix of one's choice.

    The rule covers dbt's custom schemas (generate_schema_name) and the schemas the hooks and
    macros write themselves: the defaults of vars incremental_state_schema and
    publish_state_schema are lf_schema(...), and the raw landing schema is lf_raw_schema()
    (var raw_schema nested the same way; the raw sources' YAML spells the same rule out, as
    no macro runs there). A value set for incremental_state_schema or publish_state_schema is
    used as given, as are the connectors' schemas (salesforce_schema, ...), which belong to the
    connectors.
-#}

{#- `name` as this project's schema: bare, or `<prefix>_<name>` (lf_schema_prefix). -#}
{% macro lf_schema(name) -%}
    {%- set prefix = lead_funnel.lf_schema_prefix() -%}
    {{ return(prefix ~ '_' ~ name if prefix else name) }}
{%- endmacro %}


{#- Installed as a package: the host's target schema. As the root project:
    LEAD_FUNNEL_SCHEMA_PREFIX, and no prefix (bare names) when it is unset or empty. -#}
{% macro lf_schema_prefix() -%}
    {%- if lead_funnel.lf_installed_as_package() -%}
        {{ return(target.schema) }}
    {%- endif -%}
    {{ return(env_var('LEAD_FUNNEL_SCHEMA_PREFIX', '') | trim) }}
{%- endmacro %}


{#- True while another dbt project is built with this one as its package. -#}
{% macro lf_installed_as_package() -%}
    {{ return(project_name != 'lead_funnel') }}
{%- endmacro %}


{#- The schema the raw files are landed in (and the raw sources read): var raw_schema, nested
    like every schema of the project. The raw sources' YAML repeats this rule. -#}
{% macro lf_raw_schema() -%}
    {{ return(lead_funnel.lf_schema(var('raw_schema'))) }}
{%- endmacro %}
