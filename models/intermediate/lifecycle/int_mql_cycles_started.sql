-- The start of every MQL cycle per surviving lead and scoring model. A lead's first cycle
-- starts at its first MQL candidate; after each recycle, the next cycle starts at the first
-- candidate after the recycle. Candidates are the MQL moments of var mql_source (derived:
-- every event at which the score's MQL condition holds; crm: marketing_qualified status
-- changes; earliest: both; pql: the PQL moment, int_lead_pql_moments, labelled mql_trigger
-- 'pql'; earliest_incl_pql: all three) plus inferred ones: a sales qualification or opportunity with no
-- candidate since the lead's last recycle (or ever) opens an inferred cycle at the first
-- sales-side moment (touch, acceptance, qualification, opportunity) since that recycle.
-- Candidates at the same moment rank in a total order: real before inferred, then by trigger
-- event id; an inferred cycle proved by several sales moments takes the earliest of them (a
-- tie in time goes to the lower event type, then the lower status change or opportunity id).
-- Which statuses play which part comes from seed lifecycle_stages (cycle_role): the start
-- stage's status is the CRM MQL, end stages' statuses recycle, proof stages' moments open an
-- inferred cycle, and sales and proof stages' moments (with sales touches) date it.
-- A table: fct_mql_cycles, the hand-off routing and the cycle pivot read it.
{{ config(materialized='table') }}
{%- set mql_source = var('mql_source', 'derived') %}
{{ lf_check_mql_source(mql_source) }}
{%- set uses_derived = mql_source in ['derived', 'earliest', 'earliest_incl_pql'] %}
{%- set uses_crm = mql_source in ['crm', 'earliest', 'earliest_incl_pql'] %}
{%- set uses_pql = mql_source in ['pql', 'earliest_incl_pql'] %}
{%- set crm_mql_statuses = lf_stage_events(['start']) %}
{%- set recycle_statuses = lf_stage_events(['end']) %}
{%- set proof_events = lf_stage_events(['proof']) %}
{%- set sales_side_events = ['sales_touch'] + lf_stage_events(['sales', 'proof']) %}

with

fit_scored as (
    select * from {{ ref('int_lead_fit_scored') }}
),

scores_at_each_event as (
    select * from {{ ref('int_lead_scores_at_each_event') }}
),

lifecycle_events as (
    select * from {{ ref('int_lifecycle_events_resolved') }}
),

{%- if uses_pql %}

pql_moments as (
    select * from {{ ref('int_lead_pql_moments') }}
),
{%- endif %}

real_candidates as (
    {%- if uses_derived %}
        select
            lead_id,
            scoring_model,
            occurred_at as candidate_at,
            mql_trigger,
            event_id as trigger_event_id,
            event_type as trigger_event_type,
            lead_score as score_at_mql,
            cast(null as {{ dbt.type_timestamp() }}) as trigger_moment_at,
            cast(null as {{ dbt.type_string() }}) as trigger_moment_id
        from scores_at_each_event
        where is_mql_eligible
    {%- endif %}
    {%- if uses_derived and uses_crm %}
        union all
    {%- endif %}
    {%- if uses_crm %}
        select
            fit_scored.lead_id,
            fit_scored.scoring_model,
            lifecycle_events.occurred_at as candidate_at,
            'crm' as mql_trigger,
            cast(null as {{ dbt.type_string() }}) as trigger_event_id,
            cast(null as {{ dbt.type_string() }}) as trigger_event_type,
            cast(null as {{ lf_engine_type('double') }}) as score_at_mql,
            cast(null as {{ dbt.type_timestamp() }}) as trigger_moment_at,
            cast(null as {{ dbt.type_string() }}) as trigger_moment_id
        from lifecycle_events
        inner join fit_scored
            on lifecycle_events.lead_id = fit_scored.lead_id
        where lifecycle_events.lifecycle_event in ({{ lf_sql_values(crm_mql_statuses) }})
    {%- endif %}
    {%- if uses_pql and (uses_derived or uses_crm) %}
        union all
    {%- endif %}
    {%- if uses_pql %}
        select
            fit_scored.lead_id,
            fit_scored.scoring_model,
            pql_moments.product_qualified_at as candidate_at,
            'pql' as mql_trigger,
            cast(null as {{ dbt.type_string() }}) as trigger_event_id,
            cast(null as {{ dbt.type_string() }}) as trigger_event_type,
            cast(null as {{ lf_engine_type('double') }}) as score_at_mql,
            cast(null as {{ dbt.type_timestamp() }}) as trigger_moment_at,
            cast(null as {{ dbt.type_string() }}) as trigger_moment_id
        from pql_moments
        inner join fit_scored
            on pql_moments.lead_id = fit_scored.lead_id
    {%- endif %}
),

recycles as (
    select
        lead_id,
        occurred_at as recycled_at
    from lifecycle_events
    where lifecycle_event in ({{ lf_sql_values(recycle_statuses) }})
),

sales_moments as (
    select
        fit_scored.lead_id,
        fit_scored.scoring_model,
        lifecycle_events.occurred_at as moment_at,
        lifecycle_events.lifecycle_event,
        lifecycle_events.lifecycle_event_id as moment_event_id
    from lifecycle_events
    inner join fit_scored
        on lifecycle_events.lead_id = fit_scored.lead_id
    where lifecycle_events.lifecycle_event in ({{ lf_sql_values(proof_events) }})
),

