-- Waits for the publish gates: a build that must not be published stops before this model.
-- depends_on: {{ ref('audit_publish_gates') }}
with

usage_events as (
    select * from {{ ref('base_product__usage_events') }}
),

accepted as (
    select
        usage_event_id,
        lead_id,
        event_type,
        is_date_only,
        occurred_at
    from usage_events
    where rejection_reason is null
)

select * from accepted
