-- Each lead with the lead it finally merged into (itself when not merged), following
-- merged_into_lead_id up to var merge_max_depth hops; a merge pointing at an unknown lead ends
-- the chain. base_crm__leads has already cut merge cycles and chains longer than that (their
-- leads stay their own survivors), so every chain ends within the hops unrolled here.
-- A table: most lead-level models read it, and the unrolled joins (macro lf_walk_merge_chains)
-- run once.
{{ config(materialized='table') }}
{%- set max_hops = var('merge_max_depth') | int %}

with

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

chain as (
    {{ lf_walk_merge_chains('leads', max_hops) }}
),

resolved as (
    select
        lead_id,
        coalesce(
            {%- for hop in range(max_hops, -1, -1) %}
                hop_{{ hop }}_lead_id{{ ',' if not loop.last }}
            {%- endfor %}
        ) as survivor_lead_id,
        (
            {%- for hop in range(1, max_hops + 1) %}
                case when hop_{{ hop }}_lead_id is not null then 1 else 0 end
                {{- ' +' if not loop.last }}
            {%- endfor %}
        ) as merge_depth
    from chain
),

final as (
    select
        lead_id,
        survivor_lead_id,
        merge_depth,
        lead_id = survivor_lead_id as is_survivor
    from resolved
)

select * from final
