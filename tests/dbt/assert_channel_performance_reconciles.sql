-- rpt_channel_performance adds up: for every scoring model and attribution model, the
-- all-months row of level 'all' holds all the spend (in the reporting currency), every lead,
-- every non-inferred MQL, every won MQL cycle and its first opportunity's amount; and the
-- channel rows add up to it, to their rounding (half a cent and half of 1e-6 per row). A
-- failing row names the figure that does not reconcile.
{%- set tolerance = 0.01 %}

with

performance as (
    select * from {{ ref('rpt_channel_performance') }}
    where is_all_months
),

cycles as (
    select * from {{ ref('int_mql_cycles_enriched') }}
),

amounts as (
    select * from {{ ref('int_amounts_in_reporting_currency') }}
),

scored_leads as (
    select * from {{ ref('fct_lead_scores') }}
),

spend_total as (
    select coalesce(sum(amount_in_reporting_currency), 0) as spend
    from amounts
    where source_table = 'marketing_spend'
),

expected as (
    select
        scored_leads.scoring_model,
        count(*) as leads
    from scored_leads
    group by scored_leads.scoring_model
),

cycle_totals as (
    select
        cycles.scoring_model,
        count(case when not cycles.is_inferred_mql then 1 end) as mqls,
        count(cycles.closed_won_at) as wins,
        coalesce(
            sum(case when cycles.closed_won_at is not null then amounts.amount_in_reporting_currency end),
            0
        ) as won_revenue
    from cycles
    left join amounts
        on
            amounts.source_table = 'opportunities'
            and cycles.opportunity_id = amounts.record_id
    group by cycles.scoring_model
),

channel_sums as (
    select
        scoring_model,
        attribution_model,
        sum(mqls) as mqls,
        sum(wins) as wins,
        sum(won_revenue) as won_revenue,
        coalesce(sum(spend), 0) as spend,
        sum(leads) as leads,
        count(*) * 0.005 + 1e-9 as money_tolerance,
        count(*) * 0.0000005 + 1e-9 as credit_tolerance
    from performance
    where performance_level = 'channel'
    group by scoring_model, attribution_model
),

totals as (
    select
        performance.scoring_model,
        performance.attribution_model,
        performance.leads,
        performance.mqls,
        performance.wins,
        performance.won_revenue,
        coalesce(performance.spend, 0) as spend
    from performance
    where performance.performance_level = 'all'
),

checks as (
    select
        totals.scoring_model,
        totals.attribution_model,
        case
            when totals.leads <> expected.leads then 'leads'
            when abs(totals.mqls - coalesce(cycle_totals.mqls, 0)) > {{ tolerance }} then 'mqls'
            when abs(totals.wins - coalesce(cycle_totals.wins, 0)) > {{ tolerance }} then 'wins'
            when abs(totals.won_revenue - coalesce(cycle_totals.won_revenue, 0)) > {{ tolerance }}
                then 'won_revenue'
            when abs(totals.spend - spend_total.spend) > {{ tolerance }} then 'spend'
            when
                abs(channel_sums.mqls - totals.mqls) > channel_sums.credit_tolerance
                or abs(channel_sums.wins - totals.wins) > channel_sums.credit_tolerance
                or abs(channel_sums.won_revenue - totals.won_revenue) > channel_sums.money_tolerance
                or abs(channel_sums.spend - totals.spend) > channel_sums.money_tolerance
                or channel_sums.leads <> totals.leads
                then 'channel rows'
        end as unreconciled
    from totals
    inner join expected
        on totals.scoring_model = expected.scoring_model
    left join cycle_totals
        on totals.scoring_model = cycle_totals.scoring_model
    inner join channel_sums
        on
            totals.scoring_model = channel_sums.scoring_model
            and totals.attribution_model = channel_sums.attribution_model
    cross join spend_total
)

select * from checks
where unreconciled is not null
