-- Every row of LinkedIn Ads ad_analytics_by_campaign with its spend day (the date of `day`),
-- contract channel (seed ad_platform_channels), contract campaign (seed ad_campaign_mapping,
-- else 'linkedin_ads:<campaign id>') and amount (cost_in_local_currency), and its outcome: a
-- campaign and day written more than once keeps its latest write, the others are dropped as
-- superseded_duplicate; every other row is mapped. currency: that of the campaign's ad account
-- (latest campaign_history, then account_history), null when unknown.
{%- set text_type = lf_engine_type('varchar') %}
{%- set report_day = lf_parse_timestamp('analytics.' ~ adapter.quote('day')) %}
{%- set cost = lf_clean_text('analytics.cost_in_local_currency') %}

with

ad_analytics as (
    select * from {{ lf_connector_source('linkedin_ads', 'ad_analytics_by_campaign') }}
),

campaign_mapping as (
    select * from {{ ref('ad_campaign_mapping') }}
),

platform_channels as (
    select * from {{ ref('ad_platform_channels') }}
),

campaign_history as (
    select * from {{ lf_connector_source('linkedin_ads', 'campaign_history') }}
),

campaign_versions as (
    select
        {{ lf_clean_text('id') }} as ad_campaign_id,
        {{ lf_clean_text('account_id') }} as account_id,
        row_number() over (
            partition by {{ lf_clean_text('id') }}
            order by
                {{ lf_parse_timestamp('last_modified_time') }} desc nulls last,
                {{ lf_parse_timestamp('_fivetran_synced') }} desc nulls last,
                {{ lf_clean_text('account_id') }} asc nulls last
        ) as version_rank
    from campaign_history
),

account_currencies as (
    {{ lf_ad_account_currencies('linkedin_ads', 'currency', ['last_modified_time', '_fivetran_synced']) }}
),

campaign_currencies as (
    select
        campaign_versions.ad_campaign_id,
        account_currencies.currency
    from campaign_versions
    inner join account_currencies
        on campaign_versions.account_id = account_currencies.account_id
    where campaign_versions.version_rank = 1
),

ranked as (
    select
        *,
        row_number() over (
            -- the day as read, or its text when it cannot be read
            partition by
                {{ lf_clean_text('campaign_id') }},
                coalesce(
                    cast({{ lf_parse_timestamp(adapter.quote('day')) }} as {{ text_type }}),
                    {{ adapter.quote('day') }}
                )
            order by
                {{ lf_parse_timestamp('_fivetran_synced') }} desc nulls last,
                cost_in_local_currency asc nulls last
        ) as key_rank
    from ad_analytics
),

final as (
    select
        cast({{ lf_clean_text('analytics.campaign_id') }} as {{ text_type }}) as ad_campaign_id,
        -- the day LinkedIn reports, as it names it; unreadable text passed on
        cast(
            coalesce(
                cast(cast({{ report_day }} as date) as {{ text_type }}), analytics.{{ adapter.quote('day') }}
            ) as {{ text_type }}
        ) as spend_date,
        cast(platform_channels.channel as {{ text_type }}) as channel,
        cast(
            coalesce(
                campaign_mapping.campaign_id,
                case
                    when {{ lf_clean_text('analytics.campaign_id') }} is not null
                        then {{ dbt.concat(["'linkedin_ads:'", lf_clean_text('analytics.campaign_id')]) }}
                end
            ) as {{ text_type }}
        ) as campaign_id,
        {{ lf_try_cast(cost, 'decimal(38, 6)') }} as amount_value,
        cast({{ cost }} as {{ text_type }}) as amount_text,
        cast(campaign_currencies.currency as {{ text_type }}) as currency,
        case when analytics.key_rank > 1 then 'dropped' else 'mapped' end as outcome,
        case when analytics.key_rank > 1 then 'superseded_duplicate' end as drop_reason
    from ranked as analytics
    left join campaign_mapping
        on
            campaign_mapping.platform = 'linkedin_ads'
            and {{ lf_clean_text('analytics.campaign_id') }} = trim(campaign_mapping.ad_campaign_id)
    left join platform_channels
        on platform_channels.platform = 'linkedin_ads'
    left join campaign_currencies
        on {{ lf_clean_text('analytics.campaign_id') }} = campaign_currencies.ad_campaign_id
)

select * from final
