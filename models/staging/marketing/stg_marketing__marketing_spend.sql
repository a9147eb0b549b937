-- Waits for the publish gates: a build that must not be published stops before this model.
-- depends_on: {{ ref('audit_publish_gates') }}
with

spend as (
    select * from {{ ref('base_marketing__marketing_spend') }}
),

accepted as (
    select
        marketing_spend_id,
        campaign_id,
        channel,
        amount,
        currency,
        spend_date
    from spend
    where rejection_reason is null
)

select * from accepted
