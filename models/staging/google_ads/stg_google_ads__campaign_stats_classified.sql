-- Every row of Google Ads campaign_stats with its spend day, contract channel (seed
-- ad_platform_channels), contract campaign (seed ad_campaign_mapping, else
-- 'google_ads:<campaign id>') and amount (cost_micros / 1,000,000), and its outcome: a row
-- whose key (_fivetran_id, else customer, campaign, day, network and device) repeats is
-- dropped as superseded_duplicate except its latest write; every other row is mapped. currency:
-- the customer's (account_history.currency_code), null when unknown.
{%- set text_type = lf_engine_type('varchar') %}
{%- set spend_day = lf_parse_timestamp('stats.' ~ adapter.quote('date')) %}
{%- set key_parts = ['customer_id', 'id', adapter.quote('date'), 'ad_network_type', 'device'] %}

with

campaign_stats as (
    select * from {{ lf_connector_source('google_ads', 'campaign_stats') }}
),

campaign_mapping as (
    select * from {{ ref('ad_campaign_mapping') }}
),

platform_channels as (
    select * from {{ ref('ad_platform_channels') }}
),

account_currencies as (
    {{ lf_ad_account_currencies('google_ads', 'currency_code', ['updated_at', '_fivetran_synced']) }}
),

keyed as (
    select
        *,
        coalesce(
            {{ lf_clean_text('_fivetran_id') }},
            {%- set parts = [] %}
            {%- for part in key_parts %}
                {%- do parts.append("coalesce(" ~ lf_clean_text(part) ~ ", '')") %}
                {%- if not loop.last %}{% do parts.append("'|'") %}{% endif %}
            {%- endfor %}
            {{ dbt.concat(parts) }}
        ) as stats_key
    from campaign_stats
),

ranked as (
    select
        *,
        row_number() over (
            partition by stats_key
            order by
                {{ lf_parse_timestamp('_fivetran_synced') }} desc nulls last,
                cost_micros asc nulls last
        ) as key_rank
    from keyed
),

final as (
    select
        cast({{ lf_clean_text('stats.id') }} as {{ text_type }}) as ad_campaign_id,
        -- the report day as it is: no zone, not shifted; unreadable text passed on
        cast(
            coalesce(
                cast(cast({{ spend_day }} as date) as {{ text_type }}), stats.{{ adapter.quote('date') }}
            ) as {{ text_type }}
        ) as spend_date,
        cast(platform_channels.channel as {{ text_type }}) as channel,
        cast(
            coalesce(
                campaign_mapping.campaign_id,
                case
                    when {{ lf_clean_text('stats.id') }} is not null
                        then {{ dbt.concat(["'google_ads:'", lf_clean_text('stats.id')]) }}
                end
            ) as {{ text_type }}
        ) as campaign_id,
        {{ lf_try_cast(lf_clean_text('stats.cost_micros'), 'decimal(38, 6)') }} / 1000000 as amount_value,
        cast({{ lf_clean_text('stats.cost_micros') }} as {{ text_type }}) as amount_text,
        cast(account_currencies.currency as {{ text_type }}) as currency,
        case when stats.key_rank > 1 then 'dropped' else 'mapped' end as outcome,
        case when stats.key_rank > 1 then 'superseded_duplicate' end as drop_reason
    from ranked as stats
    left join campaign_mapping
        on
            campaign_mapping.platform = 'google_ads'
            and {{ lf_clean_text('stats.id') }} = trim(campaign_mapping.ad_campaign_id)
    left join platform_channels
        on platform_channels.platform = 'google_ads'
    left join account_currencies
        on {{ lf_clean_text('stats.customer_id') }} = account_currencies.account_id
)

select * from final
