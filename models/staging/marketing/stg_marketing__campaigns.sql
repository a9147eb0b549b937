-- Waits for the publish gates: a build that must not be published stops before this model.
-- depends_on: {{ ref('audit_publish_gates') }}
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
