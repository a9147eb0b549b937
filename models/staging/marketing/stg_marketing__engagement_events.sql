-- Waits for the publish gates: a build that must not be published stops before this model.
-- depends_on: {{ ref('audit_publish_gates') }}
with

engagement_events as (
    select * from {{ ref('base_marketing__engagement_events') }}
),

accepted as (
    select
        event_id,
        lead_id,
        campaign_id,
        event_type,
        page_url,
        properties,
        is_date_only,
        occurred_at,
        loaded_at
    from engagement_events
    where rejection_reason is null
)

select * from accepted
