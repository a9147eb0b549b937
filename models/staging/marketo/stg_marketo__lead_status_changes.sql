-- Marketo's status changes (stg_marketo__status_changes_classified, mapped rows) in the
-- contract's columns, all text; the framework unions them with the CRM's status changes
-- (change ids 'marketo:<activity id>' never collide with the CRM's).

with

changes as (
    select * from {{ ref('stg_marketo__status_changes_classified') }}
),

mapped as (
    select
        change_id,
        lead_id,
        status,
        reason,
        changed_at,
        changed_by
    from changes
    where outcome = 'mapped'
)

select * from mapped
