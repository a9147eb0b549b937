{#- A custom schema (staging, marts, seeds, ...) as this project names its schemas
    (lf_schema): as the root project bare, so BI tools and analysts find
    `marts.fct_lead_scores` everywhere; installed as a package nested under the host's target
    schema (`<target.schema>_marts`). dbt uses a package's own generate_schema_name for that
    package's nodes, whatever the host project's says. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ lead_funnel.lf_schema(custom_schema_name | trim) }}
    {%- endif -%}
{%- endmacro %}
