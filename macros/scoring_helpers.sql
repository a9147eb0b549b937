{#- The scoring layer's as-of moment: var score_as_of ('YYYY-MM-DD HH:MM:SS'), else the data's
    watermark (int_data_watermark: the latest accepted timestamp of the staged event tables),
    read when the calling model compiles, so the same raw files give the same moment on any
    day. The ref below also makes every caller depend on the watermark model. -#}
{% macro lf_score_as_of() -%}
    {%- set as_of = var('score_as_of', none) -%}
    {%- if as_of is none or as_of == '' -%}
        {%- set as_of = lf_data_watermark(ref('int_data_watermark')) -%}
    {%- endif -%}
    cast('{{ as_of }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}


{#- The watermark as 'YYYY-MM-DD HH:MM:SS' text, queried once per compiled model; at parse time
    (nothing is queried then), or when the watermark model is not built yet (compiling without
    a build, e.g. for linting), a placeholder. -#}
{% macro lf_data_watermark(watermark_relation) -%}
    {%- set row = lf_first_row_if_built(watermark_relation, 'watermark_text') -%}
    {{ return(row[0] if row is not none and row[0] is not none else '1970-01-01 00:00:00') }}
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

{#- Spark: unix_micros keeps the fraction of a second that unix_timestamp drops. -#}
{% macro spark__lf_epoch_seconds(timestamp_expression) -%}
    (cast(unix_micros(cast({{ timestamp_expression }} as timestamp)) as double) / 1000000)
{%- endmacro %}


{#- The text value of a top-level key of a JSON object held as text; null when the text is not
    valid JSON or lacks the key. The key is an expression, so rules can name it as data. -#}
{% macro lf_json_text(json_expression, key_expression) %}
    {{ return(adapter.dispatch('lf_json_text', 'lead_funnel')(json_expression, key_expression)) }}
{% endmacro %}

{% macro default__lf_json_text(json_expression, key_expression) -%}
    ({{ json_expression }}::jsonb ->> {{ key_expression }})
{%- endmacro %}

{#- PostgreSQL: invalid JSON and non-objects give null, as on DuckDB (lf_try_jsonb). -#}
{% macro postgres__lf_json_text(json_expression, key_expression) -%}
    case
        when jsonb_typeof({{ target.schema }}.lf_try_jsonb({{ json_expression }})) = 'object'
            then {{ target.schema }}.lf_try_jsonb({{ json_expression }}) ->> {{ key_expression }}
    end
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


{#- A timestamp as 'YYYY-MM-DD HH:MM:SS.ffffff' text, which casts back to the same moment. -#}
{% macro lf_timestamp_text(timestamp_expression) %}
    {{ return(adapter.dispatch('lf_timestamp_text', 'lead_funnel')(timestamp_expression)) }}
{% endmacro %}

{% macro default__lf_timestamp_text(timestamp_expression) -%}
    to_char({{ timestamp_expression }}, 'YYYY-MM-DD HH24:MI:SS.US')
{%- endmacro %}

{% macro duckdb__lf_timestamp_text(timestamp_expression) -%}
    strftime({{ timestamp_expression }}, '%Y-%m-%d %H:%M:%S.%f')
{%- endmacro %}

{% macro spark__lf_timestamp_text(timestamp_expression) -%}
    date_format({{ timestamp_expression }}, 'yyyy-MM-dd HH:mm:ss.SSSSSS')
{%- endmacro %}


{#- (accumulators, score groups) of the widest scoring model in int_scoring_accumulators, read
    when the calling model compiles: the score history has one running sum per accumulator.
    At parse time, or before the layout exists, a generous default. -#}
{% macro lf_scoring_layout_size(accumulators_relation) -%}
    {%- set fallback = [16, 12] -%}
    {%- set row = lf_first_row_if_built(accumulators_relation, 'max(accumulator_index), max(group_index)') -%}
    {%- if row is none -%}
        {{ return(fallback) }}
    {%- elif row[0] is none -%}
        {{ return([1, 1]) }}
    {%- endif -%}
    {{ return([row[0] | int, row[1] | int]) }}
{%- endmacro %}


{#- The digits 0-9 as a one-column (n) relation, to build small number series portably. -#}
{% macro lf_digits() -%}
    (
        {%- for digit in range(10) %}
            select {{ digit }} as n{% if not loop.last %} union all{% endif %}
        {%- endfor %}
    )
{%- endmacro %}


{#- The first row of `select <columns> from <relation>`, queried when a model compiles; none at
    parse time, for a unit test's fixture (no schema) or while the relation is not built yet. -#}
{% macro lf_first_row_if_built(relation, columns) -%}
    {%- set rows = lf_rows_if_built(relation, columns) -%}
    {{ return(rows[0] if rows is not none and rows | length > 0 else none) }}
{%- endmacro %}


{#- All rows of `select <columns> from <relation> [order by <order_by>]`, queried when a model
    compiles; none at parse time, for a unit test's fixture (no schema) or while the relation
    is not built yet. -#}
{% macro lf_rows_if_built(relation, columns, order_by=none) -%}
    {%- if not execute or relation.schema is none or relation.identifier is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set existing = adapter.get_relation(
        database=relation.database, schema=relation.schema, identifier=relation.identifier) -%}
    {%- if existing is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set query = 'select ' ~ columns ~ ' from ' ~ relation ~ (' order by ' ~ order_by if order_by else '') -%}
    {%- set result = run_query(query) -%}
    {{ return(result.rows if result is not none else none) }}
{%- endmacro %}


{#- Stops the run when var mql_source is not one of the MQL sources: derived (the score), crm
    (the CRM's marketing_qualified status), earliest (of both), pql (the PQL moment) or
    earliest_incl_pql (of all three). -#}
{% macro lf_check_mql_source(mql_source) %}
    {%- set known = ['derived', 'crm', 'earliest', 'pql', 'earliest_incl_pql'] -%}
    {%- if mql_source not in known -%}
        {{ exceptions.raise_compiler_error(
            "var mql_source must be one of " ~ known | join(', ') ~ ", not '" ~ mql_source ~ "'") }}
    {%- endif -%}
{% endmacro %}
