{#-
    Lands the raw files named by the raw-data contract (var raw_contract) as views in the
    raw schema, before any model runs. Every column is exposed as text so that staging
    decides how to type it and quarantines what does not parse.

    For each table the first of these that exists is read:
    <raw_dir>/<table>.parquet, <raw_dir>/<table>.csv, <raw_dir>/<table>/*.parquet,
    <raw_dir>/<table>/*.csv. A missing table becomes an empty view with the contract's
    columns; a file lacking a required column stops the run naming the file and column.
    A look-alike name (leads_2026-12-01.csv without leads.csv) and a file that is not in
    its format (a truncated Parquet file, a Parquet file named .csv) also stop the run.

    CSV files are checked line by line (one record per line): a line with invalid UTF-8,
    an unbalanced quote or the wrong number of fields is kept in raw.raw_rejected_lines
    and the rest of the file loads. DuckDB's own rejects (store_rejects, ignore_errors)
    are not used: after an unterminated quote they drop following lines without a trace.
    raw.raw_landed_files holds the rows counted per file (with its size and modification
    time), so reconciliation does not need the files once they are staged. Every table also
    gets a view raw.<table>__files: its rows with the file each came from (landed_file), which
    incremental models use to find the rows of files they have not seen before.

    The tables of a chosen connector (var crm_source, marketing_source, spend_source) are
    landed the same way from <raw_dir>/<connector>/ (macro lf_land_connector_tables).

    On warehouses other than DuckDB an extract-load tool fills the raw schema (and a connector
    its own schema) instead, so the default implementation does nothing.
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
    {%- set raw_schema = lead_funnel.lf_raw_schema() -%}
    {%- set contract = var('raw_contract') -%}
    {%- set landed_files = adapter.quote(raw_schema) ~ '.raw_landed_files' -%}
    {%- set rejected_lines = adapter.quote(raw_schema) ~ '.raw_rejected_lines' -%}
    {%- do run_query('create schema if not exists ' ~ adapter.quote(raw_schema)) -%}
    {%- do run_query(
        'create or replace table ' ~ landed_files ~ ' (source_table varchar, file_name varchar,'
        ~ ' file_format varchar, raw_rows bigint, rejected_lines bigint, landed_at timestamp,'
        ~ ' file_size bigint, modified_at timestamp)'
    ) -%}
    {%- do run_query(
        'create or replace table ' ~ rejected_lines ~ ' (source_table varchar, file_name varchar,'
        ~ ' line_number bigint, error_type varchar, raw_line varchar, landed_at timestamp)'
    ) -%}
    {%- for table_name, spec in contract.items() -%}
        {%- do lead_funnel.lf_land_raw_table(
            raw_dir, table_name, table_name,
            adapter.quote(raw_schema) ~ '.' ~ adapter.quote(table_name),
            spec['required'], spec['optional'], contract
        ) -%}
    {%- endfor -%}
    {#- Erasure requests (source privacy.erasure_requests): optional, and every line must read. -#}
    {%- do lead_funnel.lf_land_raw_table(
        raw_dir, 'erasure_requests', 'erasure_requests',
        adapter.quote(raw_schema) ~ '.' ~ adapter.quote('erasure_requests'),
        [], ['request_id', 'lead_id', 'email', 'requested_at'], contract.keys() | list
    ) -%}
    {%- set unreadable = run_query(
        'select count(*) from ' ~ rejected_lines ~ " where source_table = 'erasure_requests'") -%}
    {%- if unreadable.rows[0][0] > 0 -%}
        {{ exceptions.raise_compiler_error(
            'erasure_requests: ' ~ unreadable.rows[0][0] ~ ' line(s) cannot be read (see raw.'
            ~ 'raw_rejected_lines); fix the file: an erasure request is never skipped') }}
    {%- endif -%}
    {%- do lead_funnel.lf_land_connector_tables(raw_dir) -%}
    {{ return('select 1 as raw_files_landed') }}
{% endmacro %}


{#-
    Lands the tables of the chosen connectors (var crm_source, marketing_source, spend_source)
    from <raw_dir>/<connector>/<table>.csv|.parquet (or a folder of such files) into the
    connector's schema (var <connector>_schema), as the contract's files are landed: every
    column as text, a missing file as an empty view. The tables and columns are the source's
    in models/staging/<connector>/_<connector>__sources.yml; a column with meta required: true
    must be in the file, the others are added as null when a file lacks them (connectors differ
    by account and version). A table that already exists as a table in that schema (the
    connector wrote it into this DuckDB file) is left as it is. Recorded in raw.raw_landed_files
    as <connector>.<table>.
-#}
{% macro lf_land_connector_tables(raw_dir) %}
    {%- set connectors = lead_funnel.lf_connector_sources() -%}
    {%- for connector in connectors -%}
        {%- set tables = [] -%}
        {%- for node in graph.sources.values() if node.source_name == connector
            and node.package_name == 'lead_funnel' -%}
            {%- do tables.append(node) -%}
        {%- endfor -%}
        {%- if tables | length == 0 -%}
            {{ exceptions.raise_compiler_error(
                'connector ' ~ connector ~ ' is chosen but has no enabled source tables') }}
        {%- endif -%}
        {%- set siblings = tables | map(attribute='identifier') | list -%}
        {%- for node in tables | sort(attribute='identifier') -%}
            {%- do run_query('create schema if not exists ' ~ adapter.quote(node.schema)) -%}
            {#- information_schema, not adapter.get_relation: that opens a transaction, which
                dbt rolls back after the hooks, taking the landed views with it. -#}
            {%- set existing = run_query(
                "select count(*) from information_schema.tables where table_schema = '"
                ~ node.schema ~ "' and table_name = '" ~ node.identifier
                ~ "' and table_type = 'BASE TABLE'") -%}
            {%- if existing.rows[0][0] > 0 -%}
                {{ log('connector table ' ~ node.schema ~ '.' ~ node.identifier
                    ~ ': a table of the warehouse, used as it is', info=true) }}
            {%- else -%}
                {%- set required = [] -%}
                {%- set optional = [] -%}
                {%- for column_name, column in node.columns.items() -%}
                    {%- if (column.meta or {}).get('required') -%}
                        {%- do required.append(column_name | lower) -%}
                    {%- else -%}
                        {%- do optional.append(column_name | lower) -%}
                    {%- endif -%}
                {%- endfor -%}
                {%- do lead_funnel.lf_land_raw_table(
                    raw_dir ~ '/' ~ connector, connector ~ '.' ~ node.identifier, node.identifier,
                    adapter.quote(node.schema) ~ '.' ~ adapter.quote(node.identifier),
                    required, optional, siblings
                ) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
{% endmacro %}


{#-
    Lands one raw table: the first of <raw_dir>/<file_stem>.parquet, .csv, <file_stem>/*.parquet,
    <file_stem>/*.csv as view `target_relation` (every column as text, names lower-cased; the
    optional columns a file lacks added as null), and beside it `<target_relation>__files` with
    the file of each row. Counts and rejected lines are recorded under `table_name` in
    raw.raw_landed_files and raw.raw_rejected_lines. Without a file: an empty view of the
    required and optional columns. `siblings`: the names of the other tables of the same folder
    (a look-alike file name that belongs to a longer sibling name is left to it).
-#}
{% macro lf_land_raw_table(raw_dir, table_name, file_stem, target_relation, required, optional, siblings) %}
    {%- set raw_schema = lead_funnel.lf_raw_schema() -%}
    {%- set landed_files = adapter.quote(raw_schema) ~ '.raw_landed_files' -%}
    {%- set rejected_lines = adapter.quote(raw_schema) ~ '.raw_rejected_lines' -%}
    {%- set found = lead_funnel.find_raw_file(raw_dir, file_stem) -%}
    {%- if found is none -%}
        {%- set lookalikes = lead_funnel.find_raw_lookalikes(raw_dir, file_stem, siblings) -%}
        {%- if lookalikes | length > 0 -%}
            {{ exceptions.raise_compiler_error(
                'raw table ' ~ table_name ~ ': found ' ~ lookalikes | join(', ') ~ '; expected '
                ~ file_stem ~ '.csv, ' ~ file_stem ~ '.parquet or a folder ' ~ file_stem ~ '/'
            ) }}
        {%- endif -%}
        {%- set empty_columns = [] -%}
        {%- for column_name in required + optional -%}
            {%- do empty_columns.append('cast(null as varchar) as ' ~ adapter.quote(column_name)) -%}
        {%- endfor -%}
        {%- do run_query(
            'create or replace view ' ~ target_relation ~ ' as select '
            ~ empty_columns | join(', ') ~ ' where false'
        ) -%}
        {%- do run_query(
            'insert into ' ~ landed_files ~ " values ('" ~ table_name
            ~ "', null, null, 0, 0, current_timestamp, null, null)"
        ) -%}
        {%- do run_query(
            'create or replace view ' ~ target_relation[:-1] ~ '__files" as select'
            ~ ' cast(null as varchar) as landed_file, * from ' ~ target_relation
        ) -%}
        {{ log('raw ' ~ table_name ~ ': no file, landed as an empty table', info=true) }}
    {%- else -%}
        {%- set readers = [] -%}
        {%- set file_readers = [] -%}
        {%- set files = run_query("select file from glob('" ~ found['path'] ~ "') order by file") -%}
        {%- for file_row in files.rows -%}
            {%- set file_path = file_row[0] | replace("'", "''") -%}
            {%- set file_name = file_path[(raw_dir | length) + 1:] -%}
            {%- do lead_funnel.check_raw_file_format(table_name, file_path, found['format']) -%}
            {%- if found['format'] == 'parquet' -%}
                {%- do run_query(
                    'insert into ' ~ landed_files ~ " select '" ~ table_name ~ "', '" ~ file_name
                    ~ "', 'parquet', count(*), 0, current_timestamp, null, null from read_parquet('"
                    ~ file_path ~ "')"
                ) -%}
                {%- set file_reader = "select * from read_parquet('" ~ file_path ~ "')" -%}
            {%- else -%}
                {%- set file_reader = lead_funnel.land_csv_file(
                    table_name, file_path, file_name, loop.index, landed_files, rejected_lines
                ) -%}
                {%- do readers.append(file_reader) -%}
            {%- endif -%}
            {%- do file_readers.append(
                "select '" ~ file_name ~ "' as landed_file, * from ("
                ~ file_reader ~ ')'
            ) -%}
            {%- do run_query(
                'update ' ~ landed_files ~ ' set file_size = blob.size, modified_at = blob.last_modified'
                ~ " from (select size, last_modified from read_blob('" ~ file_path ~ "')) as blob"
                ~ " where source_table = '" ~ table_name ~ "' and file_name = '"
                ~ file_name ~ "'"
            ) -%}
        {%- endfor -%}
        {%- if found['format'] == 'parquet' -%}
            {%- set reader = "read_parquet('" ~ found['path'] ~ "', union_by_name = true)" -%}
        {%- else -%}
            {%- set reader = '(' ~ readers | join(' union all by name ') ~ ')' -%}
        {%- endif -%}
        {%- set described = run_query('describe select * from ' ~ reader) -%}
        {%- set file_columns = [] -%}
        {%- for row in described.rows -%}
            {%- do file_columns.append(row[0]) -%}
        {%- endfor -%}
        {%- set file_columns_lower = file_columns | map('lower') | list -%}
        {%- for column_name in required -%}
            {%- if column_name not in file_columns_lower -%}
                {{ exceptions.raise_compiler_error(
                    "Raw file '" ~ found['path'] ~ "' (table " ~ table_name
                    ~ ") lacks the required column '" ~ column_name ~ "'. Required columns: "
                    ~ required | join(', ')
                ) }}
            {%- endif -%}
        {%- endfor -%}
        {%- set select_list = [] -%}
        {%- for column_name in file_columns -%}
            {%- do select_list.append(
                'cast(' ~ adapter.quote(column_name) ~ ' as varchar) as ' ~ adapter.quote(column_name | lower)
            ) -%}
        {%- endfor -%}
        {%- for column_name in optional -%}
            {%- if column_name not in file_columns_lower -%}
                {%- do select_list.append('cast(null as varchar) as ' ~ adapter.quote(column_name)) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do run_query(
            'create or replace view ' ~ target_relation ~ ' as select '
            ~ select_list | join(', ') ~ ' from ' ~ reader
        ) -%}
        {#- The same rows, each with the file it came from (incremental models read the rows
            of files they have not seen, macro lf_unseen_file_rows). -#}
        {%- do run_query(
            'create or replace view ' ~ target_relation[:-1] ~ '__files" as select landed_file, '
            ~ select_list | join(', ') ~ ' from (' ~ file_readers | join(' union all by name ') ~ ')'
        ) -%}
        {{ log('raw ' ~ table_name ~ ': ' ~ found['path'], info=true) }}
    {%- endif -%}
{% endmacro %}


{#- The first existing file (or folder of files) for a table, and its format. -#}
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
            {{ return({'path': pattern, 'format': file_format}) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(none) }}
{% endmacro %}


{#-
    Names in the raw folder that look like a table's file but are not an accepted name:
    the table name followed by a separator or digit (leads_2026-12-01.csv, leads-old/).
    A name that belongs to a longer table name (lead_status_changes.csv for a table lead)
    is left to that table.
-#}
{% macro find_raw_lookalikes(raw_dir, table_name, contract) %}
    {%- set start = (raw_dir | length) + 2 -%}
    {%- set entries = run_query(
        "select distinct split_part(file[" ~ start ~ ":], '/', 1) as entry from glob('"
        ~ raw_dir ~ "/*') union select distinct split_part(file[" ~ start
        ~ ":], '/', 1) from glob('" ~ raw_dir ~ "/*/*') order by 1"
    ) -%}
    {%- set lookalikes = [] -%}
    {%- for row in entries.rows -%}
        {%- set entry = row[0] -%}
        {%- set rest = entry[table_name | length:] -%}
        {%- if entry.startswith(table_name) and rest | length > 0 and rest[0] in '_-. 0123456789' -%}
            {%- set ns = namespace(other=false) -%}
            {%- for other_name in contract -%}
                {%- if other_name != table_name and other_name | length > table_name | length
                    and entry.startswith(other_name) -%}
                    {%- set ns.other = true -%}
                {%- endif -%}
            {%- endfor -%}
            {%- if not ns.other -%}
                {%- do lookalikes.append(entry) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(lookalikes) }}
{% endmacro %}