sales_moments_since_recycle as (
    select
        sales_moments.lead_id,
        sales_moments.scoring_model,
        sales_moments.moment_at,
        sales_moments.lifecycle_event,
        sales_moments.moment_event_id,
        max(recycles.recycled_at) as last_recycled_at
    from sales_moments
    left join recycles
        on
            sales_moments.lead_id = recycles.lead_id
            and sales_moments.moment_at > recycles.recycled_at
    group by
        sales_moments.lead_id,
        sales_moments.scoring_model,
        sales_moments.moment_at,
        sales_moments.lifecycle_event,
        sales_moments.moment_event_id
),

uncovered_sales_moments as (
    select *
    from sales_moments_since_recycle
    where not exists (
        select 1
        from real_candidates
        where
            real_candidates.lead_id = sales_moments_since_recycle.lead_id
            and real_candidates.scoring_model = sales_moments_since_recycle.scoring_model
            and real_candidates.candidate_at <= sales_moments_since_recycle.moment_at
            and (
                sales_moments_since_recycle.last_recycled_at is null
                or real_candidates.candidate_at >= sales_moments_since_recycle.last_recycled_at
            )
    )
),

inferred_candidates as (
    select
        uncovered_sales_moments.lead_id,
        uncovered_sales_moments.scoring_model,
        min(lifecycle_events.occurred_at) as candidate_at,
        'inferred' as mql_trigger,
        cast(null as {{ dbt.type_string() }}) as trigger_event_id,
        uncovered_sales_moments.lifecycle_event as trigger_event_type,
        cast(null as {{ lf_engine_type('double') }}) as score_at_mql,
        uncovered_sales_moments.moment_at as trigger_moment_at,
        uncovered_sales_moments.moment_event_id as trigger_moment_id
    from uncovered_sales_moments
    inner join lifecycle_events
        on
            uncovered_sales_moments.lead_id = lifecycle_events.lead_id
            and lifecycle_events.lifecycle_event in ({{ lf_sql_values(sales_side_events) }})
            and uncovered_sales_moments.moment_at >= lifecycle_events.occurred_at
            and (
                uncovered_sales_moments.last_recycled_at is null
                or uncovered_sales_moments.last_recycled_at < lifecycle_events.occurred_at
            )
    group by
        uncovered_sales_moments.lead_id,
        uncovered_sales_moments.scoring_model,
        uncovered_sales_moments.moment_at,
        uncovered_sales_moments.lifecycle_event,
        uncovered_sales_moments.moment_event_id
),

candidates as (
    select
        *,
        case when mql_trigger = 'inferred' then 1 else 0 end as inferred_rank
    from real_candidates
    union all
    select
        *,
        1 as inferred_rank
    from inferred_candidates
),

first_candidates as (
    select
        lead_id,
        scoring_model,
        candidate_at,
        mql_trigger,
        trigger_event_id,
        trigger_event_type,
        score_at_mql,
        row_number() over (
            partition by lead_id, scoring_model
            order by
                candidate_at asc, inferred_rank asc, trigger_event_id asc nulls last,
                trigger_moment_at asc nulls last, trigger_event_type asc nulls last,
                trigger_moment_id asc nulls last, mql_trigger asc
        ) as candidate_rank
    from candidates
),

first_cycle_starts as (
    select * from first_candidates
    where candidate_rank = 1
),

candidates_after_recycle as (
    select
        candidates.lead_id,
        candidates.scoring_model,
        candidates.candidate_at,
        candidates.mql_trigger,
        candidates.trigger_event_id,
        candidates.trigger_event_type,
        candidates.score_at_mql,
        row_number() over (
            partition by candidates.lead_id, candidates.scoring_model, recycles.recycled_at
            order by
                candidates.candidate_at asc, candidates.inferred_rank asc,
                candidates.trigger_event_id asc nulls last, candidates.trigger_moment_at asc nulls last,
                candidates.trigger_event_type asc nulls last, candidates.trigger_moment_id asc nulls last,
                candidates.mql_trigger asc
        ) as candidate_rank
    from recycles
    inner join first_cycle_starts
        on
            recycles.lead_id = first_cycle_starts.lead_id
            and recycles.recycled_at >= first_cycle_starts.candidate_at
    inner join candidates
        on
            first_cycle_starts.lead_id = candidates.lead_id
            and first_cycle_starts.scoring_model = candidates.scoring_model
            and recycles.recycled_at < candidates.candidate_at
),

cycle_starts as (
    select
        lead_id,
        scoring_model,
        candidate_at,
        mql_trigger,
        trigger_event_id,
        trigger_event_type,
        score_at_mql
    from first_cycle_starts
    union
    select
        lead_id,
        scoring_model,
        candidate_at,
        mql_trigger,
        trigger_event_id,
        trigger_event_type,
        score_at_mql
    from candidates_after_recycle
    where candidate_rank = 1
),

numbered as (
    select
        lead_id,
        scoring_model,
        candidate_at as cycle_started_at,
        mql_trigger,
        trigger_event_id,
        trigger_event_type,
        score_at_mql,
        mql_trigger = 'inferred' as is_inferred_mql,
        cast(row_number() over cycle_order as {{ dbt.type_bigint() }}) as cycle_number,
        lead(candidate_at) over cycle_order as next_cycle_started_at
    from cycle_starts
    window
        cycle_order as (
            partition by lead_id, scoring_model
            order by
                candidate_at asc, mql_trigger asc, trigger_event_id asc nulls last,
                trigger_event_type asc nulls last
        )
)

select * from numbered
