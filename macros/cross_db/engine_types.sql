{#-
    Column types are written once, in DuckDB's names, wherever YAML names them (seed
    column_types, model contracts): varchar, double, bigint, integer, boolean, timestamp,
    date, decimal(p,s), varchar[] (a list of text) and map(varchar, T) (the stage maps). PostgreSQL and Spark spell some of
    them differently; lf_engine_type translates, and the dbt macros that turn YAML types
    into SQL (cast, contract DDL, seed tables) are overridden for those engines to use it.
-#}
{% macro lf_engine_type(data_type) %}
    {{- return(adapter.dispatch('lf_engine_type', 'lead_funnel')(data_type)) -}}
{% endmacro %}

{% macro default__lf_engine_type(data_type) %}
    {{- return(data_type) -}}
{% endmacro %}

{#- PostgreSQL: maps (map(varchar, T), the stage maps) are jsonb objects. -#}
{% macro postgres__lf_engine_type(data_type) %}
    {%- set names = {'double': 'double precision'} -%}
    {%- set name = data_type | trim | lower -%}
    {%- if name.startswith('map(') -%}
        {{- return('jsonb') -}}
    {%- endif -%}
    {{- return(names.get(name, data_type)) -}}
{% endmacro %}

{#- Spark: map(varchar, T) is map<string, T>. -#}
{% macro spark__lf_engine_type(data_type) %}
    {%- set names = {'varchar': 'string', 'varchar[]': 'array<string>', 'text': 'string'} -%}
    {%- set name = data_type | trim | lower -%}
    {%- if name.startswith('map(') and name.endswith(')') -%}
        {%- set parts = name[4:-1].split(',') -%}
        {{- return('map<' ~ lead_funnel.spark__lf_engine_type(parts[0]) ~ ', '
            ~ lead_funnel.spark__lf_engine_type(parts[1:] | join(',')) ~ '>') -}}
    {%- endif -%}
    {{- return(names.get(name, data_type)) -}}
{% endmacro %}


{#- The YAML columns of the model being built, with their types translated. -#}
{% macro lf_columns_with_engine_types(columns) %}
    {%- set translated = {} -%}
    {%- for name, column in columns.items() -%}
        {%- set copy = {} -%}
        {%- do copy.update(column) -%}
        {%- if column.get('data_type') -%}
            {%- do copy.update({'data_type': lead_funnel.lf_engine_type(column['data_type'])}) -%}
        {%- endif -%}
        {%- do translated.update({name: copy}) -%}
    {%- endfor -%}
    {{- return(translated) -}}
{% endmacro %}


{% macro postgres__cast(field, type) -%}
    cast({{ field }} as {{ lead_funnel.lf_engine_type(type) }})
{%- endmacro %}

{% macro spark__cast(field, type) -%}
    cast({{ field }} as {{ lead_funnel.lf_engine_type(type) }})
{%- endmacro %}


{% macro postgres__get_table_columns_and_constraints() -%}
    {%- set columns = lead_funnel.lf_columns_with_engine_types(model['columns']) -%}
    {%- set raw_column_constraints = adapter.render_raw_columns_constraints(raw_columns=columns) -%}
    {%- set raw_model_constraints = adapter.render_raw_model_constraints(raw_constraints=model['constraints']) -%}
    (
    {% for c in raw_column_constraints -%}
        {{ c }}{{ "," if not loop.last or raw_model_constraints }}
    {% endfor %}
    {% for c in raw_model_constraints -%}
        {{ c }}{{ "," if not loop.last }}
    {% endfor -%}
    )
{%- endmacro %}


{#- Seed tables: the YAML column_types translated, then the adapter's own DDL. -#}
{% macro lf_translate_seed_types(model) %}
    {%- set translated = {} -%}
    {%- for name, data_type in model['config'].get('column_types', {}).items() -%}
        {%- do translated.update({name: lead_funnel.lf_engine_type(data_type)}) -%}
    {%- endfor -%}
    {%- do model['config'].update({'column_types': translated}) -%}
{% endmacro %}

{% macro postgres__create_csv_table(model, agate_table) %}
    {%- do lead_funnel.lf_translate_seed_types(model) -%}
    {{ return(dbt.default__create_csv_table(model, agate_table)) }}
{% endmacro %}

{% macro spark__create_csv_table(model, agate_table) %}
    {%- do lead_funnel.lf_translate_seed_types(model) -%}
    {{ return(dbt.spark__create_csv_table(model, agate_table)) }}
{% endmacro %}


{#- Spark seed rows as literals: dbt-spark's session connection pastes bound values into the
    SQL unescaped, so a description with an apostrophe breaks the insert and an empty cell
    arrives as the text 'None'. Values are written here as escaped text literals (null for
    empty cells) cast to the column's type. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
        {%- do types.append(lead_funnel.lf_engine_type(column_override.get(col_name, inferred_type))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set rows_sql = [] -%}
        {%- for row in chunk -%}
            {%- set values = [] -%}
            {%- for value in row -%}
                {%- if value is none -%}
                    {%- do values.append('cast(null as ' ~ types[loop.index0] ~ ')') -%}
                {%- else -%}
                    {%- if value is sameas true or value is sameas false -%}
                        {%- set text = 'true' if value else 'false' -%}
                    {%- else -%}
                        {%- set text = value | string -%}
                    {%- endif -%}
                    {%- set literal = "'" ~ text.replace('\\', '\\\\').replace("'", "\\'") ~ "'" -%}
                    {%- do values.append('cast(' ~ literal ~ ' as ' ~ types[loop.index0] ~ ')') -%}
                {%- endif -%}
            {%- endfor -%}
            {%- do rows_sql.append('(' ~ values | join(', ') ~ ')') -%}
        {%- endfor -%}
        {%- set sql = 'insert into ' ~ this.render() ~ ' values ' ~ rows_sql | join(', ') -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- if loop.first -%}
            {%- do statements.append(sql) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}
