-- One row per surviving lead and scoring model with its first MQL moment: derived from the
-- score, taken from the CRM's marketing_qualified status, or the earliest of both, as chosen
-- by var mql_source (derived | crm | earliest). Every downstream model reads the MQL from here.
-- A table: fct_lead_scores and fct_lead_score_history read it.
{{ config(materialized='table') }}
{%- set mql_source = var('mql_source', 'derived') %}
{%- if mql_source not in ['derived', 'crm', 'earliest'] %}
    {{ exceptions.raise_compiler_error("var mql_source must be derived, crm or earliest, not '" ~ mql_source ~ "'") }}
{%- endif %}

with

fit_scored as (
    select * from {{ ref('int_lead_fit_scored') }}
),

scores_at_each_event as (
    select * from {{ ref('int_lead_scores_at_each_event') }}
),

status_changes as (
    select * from {{ ref('stg_crm__lead_status_changes') }}
),

leads_resolved as (
    select * from {{ ref('int_leads_resolved') }}
),

eligible_ranked as (
    select
        lead_id,
        scoring_model,
        event_id,
        event_type,
        occurred_at,
        lead_score,
        mql_trigger,
        row_number() over (
            partition by lead_id, scoring_model
            order by event_sequence asc
        ) as eligible_rank
    from scores_at_each_event
    where is_mql_eligible
),

derived as (
    select * from eligible_ranked
    where eligible_rank = 1
),

crm as (
    select
        leads_resolved.survivor_lead_id as lead_id,
        min(status_changes.changed_at) as marketing_qualified_at
    from status_changes
    inner join leads_resolved
        on status_changes.lead_id = leads_resolved.lead_id
    where
        status_changes.status = 'marketing_qualified'
        and status_changes.changed_at <= {{ lf_score_as_of() }}
    group by leads_resolved.survivor_lead_id
),

combined as (
    select
        fit_scored.lead_id,
        fit_scored.scoring_model,
        derived.occurred_at as derived_marketing_qualified_at,
        derived.event_id as derived_trigger_event_id,
        derived.event_type as derived_trigger_event_type,
        derived.mql_trigger as derived_mql_trigger,
        derived.lead_score as derived_score_at_mql,
        crm.marketing_qualified_at as crm_marketing_qualified_at
    from fit_scored
    left join derived
        on
            fit_scored.lead_id = derived.lead_id
            and fit_scored.scoring_model = derived.scoring_model
    left join crm
        on fit_scored.lead_id = crm.lead_id
),

chosen as (
    select
        *,
        '{{ mql_source }}' as mql_source,
        {%- if mql_source == 'derived' %}
            derived_marketing_qualified_at is not null as is_derived_chosen
        {%- elif mql_source == 'crm' %}
            false as is_derived_chosen
        {%- else %}
            derived_marketing_qualified_at is not null
            and (
                crm_marketing_qualified_at is null
                or derived_marketing_qualified_at <= crm_marketing_qualified_at
            ) as is_derived_chosen
        {%- endif %}
    from combined
),

final as (
    select
        lead_id,
        scoring_model,
        mql_source,
        derived_marketing_qualified_at,
        crm_marketing_qualified_at,
        case
            when is_derived_chosen then derived_marketing_qualified_at
            {%- if mql_source != 'derived' %}
                else crm_marketing_qualified_at
            {%- endif %}
        end as marketing_qualified_at,
        case
            when is_derived_chosen then derived_mql_trigger
            {%- if mql_source != 'derived' %}
                when crm_marketing_qualified_at is not null then 'crm'
            {%- endif %}
        end as mql_trigger,
        case when is_derived_chosen then derived_trigger_event_id end as mql_trigger_event_id,
        case when is_derived_chosen then derived_trigger_event_type end as mql_trigger_event_type,
        case when is_derived_chosen then derived_score_at_mql end as score_at_mql
    from chosen
)

select * from final
