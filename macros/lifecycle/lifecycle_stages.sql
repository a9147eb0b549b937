{#- The lifecycle stages of seed lifecycle_stages, read when a model compiles, so that models
    write one column, union branch or count per stage. Each stage is a dict:
    stage, stage_order (int), label, entered_by, moment_column, is_funnel_stage (bool),
    cycle_role ('' when none), count_column ('' when none), velocity_from ('' when none),
    description; ordered by stage_order. Calling it makes the model depend on the seed.
    An empty list while dbt parses (nothing is executed then). -#}
{% macro lf_lifecycle_stages() -%}
    {%- set seed_relation = ref('lifecycle_stages') -%}
    {%- set stages = [] -%}
    {%- for row in lf_seed_file_rows('lifecycle_stages', seed_relation) -%}
        {%- do stages.append({
            'stage': row['stage'],
            'stage_order': row['stage_order'] | int,
            'label': row['label'] or row['stage'],
            'entered_by': row['entered_by'],
            'moment_column': row['moment_column'],
            'is_funnel_stage': (row['is_funnel_stage'] or '') | lower in ['true', 't', '1', 'yes'],
            'cycle_role': row['cycle_role'] or '',
            'count_column': row['count_column'] or '',
            'velocity_from': row['velocity_from'] or '',
            'description': row['description'] or ''
        }) -%}
    {%- endfor -%}
    {{ return(stages | sort(attribute='stage_order')) }}
{%- endmacro %}


{#- The funnel stages (is_funnel_stage) in order: lead, mql, sal, sql, opportunity, won as shipped. -#}
{% macro lf_funnel_stages() -%}
    {{ return(lf_lifecycle_stages() | selectattr('is_funnel_stage') | list) }}
{%- endmacro %}


{#- The stages an MQL cycle can enter: every stage but the lead stage (cycle_role lead). -#}
{% macro lf_cycle_stages() -%}
    {{ return(lf_lifecycle_stages() | rejectattr('cycle_role', 'equalto', 'lead') | list) }}
{%- endmacro %}


{#- One stage by name; a compilation error naming the seed when it is missing (none at parse time). -#}
{% macro lf_lifecycle_stage(stage_name) -%}
    {%- set stages = lf_lifecycle_stages() -%}
    {%- for stage in stages if stage['stage'] == stage_name -%}
        {{ return(stage) }}
    {%- endfor -%}
    {%- if execute -%}
        {{ exceptions.raise_compiler_error(
            "seed lifecycle_stages has no stage '" ~ stage_name ~ "'; its stages: "
            ~ (stages | map(attribute='stage') | join(', '))
        ) }}
    {%- endif -%}
    {{ return({'stage': stage_name, 'stage_order': 0, 'label': stage_name, 'entered_by': stage_name,
        'moment_column': stage_name ~ '_at', 'is_funnel_stage': false, 'cycle_role': '',
        'count_column': '', 'velocity_from': '', 'description': ''}) }}
{%- endmacro %}


{#- The one stage whose cycle_role is `role` (lead: the lead stage; start: the MQL stage); a
    compilation error when the seed has none or several (a placeholder at parse time). -#}
{% macro lf_stage_with_role(role) -%}
    {%- set found = lf_lifecycle_stages() | selectattr('cycle_role', 'equalto', role) | list -%}
    {%- if found | length == 1 -%}
        {{ return(found[0]) }}
    {%- elif execute -%}
        {{ exceptions.raise_compiler_error(
            "seed lifecycle_stages needs exactly one stage with cycle_role '" ~ role ~ "', has "
            ~ found | length
        ) }}
    {%- endif -%}
    {{ return({'stage': role, 'stage_order': 0, 'label': role, 'entered_by': role,
        'moment_column': role ~ '_at', 'is_funnel_stage': true, 'cycle_role': role,
        'count_column': '', 'velocity_from': '', 'description': ''}) }}
{%- endmacro %}


{#- The lifecycle events (int_lifecycle_events_resolved.lifecycle_event: a lead status or
    opportunity_created) entering the stages whose cycle_role is in `roles`. -#}
{% macro lf_stage_events(roles) -%}
    {%- set events = [] -%}
    {%- for stage in lf_lifecycle_stages() if stage['cycle_role'] in roles -%}
        {%- do events.append(stage['entered_by']) -%}
    {%- endfor -%}
    {{ return(events) }}
{%- endmacro %}


{#- Text values as a SQL list body ('a', 'b'); null when there are none, so `in (...)` stays valid. -#}
{% macro lf_sql_values(values) -%}
    {%- if values | length == 0 -%}
        null
    {%- else -%}
        {%- for value in values -%}
            '{{ value | replace("'", "''") }}'{{ ', ' if not loop.last }}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}


{#- The rows of a seed's CSV file as dicts of text (null for an empty cell), read when a model
    compiles; an empty list while dbt parses. DuckDB reads the file itself, so a model compiles
    before the seed is loaded (a fresh warehouse); other warehouses read the loaded seed. -#}
{% macro lf_seed_file_rows(seed_name, seed_relation) -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {{ return(adapter.dispatch('lf_seed_file_rows', 'lead_funnel')(seed_name, seed_relation)) }}
{%- endmacro %}

{% macro default__lf_seed_file_rows(seed_name, seed_relation) -%}
    {#- In a unit test the seed's ref is a stand-in without a schema: read the loaded seed. -#}
    {%- if seed_relation.schema is none -%}
        {%- set seed_relation = adapter.get_relation(
            database=target.database, schema=generate_schema_name('seeds', none),
            identifier=seed_name) -%}
    {%- endif -%}
    {%- if seed_relation is none or adapter.get_relation(
        database=seed_relation.database, schema=seed_relation.schema,
        identifier=seed_relation.identifier) is none -%}
        {{ exceptions.raise_compiler_error(
            'seed ' ~ seed_name ~ ' is read when models compile: run dbt seed first') }}
    {%- endif -%}
    {{ return(lf_query_rows('select * from ' ~ seed_relation)) }}
{%- endmacro %}

{% macro duckdb__lf_seed_file_rows(seed_name, seed_relation) -%}
    {#- The seed's file from the graph. A unit test's context has no graph (and no project
        folder: dbt may run from any directory), but its model's parents, the seed among them,
        are loaded by then: read the loaded seed as the other engines do. -#}
    {%- set seed_node = (graph.get('nodes') or {}).get('seed.' ~ project_name ~ '.' ~ seed_name) -%}
    {%- if seed_node is none -%}
        {{ return(default__lf_seed_file_rows(seed_name, seed_relation)) }}
    {%- endif -%}
    {%- set path = seed_node['root_path'] ~ '/' ~ seed_node['original_file_path'] -%}
    {%- set path = path | replace('\\', '/') -%}
    {{ return(lf_query_rows(
        "select * from read_csv('" ~ path | replace("'", "''") ~ "', header = true, all_varchar = true)"
    )) }}
{%- endmacro %}


{#- The rows of a query as a list of dicts keyed by lower-cased column name. -#}
{% macro lf_query_rows(sql) -%}
    {%- set result = run_query(sql) -%}
    {%- set names = result.column_names | map('lower') | list -%}
    {%- set rows = [] -%}
    {%- for row in result.rows -%}
        {%- set values = {} -%}
        {%- for name in names -%}
            {%- do values.update({name: row[loop.index0]}) -%}
        {%- endfor -%}
        {%- do rows.append(values) -%}
    {%- endfor -%}
    {{ return(rows) }}
{%- endmacro %}


{#- A map from text keys to the values of SQL expressions, e.g. stage -> moment
    (`pairs`: a list of [key, expression]): a MAP on DuckDB (m['sal']), a map elsewhere. -#}
{% macro lf_text_map(pairs) %}
    {{ return(adapter.dispatch('lf_text_map', 'lead_funnel')(pairs)) }}
{% endmacro %}

{% macro default__lf_text_map(pairs) -%}
    map(
        {%- for key, expression in pairs -%}
            '{{ key }}', {{ expression }}{{ ', ' if not loop.last }}
        {%- endfor -%}
    )
{%- endmacro %}

{% macro duckdb__lf_text_map(pairs) -%}
    map(
        [{%- for key, expression in pairs -%}'{{ key }}'{{ ', ' if not loop.last }}{%- endfor -%}],
        [{%- for key, expression in pairs -%}{{ expression }}{{ ', ' if not loop.last }}{%- endfor -%}]
    )
{%- endmacro %}


{#- PostgreSQL has no map type: a jsonb object (m ->> 'sal' reads a value as text). -#}
{% macro postgres__lf_text_map(pairs) -%}
    jsonb_build_object(
        {%- for key, expression in pairs -%}
            '{{ key }}', {{ expression }}{{ ', ' if not loop.last }}
        {%- endfor -%}
    )
{%- endmacro %}


{#- The value of `key` in a map built by lf_text_map; null when the key is absent. On
    PostgreSQL (jsonb) the value is read as text, then cast to `data_type` when given. -#}
{% macro lf_map_value(map_expression, key, data_type=none) -%}
    {{ return(adapter.dispatch('lf_map_value', 'lead_funnel')(map_expression, key, data_type)) }}
{%- endmacro %}

{% macro default__lf_map_value(map_expression, key, data_type=none) -%}
    {{ map_expression }}['{{ key }}']
{%- endmacro %}

{% macro postgres__lf_map_value(map_expression, key, data_type=none) -%}
    {%- if data_type -%}
        cast({{ map_expression }} ->> '{{ key }}' as {{ lf_engine_type(data_type) }})
    {%- else -%}
        ({{ map_expression }} ->> '{{ key }}')
    {%- endif -%}
{%- endmacro %}
