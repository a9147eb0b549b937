-- Waits for the publish gates: a build that must not be published stops before this model.
-- depends_on: {{ ref('audit_publish_gates') }}
with

accounts as (
    select * from {{ ref('base_crm__accounts') }}
),

accepted as (
    select
        account_id,
        account_name,
        account_domain,
        industry,
        country,
        employee_count,
        annual_revenue,
        created_at,
        updated_at
    from accounts
    where rejection_reason is null
)

select * from accepted
