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
        occurred_at
    from activities
    where rejection_reason is null
)

select * from accepted
