-- One row per surviving lead and scoring model with its fit score and whether a
-- disqualifying fit rule matched. Rules: seeds/scoring/scoring_fit_rules.csv.
-- A table: the scores, MQL moments, MQL cycles and scoring marts all read it.
{{ config(materialized='table') }}

with

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

leads_resolved as (
    select * from {{ ref('int_leads_resolved') }}
),

scoring_models as (
    select * from {{ ref('scoring_models') }}
),

fit_attributes as (
    select * from {{ ref('int_lead_fit_attributes_derived') }}
),

fit_rules as (
    select * from {{ ref('scoring_fit_rules') }}
),

scored_leads as (
    select
        leads.lead_id,
        scoring_models.scoring_model
    from leads
    inner join leads_resolved
        on leads.lead_id = leads_resolved.lead_id
    cross join scoring_models
    where
        leads_resolved.is_survivor
        and leads.created_at <= {{ lf_score_as_of() }}
),

rules_matched as (
    select
        fit_attributes.lead_id,
        fit_rules.scoring_model,
        sum(fit_rules.points) as fit_score,
        max(case when fit_rules.is_disqualifying then 1 else 0 end) = 1 as is_fit_disqualified
    from fit_attributes
    inner join fit_rules
        on
            fit_attributes.attribute = fit_rules.attribute
            and fit_attributes.attribute_value = fit_rules.attribute_value
    group by fit_attributes.lead_id, fit_rules.scoring_model
),

final as (
    select
        scored_leads.lead_id,
        scored_leads.scoring_model,
        coalesce(rules_matched.fit_score, 0) as fit_score,
        coalesce(rules_matched.is_fit_disqualified, false) as is_fit_disqualified
    from scored_leads
    left join rules_matched
        on
            scored_leads.lead_id = rules_matched.lead_id
            and scored_leads.scoring_model = rules_matched.scoring_model
)

select * from final
