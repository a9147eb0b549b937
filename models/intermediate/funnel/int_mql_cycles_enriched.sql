-- Every MQL cycle with the funnel stages it reached (seed lifecycle_stages, is_funnel_stage): a
-- stage skipped on the way counts as passed (an opportunity implies SQL and acceptance), so
-- <stage>_reached_at is the stage's own moment, else the first set moment of the later funnel
-- stages in funnel order; reached_<stage> and reached_<stage>_in_window (within the conversion
-- window of the MQL) follow from it. Also cohort maturity, the response time to the MQL and
-- the lead's segment (lead source, channel, industry, country, read from staging as in
-- dim_leads). A table: the funnel reports read it.
{{ config(materialized='table') }}
{%- set window_days = var('conversion_window_days') %}
{%- set lead_stage = lf_stage_with_role('lead') %}
{%- set cycle_funnel = lf_funnel_stages() | rejectattr('cycle_role', 'equalto', 'lead') | list %}

with

cycles as (
    select * from {{ ref('int_mql_cycles_pivoted') }}
),

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

account_matches as (
    select * from {{ ref('int_lead_account_matches') }}
),

campaigns as (
    select * from {{ ref('stg_marketing__campaigns') }}
),

lead_segments as (
    select
        leads.lead_id,
        leads.lead_source,
        campaigns.channel,
        accounts.industry,
        coalesce(leads.country, accounts.country) as country,
        leads.created_at
    from leads
    left join campaigns
        on leads.campaign_id = campaigns.campaign_id
    inner join account_matches
        on leads.lead_id = account_matches.lead_id
    left join accounts
        on account_matches.account_id = accounts.account_id
),

reached as (
    select
        *,
        {%- for stage in cycle_funnel %}
            {%- set later = cycle_funnel[loop.index0:] | map(attribute='moment_column') | list %}
            {%- if later | length == 1 %}
                {{ later[0] }} as {{ stage['stage'] }}_reached_at,
            {%- else %}
                coalesce({{ later | join(', ') }}) as {{ stage['stage'] }}_reached_at,
            {%- endif %}
        {%- endfor %}
        closed_won_at is not null or closed_lost_at is not null as is_closed
    from cycles
),

windowed as (
    select
        reached.*,
        {{ dbt.dateadd('day', window_days, 'reached.marketing_qualified_at') }} as window_ends_at,
        reached.marketing_qualified_at <= {{ lf_maturity_cutoff() }} as is_mature
    from reached
),

final as (
    select
        windowed.mql_cycle_id,
        windowed.lead_id,
        windowed.scoring_model,
        windowed.cycle_number,
        windowed.is_inferred_mql,
        windowed.is_contradictory,
        windowed.marketing_qualified_at,
        cast({{ dbt.date_trunc('month', 'windowed.marketing_qualified_at') }} as date) as mql_month,
        windowed.first_touched_at,
        windowed.rejection_reason,
        windowed.opportunity_id,
        windowed.next_cycle_started_at,
        {%- for stage in lf_cycle_stages() if stage['cycle_role'] != 'start' %}
            windowed.{{ stage['moment_column'] }},
        {%- endfor %}
        {%- for stage in cycle_funnel %}
            windowed.{{ stage['stage'] }}_reached_at,
            windowed.{{ stage['stage'] }}_reached_at is not null as reached_{{ stage['stage'] }},
            windowed.{{ stage['stage'] }}_reached_at <= windowed.window_ends_at
                as reached_{{ stage['stage'] }}_in_window,
        {%- endfor %}
        windowed.is_closed,
        windowed.is_mature,
        case
            when windowed.first_touched_at is not null
                then
                    {{ lf_days_between('windowed.marketing_qualified_at', 'windowed.first_touched_at') }}
                    * 1440.0
        end as response_minutes,
        lead_segments.lead_source,
        lead_segments.channel,
        lead_segments.industry,
        lead_segments.country,
        lead_segments.created_at as {{ lead_stage['moment_column'] }}
    from windowed
    inner join lead_segments
        on windowed.lead_id = lead_segments.lead_id
)

select * from final
