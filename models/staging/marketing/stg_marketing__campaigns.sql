with

campaigns as (
    select * from {{ ref('base_marketing__campaigns') }}
),

accepted as (
    select
        campaign_id,
        campaign_name,
        channel
    from campaigns
    where rejection_reason is null
)

select * from accepted