{#-
    Stops the run when a file is not in the format its name says: a Parquet file starts and
    ends with the bytes PAR1, a CSV file does not start with them. Read with read_blob so
    DuckDB's reader never fails on it (about 0.5 s per 100 MB).
-#}
{% macro check_raw_file_format(table_name, file_path, file_format) %}
    {%- set probe = run_query(
        "select size, coalesce(hex(content[1:4]), ''), coalesce(hex(content[greatest(size - 3, 1):size]), '')"
        ~ " from read_blob('" ~ file_path ~ "')"
    ) -%}
    {%- set size, head, tail = probe.rows[0][0], probe.rows[0][1], probe.rows[0][2] -%}
    {%- if file_format == 'parquet' and (size < 12 or head != '50415231' or tail != '50415231') -%}
        {{ exceptions.raise_compiler_error(
            'raw table ' ~ table_name ~ ': file ' ~ file_path ~ ' is not a readable Parquet file'
            ~ ' (truncated or not Parquet); re-export it or remove it'
        ) }}
    {%- elif file_format == 'csv' and head == '50415231' -%}
        {{ exceptions.raise_compiler_error(
            'raw table ' ~ table_name ~ ': file ' ~ file_path ~ ' is a Parquet file, not CSV;'
            ~ ' rename it to .parquet or re-export it as CSV'
        ) }}
    {%- endif -%}
{% endmacro %}


{#-
    Checks one CSV file line by line and records it in raw_landed_files; returns the SQL that
    reads its accepted rows. Each physical line is read as text (Latin-1, so every byte
    survives) and rejected when it is not valid UTF-8, has an odd number of quotes
    (unterminated quote), a quote inside an unquoted value, or another number of fields than
    the header. A file without rejected lines is read by DuckDB's CSV reader as it is; a file
    with rejected lines has its accepted lines parsed here into table raw.<table>__accepted_<n>.
-#}
{% macro land_csv_file(table_name, file_path, file_name, file_index, landed_files, rejected_lines) %}
    {%- set line_reader = "read_csv('" ~ file_path ~ "', columns = {'line': 'varchar'}, header = false,"
        ~ " delim = chr(31), quote = '', escape = '', auto_detect = false, parallel = false" -%}
    {#- Fast path: a file whose every line decodes as UTF-8 and whose every non-blank line
        after the header is one record of DuckDB's own reader has no line to reject. -#}
    {%- set probe = run_query(
        "select (select count(*) from " ~ line_reader ~ ", encoding = 'latin-1')),"
        ~ " (select count(*) filter (where rtrim(line, chr(13)) <> '') from " ~ line_reader
        ~ ", encoding = 'latin-1')),"
        ~ " (select count(*) from " ~ line_reader ~ ", ignore_errors = true) as lines where lines is not null),"
        ~ " (select count(*) from read_csv('" ~ file_path ~ "', header = true, all_varchar = true,"
        ~ " ignore_errors = true, parallel = false) as records where records is not null)"
    ) -%}
    {%- set physical_lines, non_blank_lines, utf8_lines, records = probe.rows[0] -%}
    {%- if physical_lines == utf8_lines and records == non_blank_lines - 1 -%}
        {%- do run_query(
            'insert into ' ~ landed_files ~ " values ('" ~ table_name ~ "', '" ~ file_name ~ "', 'csv', "
            ~ records ~ ', 0, current_timestamp, null, null)'
        ) -%}
        {{ return("select * from read_csv('" ~ file_path ~ "', header = true, all_varchar = true)") }}
    {%- endif -%}
    {%- call statement('classify_lines', fetch_result=false, auto_begin=false) -%}
        create or replace temp table lf_csv_lines as
        with

        scanned as (
            select
                ordinality as line_number,
                rtrim(line, chr(13)) as line_text
            from {{ line_reader }}, encoding = 'latin-1') with ordinality
        ),

        -- cheap tests first: the regular expressions only run on lines that need them
        -- (non-ASCII bytes for the UTF-8 test, a quote for the quoting and field tests)
        flagged as (
            select
                line_number,
                line_text,
                coalesce(line_text, '') = '' as is_blank,
                strlen(coalesce(line_text, '')) = length(coalesce(line_text, '')) as is_ascii,
                contains(coalesce(line_text, ''), '"') as has_quote
            from scanned
        ),
        measured as (
            select
                line_number,
                line_text,
                is_blank,
                case
                    when is_ascii then true
                    else regexp_full_match(
                        line_text,
                        '(?:[\x00-\x7F]|[\xC2-\xDF][\x80-\xBF]|\xE0[\xA0-\xBF][\x80-\xBF]|[\xE1-\xEC\xEE\xEF][\x80-\xBF]{2}|\xED[\x80-\x9F][\x80-\xBF]|\xF0[\x90-\xBF][\x80-\xBF]{2}|[\xF1-\xF3][\x80-\xBF]{3}|\xF4[\x80-\x8F][\x80-\xBF]{2})*'
                    )
                end as is_utf8,
                has_quote
                and (length(line_text) - length(replace(line_text, '"', ''))) % 2 = 1
                    as has_unterminated_quote,
                case
                    when not has_quote then true
                    else regexp_full_match(
                        line_text,
                        '(?:"(?:[^"]|"")*"|[^,"]*)(?:,(?:"(?:[^"]|"")*"|[^,"]*))*'
                    )
                end as is_well_quoted,
                case
                    when not has_quote
                        then length(coalesce(line_text, '')) - length(replace(coalesce(line_text, ''), ',', '')) + 1
                    else length(regexp_replace(line_text, '"(?:[^"]|"")*"', '', 'g'))
                        - length(replace(regexp_replace(line_text, '"(?:[^"]|"")*"', '', 'g'), ',', ''))
                        + 1
                end as field_count
            from flagged
        ),
        classified as (
            select
                line_number,
                line_text,
                is_blank,
                is_utf8,
                case
                    when line_number = 1 or is_blank then null
                    when not is_utf8 then 'invalid_utf8'
                    when has_unterminated_quote then 'unterminated_quote'
                    when not is_well_quoted then 'misplaced_quote'
                    when field_count <> max(field_count) filter (where line_number = 1) over ()
                        then 'wrong_field_count'
                end as error_type
            from measured
        )

        select
            *,
            sum(case when is_utf8 then 1 else 0 end) over (order by line_number) as utf8_ordinal
        from classified
    {%- endcall -%}
    {%- do run_query(
        'insert into ' ~ rejected_lines ~ " select '" ~ table_name ~ "', '" ~ file_name ~ "', line_number,"
        ~ ' error_type, line_text, current_timestamp from lf_csv_lines where error_type is not null'
    ) -%}
    {%- set counted = run_query(
        'select count(*) filter (where line_number > 1 and not is_blank),'
        ~ ' count(*) filter (where error_type is not null) from lf_csv_lines'
    ) -%}
    {%- set data_lines, rejected_count = counted.rows[0][0], counted.rows[0][1] -%}
    {%- do run_query(
        'insert into ' ~ landed_files ~ " values ('" ~ table_name ~ "', '" ~ file_name ~ "', 'csv', "
        ~ data_lines ~ ', ' ~ rejected_count ~ ', current_timestamp, null, null)'
    ) -%}
    {%- if rejected_count == 0 -%}
        {{ return("select * from read_csv('" ~ file_path ~ "', header = true, all_varchar = true)") }}
    {%- endif -%}
    {{ log('raw ' ~ table_name ~ ': ' ~ rejected_count ~ ' malformed line(s) in ' ~ file_name
        ~ ' kept in raw.raw_rejected_lines', info=true) }}
    {%- set header_row = run_query(
        "select array_to_string(list_transform(regexp_extract_all(',' || line_text,"
        ~ " ',(\"(?:[^\"]|\"\")*\"|[^,\"]*)', 1), f -> lower(trim(replace(f, '\"', '')))), '|')"
        ~ " from lf_csv_lines where line_number = 1"
    ) -%}
    {%- set accepted_relation = adapter.quote(lead_funnel.lf_raw_schema()) ~ '.'
        ~ adapter.quote(table_name ~ '__accepted_' ~ file_index) -%}
    {%- set fields = [] -%}
    {%- for column_name in header_row.rows[0][0].split('|') -%}
        {%- do fields.append(
            "case when fields[" ~ loop.index ~ "] in ('', '\"\"') then null"
            ~ " when starts_with(fields[" ~ loop.index ~ "], '\"') then replace(substring(fields["
            ~ loop.index ~ "], 2, length(fields[" ~ loop.index ~ "]) - 2), '\"\"', '\"')"
            ~ " else fields[" ~ loop.index ~ "] end as " ~ adapter.quote(column_name)
        ) -%}
    {%- endfor -%}
    {%- call statement('accept_lines', fetch_result=false, auto_begin=false) -%}
        create or replace table {{ accepted_relation }} as
        with

        decoded as (
            select
                ordinality as utf8_ordinal,
                rtrim(line, chr(13)) as line_text
            from {{ line_reader }}, ignore_errors = true) with ordinality
        ),

        split as (
            select
                lines.line_number,
                regexp_extract_all(',' || decoded.line_text, ',("(?:[^"]|"")*"|[^,"]*)', 1) as fields
            from decoded
            inner join lf_csv_lines as lines
                on decoded.utf8_ordinal = lines.utf8_ordinal
            where lines.is_utf8 and lines.line_number > 1 and not lines.is_blank and lines.error_type is null
        )

        select {{ fields | join(', ') }}
        from split
        order by line_number
    {%- endcall -%}
    {%- set accepted = run_query('select count(*) from ' ~ accepted_relation) -%}
    {%- if accepted.rows[0][0] != data_lines - rejected_count -%}
        {{ exceptions.raise_compiler_error(
            'raw table ' ~ table_name ~ ': file ' ~ file_path ~ ' holds ' ~ data_lines ~ ' lines, '
            ~ rejected_count ~ ' rejected, but ' ~ accepted.rows[0][0] ~ ' accepted; check its encoding'
        ) }}
    {%- endif -%}
    {{ return('select * from ' ~ accepted_relation) }}
{% endmacro %}
