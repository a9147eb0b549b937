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


{#- Ids of accepted leads, for checking that rows of other tables point at a known lead. -#}
{% macro lf_accepted_lead_ids() -%}
    select distinct lead_id
    from {{ ref('base_crm__leads') }}
    where rejection_reason is null
{%- endmacro %}


{#- The rows of `relation` with their rejection_reason: the row's own issue (column row_issue),
    else 'conflicting_duplicate_id' for every row but the first among the issue-free rows that
    share `key_expression`, first by `order_by` and then by the raw text of `raw_columns`. -#}
{% macro lf_reject_conflicting_duplicates(relation, key_expression, order_by, raw_columns) -%}
    select
        *,
        coalesce(
            row_issue,
            case
                when row_number() over (
                    partition by {{ key_expression }}, case when row_issue is null then 1 else 0 end
                    order by {{ order_by }}
                    {%- for column_name in raw_columns -%}
                        , {{ column_name }} asc nulls last
                    {%- endfor %}
                ) > 1
                    then 'conflicting_duplicate_id'
            end
        ) as rejection_reason
    from {{ relation }}
{%- endmacro %}
