-- Waits for the publish gates: a build that must not be published stops before this model.
-- depends_on: {{ ref('audit_publish_gates') }}
with

opportunities as (
    select * from {{ ref('base_crm__opportunities') }}
),

accepted as (
    select
        opportunity_id,
        account_id,
        lead_id,
        stage,
        amount,
        currency,
        is_won,
        closed_at is not null as is_closed,
        created_at,
        closed_at
    from opportunities
    where rejection_reason is null
)

select * from accepted
