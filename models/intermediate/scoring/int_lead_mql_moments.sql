-- One row per surviving lead and scoring model with its first MQL moment: derived from the
-- score, taken from the CRM's marketing_qualified status, the earliest of both, the PQL moment
-- (int_lead_pql_moments), or the earliest of all three, as chosen by var mql_source (derived |
-- crm | earliest | pql | earliest_incl_pql). Every downstream model reads the MQL from here.
-- A table: fct_lead_scores and fct_lead_score_history read it.
{{ config(materialized='table') }}
{%- set mql_source = var('mql_source', 'derived') %}
{{ lf_check_mql_source(mql_source) }}
{%- set uses_derived = mql_source in ['derived', 'earliest', 'earliest_incl_pql'] %}
{%- set uses_crm = mql_source in ['crm', 'earliest', 'earliest_incl_pql'] %}
{%- set uses_pql = mql_source in ['pql', 'earliest_incl_pql'] %}

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

pql_moments as (
    select * from {{ ref('int_lead_pql_moments') }}
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
        crm.marketing_qualified_at as crm_marketing_qualified_at,
        pql_moments.product_qualified_at as pql_marketing_qualified_at
    from fit_scored
    left join derived
        on
            fit_scored.lead_id = derived.lead_id
            and fit_scored.scoring_model = derived.scoring_model
    left join crm
        on fit_scored.lead_id = crm.lead_id
    left join pql_moments
        on fit_scored.lead_id = pql_moments.lead_id
),

-- the candidate moments of the chosen sources; the earliest wins, ties to derived, then crm
candidates as (
    select
        *,
        {%- set moments = [] %}
        {%- if uses_derived %}
            {%- do moments.append(('derived', 'derived_marketing_qualified_at')) %}
        {%- endif %}
        {%- if uses_crm %}{% do moments.append(('crm', 'crm_marketing_qualified_at')) %}{% endif %}
        {%- if uses_pql %}
            {%- do moments.append(('pql', 'pql_marketing_qualified_at')) %}
        {%- endif %}
        case
            {%- for name, column in moments %}
                {%- set position = loop.index0 %}
                when {{ column }} is not null
                {%- for other_name, other in moments if other_name != name %}
                    {#- an earlier source in the list wins a tie -#}
                    {%- set wins_tie = moments.index((other_name, other)) > position %}
                    and ({{ other }} is null or {{ column }} {{ '<=' if wins_tie else '<' }} {{ other }})
                {%- endfor %}
                    then '{{ name }}'
            {%- endfor %}
        end as chosen_source
    from combined
),

final as (
    select
        lead_id,
        scoring_model,
        '{{ mql_source }}' as mql_source,
        derived_marketing_qualified_at,
        crm_marketing_qualified_at,
        pql_marketing_qualified_at,
        case chosen_source
            when 'derived' then derived_marketing_qualified_at
            when 'crm' then crm_marketing_qualified_at
            when 'pql' then pql_marketing_qualified_at
        end as marketing_qualified_at,
        case chosen_source
            when 'derived' then derived_mql_trigger
            else chosen_source
        end as mql_trigger,
        case when chosen_source = 'derived' then derived_trigger_event_id end as mql_trigger_event_id,
        case when chosen_source = 'derived' then derived_trigger_event_type end as mql_trigger_event_type,
        case when chosen_source = 'derived' then derived_score_at_mql end as score_at_mql
    from candidates
)

select * from final
