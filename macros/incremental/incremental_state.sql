{#-
    Incremental models (materialized='incremental') of the event-heavy path keep their state in
    schema var('incremental_state_schema'):

    lf_incremental_state       one row per model: the fingerprint of what its rows were built
                               with (macro lf_incremental_fingerprint), the as-of moment, the
                               latest engagement-event loaded_at it has taken in and how its
                               last run went (last_run_mode: incremental or full);
    lf_incremental_seen_files  per model, the raw files (name, size, modification time, from
                               raw.raw_landed_files) it has taken in.

    A run takes in the raw rows loaded since the model's last run: rows whose loaded_at is later
    than its high-water mark and every row of a file it has not seen (a new name, or a known
    name with another size or modification time). A file it has taken in that vanished or
    changed since (an export rewritten in place) makes it rebuild in full. Without the landing
    hook (PostgreSQL, Spark) there are no files: rows without a loaded_at are then all taken in
    again, which is correct (the models recompute per key) but not incremental. A model whose fingerprint differs from
    the stored one (a seed it depends on, one of its vars, its own SQL or an upstream model's
    SQL changed, or the source chosen by var crm_source, marketing_source or spend_source)
    rebuilds in full, as does --full-refresh. While a connector source is chosen every run is
    full: connector tables have no landed files to tell new rows by.
-#}

{% macro lf_incremental_state_relation(name) %}
    {{- return(adapter.quote(var('incremental_state_schema')) ~ '.' ~ adapter.quote(name)) -}}
{% endmacro %}


{#- The nodes upstream of the current model (any distance), by walking the graph. -#}
{% macro lf_upstream_nodes() %}
    {%- set queue = [model.unique_id] -%}
    {%- set seen = [] -%}
    {%- for unique_id in queue -%}
        {%- set node = graph.nodes.get(unique_id) -%}
        {%- if node is not none -%}
            {%- for parent in node.depends_on.nodes -%}
                {%- if parent not in seen -%}
                    {%- do seen.append(parent) -%}
                    {%- do queue.append(parent) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(seen | sort) }}
{% endmacro %}


{#- A hash of what the model's rows depend on besides the raw rows: every row of every seed
    upstream of it, the given vars, its own SQL and the SQL of every model upstream of it, the
    project's macros and dbt's version (a new version of the project, or of dbt, rebuilds what
    it may have changed), and the erasure requests (an erased person's rows go from every
    model). -#}
{% macro lf_incremental_fingerprint(var_names) %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set parts = [
        'sql=' ~ local_md5(model.raw_code),
        'macros=' ~ lf_project_macros_fingerprint(),
        'dbt=' ~ dbt_version,
        'erasure=' ~ lead_funnel.lf_erasure_fingerprint(),
    ] -%}
    {%- for name in ['crm_source', 'marketing_source', 'spend_source'] + var_names -%}
        {%- do parts.append('var ' ~ name ~ '=' ~ tojson(var(name, none))) -%}
    {%- endfor -%}
    {%- set upstream = lf_upstream_nodes() -%}
    {%- for unique_id in upstream -%}
        {%- set node = graph.nodes.get(unique_id) -%}
        {%- if node is not none and node.resource_type in ['model', 'snapshot'] -%}
            {%- do parts.append('model ' ~ node.name ~ '=' ~ local_md5(node.raw_code)) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- for unique_id in upstream if graph.nodes.get(unique_id) is not none
        and graph.nodes[unique_id].resource_type == 'seed' -%}
        {%- set node = graph.nodes[unique_id] -%}
        {%- set relation = adapter.get_relation(node.database, node.schema, node.alias) -%}
        {%- set lines = [] -%}
        {%- if relation is not none -%}
            {%- set rows = run_query('select * from ' ~ relation) -%}
            {%- for row in rows.rows -%}
                {%- do lines.append(row.values() | map('string') | join('\x1f')) -%}
            {%- endfor -%}
        {%- endif -%}
        {%- do parts.append('seed ' ~ node.name ~ '=' ~ local_md5(lines | sort | join('\n'))) -%}
    {%- endfor -%}
    {{ return(local_md5(parts | join('\n'))) }}
{% endmacro %}


{#- A hash of the source of every macro of this project (the package's own: the SQL a model
    compiles to changes with them while its own file stays the same). -#}
{% macro lf_project_macros_fingerprint() %}
    {%- set macros = context['lead_funnel'] -%}
    {%- set sources = [] -%}
    {%- for name in macros.keys() | sort -%}
        {%- do sources.append(name ~ '=' ~ macros[name].macro.macro_sql) -%}
    {%- endfor -%}
    {{ return(local_md5(sources | join('\n'))) }}
{% endmacro %}


{#- The model's stored state row as a dict (fingerprint, as_of, loaded_through), or none. -#}
{% macro lf_incremental_stored_state() %}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(
        this.database, var('incremental_state_schema'), 'lf_incremental_state') -%}
    {%- if relation is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set rows = run_query(
        'select fingerprint, as_of, loaded_through from ' ~ relation
        ~ " where model_name = '" ~ this.identifier ~ "'") -%}
    {%- if rows.rows | length == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return({'fingerprint': rows.rows[0][0], 'as_of': rows.rows[0][1],
               'loaded_through': rows.rows[0][2]}) }}
{% endmacro %}


{#- True while dbt renders a unit test: its context has no graph and no relation of its own. -#}
{% macro lf_in_unit_test() %}
    {{ return(execute and not (graph.get('nodes') or {})) }}
{% endmacro %}


{#- 'incremental' when the model exists, is not --full-refresh'ed, has a stored state with the
    current fingerprint and an as-of moment not earlier than the stored one; else 'full'. -#}
{% macro lf_incremental_mode(var_names, as_of_text=none) %}
    {%- if not execute or lf_in_unit_test() or not is_incremental() -%}
        {{ return('full') }}
    {%- endif -%}
    {#- Connector tables have no landed files to tell new rows by: rebuilt in full. -#}
    {%- if lead_funnel.lf_connector_sources() | length > 0 -%}
        {{ return('full') }}
    {%- endif -%}
    {%- set state = lf_incremental_stored_state() -%}
    {%- if state is none or state['fingerprint'] != lf_incremental_fingerprint(var_names) -%}
        {{ return('full') }}
    {%- endif -%}
    {%- if as_of_text is not none and (state['as_of'] is none or as_of_text < state['as_of']) -%}
        {{ return('full') }}
    {%- endif -%}
    {%- if lf_seen_files_changed() -%}
        {{ return('full') }}
    {%- endif -%}
    {{ return('incremental') }}
{% endmacro %}


{#- True when a raw file the current model has taken in is no longer landed as it was: it
    vanished, or its size or modification time changed (an export rewritten in place). The rows
    it held may be gone, which only a full rebuild can take out. -#}
{% macro lf_seen_files_changed() %}
    {{ return(adapter.dispatch('lf_seen_files_changed', 'lead_funnel')()) }}
{% endmacro %}

{% macro default__lf_seen_files_changed() %}
    {#- Without the landing hook no files are recorded as seen. -#}
    {{ return(false) }}
{% endmacro %}

{% macro duckdb__lf_seen_files_changed() %}
    {%- set seen = adapter.get_relation(
        this.database, var('incremental_state_schema'), 'lf_incremental_seen_files') -%}
    {%- set landed = adapter.get_relation(this.database, lead_funnel.lf_raw_schema(), 'raw_landed_files') -%}
    {%- if seen is none or landed is none -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set rows = run_query(
        'select count(*) from ' ~ seen ~ ' as seen'
        ~ " where seen.model_name = '" ~ this.identifier ~ "'"
        ~ ' and not exists (select 1 from ' ~ landed ~ ' as landed'
        ~ ' where landed.source_table = seen.source_table'
        ~ ' and landed.file_name = seen.file_name'
        ~ ' and landed.file_size = seen.file_size'
        ~ ' and landed.modified_at = seen.modified_at)') -%}
    {%- set changed = rows.rows[0][0] | int -%}
    {%- if changed > 0 -%}
        {{ log(this.identifier ~ ': ' ~ changed ~ ' raw file(s) it has taken in vanished or changed;'
               ~ ' rebuilding in full', info=true) }}
    {%- endif -%}
    {{ return(changed > 0) }}
{% endmacro %}


{#- Pre-hook: creates the state tables; in an incremental run that must rebuild in full (a
    changed fingerprint, an earlier as-of), empties the model first, so rows it would no
    longer produce do not stay. -#}
{% macro lf_incremental_prepare(var_names, as_of_text=none) %}
    {#- On Spark the models are tables (lf_incremental_materialized): no state to keep. -#}
    {%- if not execute or target.type == 'spark' -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- do adapter.create_schema(api.Relation.create(
        database=this.database, schema=var('incremental_state_schema'))) -%}
    {%- do run_query(
        'create table if not exists ' ~ lf_incremental_state_relation('lf_incremental_state')
        ~ ' (model_name ' ~ dbt.type_string() ~ ', fingerprint ' ~ dbt.type_string()
        ~ ', as_of ' ~ dbt.type_string() ~ ', loaded_through ' ~ dbt.type_string()
        ~ ', last_run_mode ' ~ dbt.type_string() ~ ')') -%}
    {%- do run_query(
        'create table if not exists ' ~ lf_incremental_state_relation('lf_incremental_seen_files')
        ~ ' (model_name ' ~ dbt.type_string() ~ ', source_table ' ~ dbt.type_string()
        ~ ', file_name ' ~ dbt.type_string() ~ ', file_size ' ~ dbt.type_bigint()
        ~ ', modified_at ' ~ dbt.type_timestamp() ~ ')') -%}
    {%- if is_incremental() and lf_incremental_mode(var_names, as_of_text) == 'full' -%}
        {{ log(this.identifier ~ ': seeds, vars, SQL, as-of or seen raw files changed; rebuilding in full', info=true) }}
        {%- if lf_columns_changed() -%}
            {#- emptied before the transaction (lf_incremental_clear_before_begin) -#}
            {{ return('select 1') }}
        {%- endif -%}
        {{ return('delete from ' ~ this) }}
    {%- endif -%}
    {{ return('select 1') }}
{% endmacro %}


{#- Pre-hook run before the model's transaction: a rebuild in full whose columns changed (a
    new version of the model) empties the stored table here, because DuckDB refuses to commit
    a transaction that deleted from a table and then altered its columns, which dbt does to
    bring them in line (on_schema_change). Should the rebuild then fail, the table stays empty
    and the next run rebuilds it in full again (its fingerprint is still the old one). -#}
{% macro lf_incremental_clear_before_begin(var_names, as_of_text=none) %}
    {%- if not execute or target.type == 'spark' or not is_incremental() -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- if lf_incremental_mode(var_names, as_of_text) == 'full' and lf_columns_changed() -%}
        {{ log(this.identifier ~ ': new columns; emptying it before the rebuild', info=true) }}
        {{ return('delete from ' ~ this) }}
    {%- endif -%}
    {{ return('select 1') }}
{% endmacro %}


{#- Whether the model's SQL now gives other columns (names or types) than its stored table
    has. Only DuckDB needs to know (lf_incremental_clear_before_begin); PostgreSQL deletes and
    alters in one transaction. -#}
{% macro lf_columns_changed() %}
    {{ return(adapter.dispatch('lf_columns_changed', 'lead_funnel')()) }}
{% endmacro %}

{% macro default__lf_columns_changed() %}
    {{ return(false) }}
{% endmacro %}

{% macro duckdb__lf_columns_changed() %}
    {%- set stored = run_query('describe ' ~ this) -%}
    {%- set new = run_query(
        'describe select * from (\n' ~ model.compiled_code ~ '\n) as lf_new_columns') -%}
    {%- set before, after = [], [] -%}
    {%- for row in stored.rows -%}
        {%- do before.append(row[0] ~ ' ' ~ row[1]) -%}
    {%- endfor -%}
    {%- for row in new.rows -%}
        {%- do after.append(row[0] ~ ' ' ~ row[1]) -%}
    {%- endfor -%}
    {{ return(before | sort != after | sort) }}
{% endmacro %}


{#- Post-hook: stores the model's fingerprint, as-of moment and loaded_at high-water mark (the
    result of `loaded_through_sql`, text) and the raw files of `tables` it has now seen. -#}
{% macro lf_incremental_record(var_names, tables, loaded_through_sql, as_of_text=none) %}
    {%- if not execute or target.type == 'spark' -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- set state = lf_incremental_state_relation('lf_incremental_state') -%}
    {%- set seen = lf_incremental_state_relation('lf_incremental_seen_files') -%}
    {%- set run_mode = lf_incremental_mode(var_names, as_of_text) -%}
    {%- do run_query('delete from ' ~ state ~ " where model_name = '" ~ this.identifier ~ "'") -%}
    {%- do run_query(
        'insert into ' ~ state ~ " select '" ~ this.identifier ~ "', '"
        ~ lf_incremental_fingerprint(var_names) ~ "', "
        ~ ("'" ~ as_of_text ~ "'" if as_of_text is not none else 'null') ~ ', ('
        ~ loaded_through_sql ~ "), '" ~ run_mode ~ "'") -%}
    {%- do run_query('delete from ' ~ seen ~ " where model_name = '" ~ this.identifier ~ "'") -%}
    {{ return(lead_funnel.lf_record_seen_files(seen, tables)) }}
{% endmacro %}


{% macro lf_record_seen_files(seen, tables) %}
    {{ return(adapter.dispatch('lf_record_seen_files', 'lead_funnel')(seen, tables)) }}
{% endmacro %}

{% macro default__lf_record_seen_files(seen, tables) %}
    {{ return('select 1') }}
{% endmacro %}

{% macro duckdb__lf_record_seen_files(seen, tables) %}
    {{ return(
        'insert into ' ~ seen ~ " select '" ~ this.identifier ~ "', source_table, file_name,"
        ~ ' file_size, modified_at from ' ~ adapter.quote(lead_funnel.lf_raw_schema()) ~ '.raw_landed_files'
        ~ " where file_name is not null and source_table in ('" ~ tables | join("', '") ~ "')") }}
{% endmacro %}


{#- The rows of raw table `table_name` from files the current model has not seen, with the
    text columns of the raw table. Without a landing hook (not DuckDB) every row. -#}
{% macro lf_unseen_file_rows(table_name, columns) %}
    {{ return(adapter.dispatch('lf_unseen_file_rows', 'lead_funnel')(table_name, columns)) }}
{% endmacro %}

{% macro default__lf_unseen_file_rows(table_name, columns) %}
    select {{ columns | join(', ') }}
    from {{ adapter.quote(lead_funnel.lf_raw_schema()) }}.{{ adapter.quote(table_name) }}
{% endmacro %}

{% macro duckdb__lf_unseen_file_rows(table_name, columns) %}
    {%- set seen = lf_incremental_state_relation('lf_incremental_seen_files') -%}
    select {{ columns | join(', ') }}
    from {{ adapter.quote(lead_funnel.lf_raw_schema()) }}.{{ adapter.quote(table_name ~ '__files') }} as raw_rows
    where raw_rows.landed_file in (
        select landed.file_name
        from {{ adapter.quote(lead_funnel.lf_raw_schema()) }}.raw_landed_files as landed
        where landed.source_table = '{{ table_name }}'
            and not exists (
                select 1
                from {{ seen }} as seen
                where seen.model_name = '{{ this.identifier }}'
                    and seen.source_table = landed.source_table
                    and seen.file_name = landed.file_name
                    and seen.file_size = landed.file_size
                    and seen.modified_at = landed.modified_at
            )
    )
{% endmacro %}


{#- The incremental strategy per engine: delete+insert where the adapter has it; Spark on plain
    Parquet (no Delta) has no delete, so the models stay tables there (lf_incremental_materialized). -#}
{% macro lf_incremental_materialized() %}
    {{ return('table' if target.type == 'spark' else 'incremental') }}
{% endmacro %}


{#- The key an incremental model deletes and inserts by: the cleaned id, or for a row without
    one a hash of its raw text (identical raw rows share it). -#}
{% macro lf_coalesce_key(clean_id, raw_columns) %}
    {{- 'coalesce(' ~ clean_id ~ ', ' ~ dbt.concat(["'raw:'", dbt.hash(lf_raw_record(raw_columns))]) ~ ')' -}}
{% endmacro %}
