with

spend as (
    select * from {{ ref('base_marketing__spend') }}
),

accepted as (
    select
        marketing_spend_id,
        campaign_id,
        channel,
        amount,
        spend_date
    from spend
    where rejection_reason is null
)

select * from accepted
