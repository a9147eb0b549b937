-- Every staged money amount in var reporting_currency: opportunity amounts (on the day the deal
-- closed, else the day it was created) and spend (on its spend day). An amount without a
-- currency, or in the reporting currency, is taken as it is; any other is converted with seed
-- fx_rates: amount x rate(reporting currency) / rate(its currency), each rate the latest on or
-- before the amount's day. When a rate is missing the amount in the reporting currency is
-- null and missing_rate_currency names the currency lacking one (test
-- assert_fx_rate_for_every_amount fails on it). A table: the revenue and cost marts read it.
{{ config(materialized='table') }}
{%- set reporting = var('reporting_currency') | upper %}
{%- set double = lf_engine_type('double') %}

with

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

spend as (
    select * from {{ ref('stg_marketing__marketing_spend') }}
),

fx_rates as (
    select
        cast({{ adapter.quote('date') }} as date) as rate_date,
        upper(trim(currency)) as currency,
        cast(rate as {{ double }}) as rate
    from {{ ref('fx_rates') }}
),

amounts as (
    select
        'opportunities' as source_table,
        opportunity_id as record_id,
        cast(coalesce(closed_at, created_at) as date) as amount_date,
        coalesce(currency, '{{ reporting }}') as currency,
        amount
    from opportunities
    where amount is not null
    union all
    select
        'marketing_spend' as source_table,
        marketing_spend_id as record_id,
        spend_date as amount_date,
        coalesce(currency, '{{ reporting }}') as currency,
        amount
    from spend
),

foreign_amounts as (
    select * from amounts
    where currency <> '{{ reporting }}'
),

-- the latest rate on or before each foreign amount's day, of its currency and of the reporting
-- currency
rates_ranked as (
    select
        foreign_amounts.source_table,
        foreign_amounts.record_id,
        fx_rates.currency,
        fx_rates.rate,
        fx_rates.rate_date,
        row_number() over (
            partition by foreign_amounts.source_table, foreign_amounts.record_id, fx_rates.currency
            order by fx_rates.rate_date desc
        ) as rate_rank
    from foreign_amounts
    inner join fx_rates
        on
            fx_rates.currency in (foreign_amounts.currency, '{{ reporting }}')
            and foreign_amounts.amount_date >= fx_rates.rate_date
),

latest_rates as (
    select * from rates_ranked
    where rate_rank = 1
),

converted as (
    select
        amounts.source_table,
        amounts.record_id,
        amounts.amount_date,
        amounts.currency,
        amounts.amount,
        case
            when amounts.currency = '{{ reporting }}' then cast(1 as {{ double }})
            else reporting_rates.rate / own_rates.rate
        end as conversion_rate,
        own_rates.rate_date as currency_rate_date,
        case
            when amounts.currency = '{{ reporting }}' then cast(null as {{ dbt.type_string() }})
            when own_rates.rate is null then amounts.currency
            when reporting_rates.rate is null then '{{ reporting }}'
        end as missing_rate_currency
    from amounts
    left join latest_rates as own_rates
        on
            amounts.source_table = own_rates.source_table
            and amounts.record_id = own_rates.record_id
            and amounts.currency = own_rates.currency
    left join latest_rates as reporting_rates
        on
            amounts.source_table = reporting_rates.source_table
            and amounts.record_id = reporting_rates.record_id
            and reporting_rates.currency = '{{ reporting }}'
),

final as (
    select
        source_table,
        record_id,
        amount_date,
        currency,
        cast(amount as decimal(18, 2)) as amount,
        '{{ reporting }}' as reporting_currency,
        conversion_rate,
        currency_rate_date,
        missing_rate_currency,
        cast(amount * conversion_rate as decimal(18, 2)) as amount_in_reporting_currency
    from converted
)

select * from final
