{#-
    Registers raw tables written as Parquet folders by `lead-funnel load --target spark`:
    `locations` maps each raw table to its folder. Run through dbt so the tables land in the
    metastore of the Spark session dbt itself uses.
-#}
{% macro lf_register_raw_tables(locations) %}
    {%- set raw_schema = lead_funnel.lf_raw_schema() -%}
    {%- do run_query('create schema if not exists ' ~ raw_schema) -%}
    {%- for table_name, location in locations.items() -%}
        {%- do run_query('drop table if exists ' ~ raw_schema ~ '.' ~ table_name) -%}
        {%- do run_query(
            'create table ' ~ raw_schema ~ '.' ~ table_name ~ " using parquet location '" ~ location ~ "'"
        ) -%}
    {%- endfor -%}
{% endmacro %}
