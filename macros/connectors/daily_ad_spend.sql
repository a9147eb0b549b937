{#- An ad platform's spend in the contract's marketing_spend columns, all text: one row per
    day, channel and contract campaign with the sum of the mapped rows of `classified` (the
    platform's classified model, columns spend_date, channel, campaign_id, amount_value,
    amount_text, outcome; currency: the ad account's, null when unknown). A row whose cost is
    not a number is passed on by itself, its text
    as the amount, so the base model quarantines it (invalid_number) instead of it vanishing
    from a sum. -#}
{% macro lf_daily_ad_spend(classified) %}
{%- set text_type = lf_engine_type('varchar') %}

with

classified as (
    select * from {{ classified }}
),

mapped as (
    select * from classified
    where outcome = 'mapped'
),

daily as (
    select
        spend_date,
        channel,
        campaign_id,
        cast(cast(sum(amount_value) as decimal(18, 6)) as {{ text_type }}) as amount,
        currency
    from mapped
    where amount_value is not null
    group by spend_date, channel, campaign_id, currency
),

unreadable as (
    select
        spend_date,
        channel,
        campaign_id,
        amount_text as amount,
        currency
    from mapped
    where amount_value is null
),

final as (
    select * from daily
    union all
    select * from unreadable
)

select * from final
{% endmacro %}
