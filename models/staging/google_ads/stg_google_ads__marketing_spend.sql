-- Google Ads spend in the contract's marketing_spend columns, all text: one row per day,
-- channel and contract campaign with the sum of its mapped rows
-- (stg_google_ads__campaign_stats_classified); see macros/connectors/daily_ad_spend.sql.
{{ lf_daily_ad_spend(ref('stg_google_ads__campaign_stats_classified')) }}
