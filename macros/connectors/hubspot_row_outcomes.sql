{#- The closing CTEs of the HubSpot row-outcome models: from a `row_outcomes` CTE (one row per
    connector row: connector_table, contract_table, reason; reason null = mapped) the mapped
    and dropped counts per table and reason, beside each table's own row count. `counted`
    lists (connector table, CTE reading it) pairs; a table without classified rows counts as
    mapped with 0 rows. Emits the CTEs outcome_counts, table_rows and final (the caller's CTE
    list ends with a comma) and the final select. -#}
{% macro lf_hubspot_row_outcome_counts(counted) %}
outcome_counts as (
    select
        connector_table,
        case when reason is null then contract_table end as contract_table,
        case when reason is null then 'mapped' else 'dropped' end as outcome,
        reason,
        count(*) as row_count
    from row_outcomes
    group by
        connector_table,
        case when reason is null then contract_table end,
        case when reason is null then 'mapped' else 'dropped' end,
        reason
),

table_rows as (
    {%- for connector_table, relation in counted %}
        select
            '{{ connector_table }}' as connector_table,
            count(*) as connector_rows
        from {{ relation }}
        {{ 'union all' if not loop.last }}
    {%- endfor %}
),

final as (
    select
        cast(table_rows.connector_table as {{ lf_engine_type('varchar') }}) as connector_table,
        cast(outcome_counts.contract_table as {{ lf_engine_type('varchar') }}) as contract_table,
        cast(coalesce(outcome_counts.outcome, 'mapped') as {{ lf_engine_type('varchar') }}) as outcome,
        cast(outcome_counts.reason as {{ lf_engine_type('varchar') }}) as reason,
        cast(coalesce(outcome_counts.row_count, 0) as {{ dbt.type_bigint() }}) as row_count,
        cast(table_rows.connector_rows as {{ dbt.type_bigint() }}) as connector_rows
    from table_rows
    left join outcome_counts
        on table_rows.connector_table = outcome_counts.connector_table
)

select * from final
{% endmacro %}
