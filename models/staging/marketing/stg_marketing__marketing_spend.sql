with

spend as (
    select * from {{ ref('base_marketing__spend') }}
),

accepted as (
    select
        {{ dbt.hash('raw_record') }} as marketing_spend_id,
        campaign_id,
        channel,
        amount,
        cast(spend_at as date) as spend_date
    from spend
    where rejection_reason is null
)

select * from accepted
