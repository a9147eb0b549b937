with

usage_events as (
    select * from {{ ref('base_product__usage_events') }}
),

accepted as (
    select
        usage_event_id,
        lead_id,
        event_type,
        occurred_at
    from usage_events
    where rejection_reason is null
)

select * from accepted
