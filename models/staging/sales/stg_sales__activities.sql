-- Waits for the publish gates: a build that must not be published stops before this model.
-- depends_on: {{ ref('audit_publish_gates') }}
with

activities as (
    select * from {{ ref('base_sales__activities') }}
),

accepted as (
    select
        activity_id,
        lead_id,
        rep_id,
        activity_type,
        is_date_only,
        occurred_at
    from activities
    where rejection_reason is null
)

select * from accepted
