{#- Custom schemas are used as given (staging, marts, seeds), not prefixed with the
    target schema, so BI tools and analysts find `marts.fct_lead_scores` everywhere. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
