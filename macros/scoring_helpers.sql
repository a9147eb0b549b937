{#- The scoring layer's as-of moment: var score_as_of ('YYYY-MM-DD HH:MM:SS'), else the run start. -#}
{% macro lf_score_as_of() -%}
    {%- set as_of = var('score_as_of', none) -%}
    {%- if as_of is none or as_of == '' -%}
        {%- set as_of = run_started_at.strftime('%Y-%m-%d %H:%M:%S') -%}
    {%- endif -%}
    cast('{{ as_of }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}


{#- Days from timestamp `start_at` to timestamp `end_at`, fractional (seconds / 86400). -#}
{% macro lf_days_between(start_at, end_at) -%}
    (({{ lf_epoch_seconds(end_at) }} - {{ lf_epoch_seconds(start_at) }}) / 86400.0)
{%- endmacro %}


{% macro lf_epoch_seconds(timestamp_expression) %}
    {{ return(adapter.dispatch('lf_epoch_seconds', 'lead_funnel')(timestamp_expression)) }}
{% endmacro %}

{% macro default__lf_epoch_seconds(timestamp_expression) -%}
    cast(extract(epoch from {{ timestamp_expression }}) as double precision)
{%- endmacro %}

{% macro duckdb__lf_epoch_seconds(timestamp_expression) -%}
    epoch({{ timestamp_expression }})
{%- endmacro %}

{% macro spark__lf_epoch_seconds(timestamp_expression) -%}
    cast(unix_timestamp({{ timestamp_expression }}) as double)
{%- endmacro %}


{#- The text value of a top-level key of a JSON object held as text; null when the text is not
    valid JSON or lacks the key. The key is an expression, so rules can name it as data. -#}
{% macro lf_json_text(json_expression, key_expression) %}
    {{ return(adapter.dispatch('lf_json_text', 'lead_funnel')(json_expression, key_expression)) }}
{% endmacro %}

{% macro default__lf_json_text(json_expression, key_expression) -%}
    ({{ json_expression }}::jsonb ->> {{ key_expression }})
{%- endmacro %}

{% macro duckdb__lf_json_text(json_expression, key_expression) -%}
    case
        when json_valid({{ json_expression }}) and json_type({{ json_expression }}) = 'OBJECT'
            then json_extract_string({{ json_expression }}, '$."' || {{ key_expression }} || '"')
    end
{%- endmacro %}

{% macro spark__lf_json_text(json_expression, key_expression) -%}
    get_json_object({{ json_expression }}, concat('$.', {{ key_expression }}))
{%- endmacro %}
