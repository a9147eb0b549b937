-- The Marketo activities mapped to contract engagement events (stg_marketo__activities_classified),
-- in the contract's columns, all text; base_marketing__engagement_events types and checks them.

with

activities as (
    select * from {{ ref('stg_marketo__activities_classified') }}
),

mapped as (
    select
        event_id,
        lead_id,
        event_type,
        occurred_at,
        campaign_id,
        page_url,
        properties,
        loaded_at
    from activities
    where outcome = 'mapped'
)

select * from mapped
