{#- HubSpot datetimes: ISO 8601 (an offset is converted; no offset is UTC) or epoch
    milliseconds (12 or 13 digits). lf_hubspot_timestamp(column) is the timestamp, null when the
    text is neither; lf_hubspot_timestamp_text(column) is the contract's text,
    'YYYY-MM-DD HH:MM:SS' (a date alone stays a date), and anything else passes on as it is,
    for the base model to quarantine. `column` is a SQL expression. -#}
{% macro lf_hubspot_timestamp(column) %}
    {%- set iso = lf_parse_timestamp(column) %}
    {%- set epoch_ms = lf_try_cast(lf_clean_text(column), dbt.type_bigint()) %}
    {{- return(
        "(case when " ~ iso ~ " is not null then " ~ iso
        ~ " when length(" ~ lf_clean_text(column) ~ ") in (12, 13) and " ~ epoch_ms ~ " is not null then "
        ~ dbt.dateadd('second', 'cast(floor(' ~ epoch_ms ~ ' / 1000.0) as ' ~ dbt.type_bigint() ~ ')',
            "cast('1970-01-01 00:00:00' as " ~ dbt.type_timestamp() ~ ")") ~ " end)"
    ) }}
{% endmacro %}

{% macro lf_hubspot_timestamp_text(column) %}
    {%- set iso = lf_parse_timestamp(column) %}
    {%- set parsed = lf_hubspot_timestamp(column) %}
    {{- return(
        "(case when length(" ~ lf_clean_text(column) ~ ") = 10 and " ~ iso ~ " is not null then "
        ~ lf_clean_text(column) ~ " when " ~ parsed ~ " is not null then cast("
        ~ dbt.date_trunc('second', parsed) ~ " as " ~ lf_engine_type('varchar') ~ ") else "
        ~ lf_clean_text(column) ~ " end)"
    ) }}
{% endmacro %}
