-- A lead's score components must add up to its raw score (before clamping).
with

components as (
    select
        lead_id,
        scoring_model,
        sum(contribution) as component_total
    from {{ ref('fct_lead_score_components') }}
    group by lead_id, scoring_model
),

scores as (
    select * from {{ ref('fct_lead_scores') }}
)

select
    scores.lead_id,
    scores.scoring_model,
    scores.raw_score,
    components.component_total
from scores
left join components
    on
        scores.lead_id = components.lead_id
        and scores.scoring_model = components.scoring_model
where abs(scores.raw_score - coalesce(components.component_total, 0)) > 1e-9
