-- The data's watermark: the latest accepted timestamp across lead creation, engagement events,
-- status changes, sales activities, opportunities (created and closed) and product usage. The
-- scoring layer and the lifecycle compute "as of" this moment when var score_as_of is unset,
-- so the same raw files give the same marts whatever day they are built.
{{ config(materialized='table') }}

with

moments as (
    select max(created_at) as moment_at from {{ ref('stg_crm__leads') }}
    union all
    select max(occurred_at) as moment_at from {{ ref('stg_marketing__engagement_events') }}
    union all
    select max(changed_at) as moment_at from {{ ref('stg_crm__lead_status_changes') }}
    union all
    select max(occurred_at) as moment_at from {{ ref('stg_sales__activities') }}
    union all
    select max(created_at) as moment_at from {{ ref('stg_crm__opportunities') }}
    union all
    select max(closed_at) as moment_at from {{ ref('stg_crm__opportunities') }}
    union all
    select max(occurred_at) as moment_at from {{ ref('stg_product__usage_events') }}
),

final as (
    select
        max(moment_at) as watermark_at,
        {{ lf_timestamp_text('max(moment_at)') }} as watermark_text
    from moments
)

select * from final
