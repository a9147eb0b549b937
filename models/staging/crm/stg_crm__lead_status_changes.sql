-- Waits for the publish gates: a build that must not be published stops before this model.
-- depends_on: {{ ref('audit_publish_gates') }}
with

status_changes as (
    select * from {{ ref('base_crm__lead_status_changes') }}
),

accepted as (
    select
        change_id,
        lead_id,
        status,
        reason,
        changed_by,
        is_date_only,
        changed_at
    from status_changes
    where rejection_reason is null
)

select * from accepted
