-- One row per MQL cycle (not inferred) with its routing: territory from the lead's country or
-- region, score band of the score at MQL, segment from the employee band, and the most specific
-- matching rule of seed routing_rules (empty fields match anything; ties to the first rule id).
-- A table, not a view: its data tests and the models reading it would each compute it again.
{{ config(materialized='table') }}

with

cycles as (
    select * from {{ ref('int_mql_cycles_started') }}
),

fit_attributes as (
    select * from {{ ref('int_lead_fit_attributes_derived') }}
),

territories as (
    select * from {{ ref('routing_territories') }}
),

score_bands as (
    select * from {{ ref('routing_score_bands') }}
),

segments as (
    select * from {{ ref('routing_segments') }}
),

routing_rules as (
    select * from {{ ref('routing_rules') }}
),

lead_attributes as (
    select
        lead_id,
        max(case when attribute = 'country' then attribute_value end) as country,
        max(case when attribute = 'region' then attribute_value end) as region,
        max(case when attribute = 'employee_band' then attribute_value end) as employee_band
    from fit_attributes
    group by lead_id
),

mql_cycles as (
    select
        cycles.lead_id,
        cycles.scoring_model,
        cycles.cycle_number,
        cycles.cycle_started_at as marketing_qualified_at,
        cycles.score_at_mql,
        lead_attributes.country,
        lead_attributes.region,
        lead_attributes.employee_band
    from cycles
    left join lead_attributes
        on cycles.lead_id = lead_attributes.lead_id
    where not cycles.is_inferred_mql
),

territory_ranked as (
    select
        mql_cycles.lead_id,
        mql_cycles.scoring_model,
        mql_cycles.cycle_number,
        territories.territory,
        row_number() over (
            partition by mql_cycles.lead_id, mql_cycles.scoring_model, mql_cycles.cycle_number
            order by
                case when territories.country is not null then 0 else 1 end asc,
                territories.territory asc
        ) as territory_rank
    from mql_cycles
    inner join territories
        on
            mql_cycles.country = territories.country
            or (territories.country is null and mql_cycles.region = territories.region)
),

classified as (
    select
        mql_cycles.*,
        territory_ranked.territory,
        score_bands.score_band,
        segments.segment
    from mql_cycles
    left join territory_ranked
        on
            mql_cycles.lead_id = territory_ranked.lead_id
            and mql_cycles.scoring_model = territory_ranked.scoring_model
            and mql_cycles.cycle_number = territory_ranked.cycle_number
            and territory_ranked.territory_rank = 1
    left join score_bands
        on
            (score_bands.min_score is null or mql_cycles.score_at_mql >= score_bands.min_score)
            and (score_bands.max_score is null or mql_cycles.score_at_mql < score_bands.max_score)
            and mql_cycles.score_at_mql is not null
    left join segments
        on mql_cycles.employee_band = segments.employee_band
),

rules_ranked as (
    select
        classified.lead_id,
        classified.scoring_model,
        classified.cycle_number,
        routing_rules.routing_rule_id,
        routing_rules.queue,
        routing_rules.owner_id,
        routing_rules.sla_hours,
        row_number() over (
            partition by classified.lead_id, classified.scoring_model, classified.cycle_number
            order by
                (
                    case when routing_rules.territory is not null then 1 else 0 end
                    + case when routing_rules.score_band is not null then 1 else 0 end
                    + case when routing_rules.segment is not null then 1 else 0 end
                ) desc,
                routing_rules.routing_rule_id asc
        ) as rule_rank
    from classified
    inner join routing_rules
        on
            (routing_rules.territory is null or classified.territory = routing_rules.territory)
            and (routing_rules.score_band is null or classified.score_band = routing_rules.score_band)
            and (routing_rules.segment is null or classified.segment = routing_rules.segment)
),

final as (
    select
        classified.lead_id,
        classified.scoring_model,
        classified.cycle_number,
        classified.marketing_qualified_at,
        classified.score_at_mql,
        classified.country,
        classified.region,
        classified.territory,
        classified.score_band,
        classified.segment,
        rules_ranked.routing_rule_id,
        rules_ranked.queue,
        rules_ranked.owner_id,
        coalesce(rules_ranked.sla_hours, {{ var('sla_hours') }}) as sla_hours
    from classified
    left join rules_ranked
        on
            classified.lead_id = rules_ranked.lead_id
            and classified.scoring_model = rules_ranked.scoring_model
            and classified.cycle_number = rules_ranked.cycle_number
            and rules_ranked.rule_rank = 1
)

select * from final
