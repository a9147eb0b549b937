-- Every row of Facebook Ads basic_ad with its spend day, contract channel (seed
-- ad_platform_channels), contract campaign (the ad's campaign in its latest ad_history
-- version, through seed ad_campaign_mapping, else 'facebook_ads:<campaign id>'; null for an
-- ad ad_history does not know) and amount (spend), and its outcome: an ad, day and account
-- written more than once keeps its latest write, the others are dropped as
-- superseded_duplicate; every other row is mapped. currency: the ad account's
-- (account_history.currency), null when unknown.
{%- set text_type = lf_engine_type('varchar') %}
{%- set spend_day = lf_parse_timestamp('ads.' ~ adapter.quote('date')) %}

with

basic_ad as (
    select * from {{ lf_connector_source('facebook_ads', 'basic_ad') }}
),

ad_history as (
    select * from {{ lf_connector_source('facebook_ads', 'ad_history') }}
),

campaign_mapping as (
    select * from {{ ref('ad_campaign_mapping') }}
),

platform_channels as (
    select * from {{ ref('ad_platform_channels') }}
),

account_currencies as (
    {{ lf_ad_account_currencies('facebook_ads', 'currency', ['_fivetran_synced', 'created_time']) }}
),

ad_versions_ranked as (
    select
        {{ lf_clean_text('id') }} as ad_id,
        {{ lf_clean_text('campaign_id') }} as ad_campaign_id,
        row_number() over (
            partition by {{ lf_clean_text('id') }}
            order by
                {{ lf_parse_timestamp('updated_time') }} desc nulls last,
                {{ lf_parse_timestamp('_fivetran_synced') }} desc nulls last,
                {{ lf_clean_text('campaign_id') }} asc nulls last
        ) as version_rank
    from ad_history
),

latest_ads as (
    select
        ad_id,
        ad_campaign_id
    from ad_versions_ranked
    where version_rank = 1
),

ranked as (
    select
        *,
        row_number() over (
            partition by
                {{ lf_clean_text('ad_id') }},
                {{ lf_clean_text(adapter.quote('date')) }},
                {{ lf_clean_text('account_id') }}
            order by
                {{ lf_parse_timestamp('_fivetran_synced') }} desc nulls last,
                spend asc nulls last
        ) as key_rank
    from basic_ad
),

final as (
    select
        cast(latest_ads.ad_campaign_id as {{ text_type }}) as ad_campaign_id,
        -- the report day as it is: no zone, not shifted; unreadable text passed on
        cast(
            coalesce(
                cast(cast({{ spend_day }} as date) as {{ text_type }}), ads.{{ adapter.quote('date') }}
            ) as {{ text_type }}
        ) as spend_date,
        cast(platform_channels.channel as {{ text_type }}) as channel,
        cast(
            coalesce(
                campaign_mapping.campaign_id,
                case
                    when latest_ads.ad_campaign_id is not null
                        then {{ dbt.concat(["'facebook_ads:'", 'latest_ads.ad_campaign_id']) }}
                end
            ) as {{ text_type }}
        ) as campaign_id,
        {{ lf_try_cast(lf_clean_text('ads.spend'), 'decimal(38, 6)') }} as amount_value,
        cast({{ lf_clean_text('ads.spend') }} as {{ text_type }}) as amount_text,
        cast(account_currencies.currency as {{ text_type }}) as currency,
        case when ads.key_rank > 1 then 'dropped' else 'mapped' end as outcome,
        case when ads.key_rank > 1 then 'superseded_duplicate' end as drop_reason
    from ranked as ads
    -- the two tables type the ad id differently (text and integer): compared as trimmed text
    left join latest_ads
        on {{ lf_clean_text('ads.ad_id') }} = latest_ads.ad_id
    left join campaign_mapping
        on
            campaign_mapping.platform = 'facebook_ads'
            and latest_ads.ad_campaign_id = trim(campaign_mapping.ad_campaign_id)
    left join platform_channels
        on platform_channels.platform = 'facebook_ads'
    left join account_currencies
        on {{ lf_clean_text('ads.account_id') }} = account_currencies.account_id
)

select * from final
