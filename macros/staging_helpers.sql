{#- Raw rows with identical values in every contract column collapse into one row;
    raw_row_count keeps how many copies there were, so no row is lost from the count. -#}
{% macro lf_collapse_exact_duplicates(relation, columns) -%}
    select
        {%- for column_name in columns %}
        {{ column_name }},
        {%- endfor %}
        count(*) as raw_row_count
    from {{ relation }}
    group by
        {%- for column_name in columns %}
        {{ column_name }}{{ ',' if not loop.last }}
        {%- endfor %}
{%- endmacro %}


{#- True when any of the given text columns is null or blank. -#}
{% macro lf_any_missing(columns) -%}
    ({%- for column_name in columns -%}
        {{ lf_clean_text(column_name) }} is null{{ ' or ' if not loop.last }}
    {%- endfor -%})
{%- endmacro %}


{#- One readable text of a raw row, e.g. "event_id=E1 | lead_id=L9 | ...", for quarantine. -#}
{% macro lf_raw_record(columns) -%}
    {%- set parts = [] -%}
    {%- for column_name in columns -%}
        {%- do parts.append("'" ~ column_name ~ "='") -%}
        {%- do parts.append("coalesce(" ~ column_name ~ ", '')") -%}
        {%- if not loop.last -%}{%- do parts.append("' | '") -%}{%- endif -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}
