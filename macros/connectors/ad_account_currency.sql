{#- The currency of each ad account of connector `source_name`: one row per account_id (text)
    with its currency (upper-cased text) from the latest version of its account_history row
    (by `version_columns`, latest first, then the currency). Accounts without a readable
    currency are left out: their spend is taken to be in var reporting_currency. -#}
{% macro lf_ad_account_currencies(source_name, currency_column, version_columns) -%}
    {%- set history = lead_funnel.lf_connector_source(source_name, 'account_history') -%}
    select
        account_id,
        currency
    from (
        select
            {{ lead_funnel.lf_clean_text('id') }} as account_id,
            upper({{ lead_funnel.lf_clean_text(currency_column) }}) as currency,
            row_number() over (
                partition by {{ lead_funnel.lf_clean_text('id') }}
                order by
                    {%- for column_name in version_columns %}
                        {{ lead_funnel.lf_parse_timestamp(column_name) }} desc nulls last,
                    {%- endfor %}
                    upper({{ lead_funnel.lf_clean_text(currency_column) }}) asc nulls last
            ) as version_rank
        from {{ history }}
        where
            {{ lead_funnel.lf_clean_text('id') }} is not null
            and {{ lead_funnel.lf_clean_text(currency_column) }} is not null
    ) as account_versions
    where version_rank = 1
{%- endmacro %}
