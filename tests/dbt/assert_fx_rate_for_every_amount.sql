-- Every opportunity amount and spend row can be converted to var reporting_currency: seed
-- fx_rates has a rate of its currency (and of the reporting currency) on or before its day.
-- A failing row names the currency, the first day lacking a rate and how many amounts lack
-- it; on DuckDB the test stops with that message.
{%- set missing %}
    select
        missing_rate_currency,
        min(amount_date) as first_amount_date,
        count(*) as amounts,
        {{ dbt.concat([
            "'no fx_rates rate for '", "missing_rate_currency",
            "' on or before '", dbt.cast("min(amount_date)", api.Column.translate_type("string")),
            "' ('", dbt.cast("count(*)", api.Column.translate_type("string")),
            "' amounts)'"
        ]) }} as failure_message
    from {{ ref('int_amounts_in_reporting_currency') }}
    where missing_rate_currency is not null
    group by missing_rate_currency
{%- endset %}
{{ lf_fail_with_messages(missing, 'failure_message') }}
