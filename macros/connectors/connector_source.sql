{#-
    A connector's table with every column its sources YAML lists, as text: what the adapter
    models read instead of source() itself, so the same SQL reads the text views the DuckDB
    landing hook makes of connector files and the typed tables a connector writes into a
    warehouse (timestamps, booleans, numbers), where a column cast to text reads as the
    contract's text does (a timestamp with a zone keeps its offset, which staging subtracts).
    A listed column the warehouse table lacks (connectors differ by account and version) is
    null text, and a table the connector does not sync (it does not exist) is empty. Renders a
    subquery with an alias, for a from clause.
-#}
{% macro lf_connector_source(source_name, table_name) %}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute or lead_funnel.lf_in_unit_test() -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set node = lead_funnel.lf_source_node(source_name, table_name) -%}
    {%- set text_type = lead_funnel.lf_engine_type('varchar') -%}
    {%- set existing = adapter.get_relation(
        database=relation.database, schema=relation.schema, identifier=relation.identifier) -%}
    {%- if existing is none -%}
        {#- a table the connector does not sync: empty, as a missing file lands -#}
        {%- set empty = [] -%}
        {%- for column_name in node.columns -%}
            {%- do empty.append('cast(null as ' ~ text_type ~ ') as ' ~ adapter.quote(column_name | lower)) -%}
        {%- endfor -%}
        {{ return('(select ' ~ empty | join(', ') ~ ' where 1 = 0) as ' ~ source_name ~ '_' ~ table_name) }}
    {%- endif -%}
    {%- set present = [] -%}
    {%- for column in adapter.get_columns_in_relation(relation) -%}
        {%- do present.append(column.name | lower) -%}
    {%- endfor -%}
    {%- set columns = [] -%}
    {%- for column_name in node.columns -%}
        {%- set name = column_name | lower -%}
        {%- if name in present -%}
            {%- do columns.append('cast(' ~ adapter.quote(name) ~ ' as ' ~ text_type ~ ') as '
                ~ adapter.quote(name)) -%}
        {%- else -%}
            {%- do columns.append('cast(null as ' ~ text_type ~ ') as ' ~ adapter.quote(name)) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return('(select ' ~ columns | join(', ') ~ ' from ' ~ relation ~ ') as '
        ~ source_name ~ '_' ~ table_name) }}
{% endmacro %}


{#- The graph node of source table `source_name`.`table_name` of this package. -#}
{% macro lf_source_node(source_name, table_name) %}
    {%- for node in graph.sources.values() if node.source_name == source_name
        and node.name == table_name and node.package_name == 'lead_funnel' -%}
        {{ return(node) }}
    {%- endfor -%}
    {{ exceptions.raise_compiler_error('no source ' ~ source_name ~ '.' ~ table_name) }}
{% endmacro %}
