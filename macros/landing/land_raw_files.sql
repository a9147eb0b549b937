{#-
    Lands the raw files named by the raw-data contract (var raw_contract) as views in the
    raw schema, before any model runs. Every column is exposed as text so that staging
    decides how to type it and quarantines what does not parse.

    For each table the first of these that exists is read:
    <raw_dir>/<table>.parquet, <raw_dir>/<table>.csv, <raw_dir>/<table>/*.parquet,
    <raw_dir>/<table>/*.csv. A missing table becomes an empty view with the contract's
    columns; a file lacking a required column stops the run naming the file and column.

    On warehouses other than DuckDB an extract-load tool fills the raw schema instead, so
    the default implementation does nothing.
-#}
{% macro land_raw_files() %}
    {{ return(adapter.dispatch('land_raw_files', 'lead_funnel')()) }}
{% endmacro %}


{% macro default__land_raw_files() %}
    {{ return('select 1 as raw_files_landed_by_loader') }}
{% endmacro %}


{% macro duckdb__land_raw_files() %}
    {%- if not execute -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- set raw_dir = var('raw_dir') | replace('\\', '/') | replace("'", "''") -%}
    {%- set raw_schema = var('raw_schema') -%}
    {%- do run_query('create schema if not exists ' ~ adapter.quote(raw_schema)) -%}
    {%- for table_name, spec in var('raw_contract').items() -%}
        {%- set found = lead_funnel.find_raw_file(raw_dir, table_name) -%}
        {%- set target_relation = adapter.quote(raw_schema) ~ '.' ~ adapter.quote(table_name) -%}
        {%- if found is none -%}
            {%- set empty_columns = [] -%}
            {%- for column_name in spec['required'] + spec['optional'] -%}
                {%- do empty_columns.append('cast(null as varchar) as ' ~ adapter.quote(column_name)) -%}
            {%- endfor -%}
            {%- do run_query(
                'create or replace view ' ~ target_relation ~ ' as select '
                ~ empty_columns | join(', ') ~ ' where false'
            ) -%}
            {{ log('raw ' ~ table_name ~ ': no file, landed as an empty table', info=true) }}
        {%- else -%}
            {%- set reader = found['reader'] -%}
            {%- set described = run_query('describe select * from ' ~ reader) -%}
            {%- set file_columns = [] -%}
            {%- for row in described.rows -%}
                {%- do file_columns.append(row[0]) -%}
            {%- endfor -%}
            {%- set file_columns_lower = file_columns | map('lower') | list -%}
            {%- for column_name in spec['required'] -%}
                {%- if column_name not in file_columns_lower -%}
                    {{ exceptions.raise_compiler_error(
                        "Raw file '" ~ found['path'] ~ "' (table " ~ table_name
                        ~ ") lacks the required column '" ~ column_name ~ "'. Required columns: "
                        ~ spec['required'] | join(', ')
                    ) }}
                {%- endif -%}
            {%- endfor -%}
            {%- set select_list = [] -%}
            {%- for column_name in file_columns -%}
                {%- do select_list.append(
                    'cast(' ~ adapter.quote(column_name) ~ ' as varchar) as ' ~ adapter.quote(column_name | lower)
                ) -%}
            {%- endfor -%}
            {%- for column_name in spec['optional'] -%}
                {%- if column_name not in file_columns_lower -%}
                    {%- do select_list.append('cast(null as varchar) as ' ~ adapter.quote(column_name)) -%}
                {%- endif -%}
            {%- endfor -%}
            {%- do run_query(
                'create or replace view ' ~ target_relation ~ ' as select '
                ~ select_list | join(', ') ~ ' from ' ~ reader
            ) -%}
            {{ log('raw ' ~ table_name ~ ': ' ~ found['path'], info=true) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return('select 1 as raw_files_landed') }}
{% endmacro %}


{#- The first existing file (or folder of files) for a table, and the DuckDB reader for it. -#}
{% macro find_raw_file(raw_dir, table_name) %}
    {%- set candidates = [
        (raw_dir ~ '/' ~ table_name ~ '.parquet', 'parquet'),
        (raw_dir ~ '/' ~ table_name ~ '.csv', 'csv'),
        (raw_dir ~ '/' ~ table_name ~ '/*.parquet', 'parquet'),
        (raw_dir ~ '/' ~ table_name ~ '/*.csv', 'csv'),
    ] -%}
    {%- for pattern, file_format in candidates -%}
        {%- set matches = run_query("select count(*) from glob('" ~ pattern ~ "')") -%}
        {%- if matches.rows[0][0] > 0 -%}
            {%- if file_format == 'parquet' -%}
                {%- set reader = "read_parquet('" ~ pattern ~ "', union_by_name = true)" -%}
            {%- else -%}
                {%- set reader = "read_csv('" ~ pattern ~ "', header = true, all_varchar = true, union_by_name = true)" -%}
            {%- endif -%}
            {{ return({'path': pattern, 'reader': reader}) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{% endmacro %}
