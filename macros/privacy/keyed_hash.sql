{#-
    Keyed hash of personal data (email_hash): the SHA-256 hex digest of key || value, so a list
    of addresses cannot be hashed and compared with the marts without the key (an unsalted md5
    can). The key is LEAD_FUNNEL_HASH_KEY when it is set; without it, a random key generated for
    the warehouse on its first build and kept in <private schema>.hash_key (macro
    lf_prepare_hash_key, on-run-start), which every later build of that warehouse, and every
    copy of its file, reads again. A null value hashes to null.
-#}
{% macro lf_keyed_hash(expression) %}
    {{ return(adapter.dispatch('lf_keyed_hash', 'lead_funnel')(expression)) }}
{% endmacro %}


{#- PostgreSQL (and engines like it): sha256() takes bytes, encode() gives lower-case hex. -#}
{% macro default__lf_keyed_hash(expression) -%}
    encode(sha256(convert_to({{ dbt.concat([lf_hash_key(), 'cast(' ~ expression ~ ' as ' ~ dbt.type_string() ~ ')']) }}, 'UTF8')), 'hex')
{%- endmacro %}


{#- DuckDB: sha256() of the text's UTF-8 bytes, lower-case hex. -#}
{% macro duckdb__lf_keyed_hash(expression) -%}
    sha256({{ dbt.concat([lf_hash_key(), 'cast(' ~ expression ~ ' as ' ~ dbt.type_string() ~ ')']) }})
{%- endmacro %}


{#- Spark: sha2(.., 256) of the string's UTF-8 bytes, lower-case hex. -#}
{% macro spark__lf_keyed_hash(expression) -%}
    sha2({{ dbt.concat([lf_hash_key(), 'cast(' ~ expression ~ ' as ' ~ dbt.type_string() ~ ')']) }}, 256)
{%- endmacro %}


{#- The schema holding the generated key: private, nested like every schema of the project. -#}
{% macro lf_private_schema() -%}
    {{ return(lead_funnel.lf_schema('private')) }}
{%- endmacro %}


{#- The relation holding the generated key (one row, column hash_key). -#}
{% macro lf_hash_key_relation() -%}
    {{ return(adapter.quote(lead_funnel.lf_private_schema()) ~ '.' ~ adapter.quote('hash_key')) }}
{%- endmacro %}


{#- LEAD_FUNNEL_HASH_KEY, stripped; empty when unset. -#}
{% macro lf_hash_key_from_env() -%}
    {{ return(env_var('LEAD_FUNNEL_HASH_KEY', '') | trim) }}
{%- endmacro %}


{#- The key as SQL: the environment variable's value as a literal, else a scalar subquery on
    the generated key (so the generated key never appears in compiled SQL or logs). -#}
{% macro lf_hash_key() -%}
    {%- set from_env = lead_funnel.lf_hash_key_from_env() -%}
    {%- if from_env -%}
        {{ return("'" ~ from_env | replace("'", "''") ~ "'") }}
    {%- endif -%}
    {{ return('(select hash_key from ' ~ lead_funnel.lf_hash_key_relation() ~ ')') }}
{%- endmacro %}


{#- A random key of 64 hex characters from two random UUIDs, per engine. -#}
{% macro lf_random_key_sql() %}
    {{ return(adapter.dispatch('lf_random_key_sql', 'lead_funnel')()) }}
{% endmacro %}

{% macro default__lf_random_key_sql() -%}
    encode(sha256(convert_to(cast(gen_random_uuid() as text) || cast(gen_random_uuid() as text), 'UTF8')), 'hex')
{%- endmacro %}

{% macro duckdb__lf_random_key_sql() -%}
    sha256(cast(gen_random_uuid() as varchar) || cast(gen_random_uuid() as varchar))
{%- endmacro %}

{% macro spark__lf_random_key_sql() -%}
    sha2(concat(uuid(), uuid()), 256)
{%- endmacro %}


{#-
    on-run-start: without LEAD_FUNNEL_HASH_KEY, creates <private>.hash_key with a random key
    unless it exists (so the key of a warehouse never changes by itself); with it, nothing is
    stored. Either way <private>.hash_key_source records which key this build used, for
    `lead-funnel summary`.
-#}
{% macro lf_prepare_hash_key() %}
    {%- if not execute -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- set schema = adapter.quote(lead_funnel.lf_private_schema()) -%}
    {%- set source_relation = schema ~ '.' ~ adapter.quote('hash_key_source') -%}
    {%- set file_format = ' using parquet' if target.type == 'spark' else '' -%}
    {%- do run_query('create schema if not exists ' ~ schema) -%}
    {%- if lead_funnel.lf_hash_key_from_env() -%}
        {%- set key_source = 'LEAD_FUNNEL_HASH_KEY' -%}
    {%- else -%}
        {%- set key_source = 'generated' -%}
        {%- do run_query(
            'create table if not exists ' ~ lead_funnel.lf_hash_key_relation() ~ file_format
            ~ ' as select ' ~ lead_funnel.lf_random_key_sql() ~ ' as hash_key, '
            ~ "cast('" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S') ~ "' as "
            ~ dbt.type_timestamp() ~ ') as created_at'
        ) -%}
    {%- endif -%}
    {%- do run_query('drop table if exists ' ~ source_relation) -%}
    {%- do run_query(
        'create table ' ~ source_relation ~ file_format ~ " as select '" ~ key_source
        ~ "' as key_source, cast('" ~ run_started_at.strftime('%Y-%m-%d %H:%M:%S') ~ "' as "
        ~ dbt.type_timestamp() ~ ') as recorded_at'
    ) -%}
    {{ return('select 1 as hash_key_prepared') }}
{% endmacro %}
