{#- The attribution models of fct_attribution_touches, in the order reports list them. -#}
{% macro lf_attribution_models() -%}
    {{ return(['first_touch', 'last_touch', 'linear', 'u_shaped', 'w_shaped', 'time_decay']) }}
{%- endmacro %}
