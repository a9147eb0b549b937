-- Marketing spend by channel and month beside the funnel stages it bought: cost per lead,
-- MQL, SQL, opportunity and won deal, per scoring model, month (null = all months),
-- attribution (first_touch: the channel of the campaign that created the lead; last_touch: the
-- channel of the lead's last campaign engagement at or before the MQL moment, else first touch)
-- and channel ('all' = blended over every channel). Stages count in the month they happened;
-- spend is in var reporting_currency (int_amounts_in_reporting_currency).

with

staged_spend as (
    select * from {{ ref('stg_marketing__marketing_spend') }}
),

amounts as (
    select * from {{ ref('int_amounts_in_reporting_currency') }}
    where source_table = 'marketing_spend'
),

-- spend in var reporting_currency
spend as (
    select
        staged_spend.spend_date,
        staged_spend.channel,
        amounts.amount_in_reporting_currency as amount
    from staged_spend
    inner join amounts
        on staged_spend.marketing_spend_id = amounts.record_id
),

cycles as (
    select * from {{ ref('int_mql_cycles_enriched') }}
    where not is_inferred_mql
),

scored_leads as (
    select * from {{ ref('fct_lead_scores') }}
),

leads as (
    select * from {{ ref('dim_leads') }}
),

events as (
    select * from {{ ref('int_engagement_events_resolved') }}
),

campaigns as (
    select * from {{ ref('stg_marketing__campaigns') }}
),

campaign_touches as (
    select
        cycles.mql_cycle_id,
        campaigns.channel,
        row_number() over (
            partition by cycles.mql_cycle_id
            order by events.occurred_at desc, events.event_id desc
        ) as touch_rank
    from cycles
    inner join events
        on
            cycles.lead_id = events.lead_id
            and cycles.marketing_qualified_at >= events.occurred_at
    inner join campaigns
        on events.campaign_id = campaigns.campaign_id
),

cycle_channels as (
    select
        cycles.mql_cycle_id,
        cycles.scoring_model,
        cycles.marketing_qualified_at,
        cycles.sql_reached_at,
        cycles.opportunity_reached_at,
        cycles.closed_won_at,
        coalesce(cycles.channel, '(none)') as first_touch_channel,
        coalesce(campaign_touches.channel, cycles.channel, '(none)') as last_touch_channel
    from cycles
    left join campaign_touches
        on
            cycles.mql_cycle_id = campaign_touches.mql_cycle_id
            and campaign_touches.touch_rank = 1
),

{%- set cycle_stages = [
    ('mqls', 'marketing_qualified_at'),
    ('sqls', 'sql_reached_at'),
    ('opportunities', 'opportunity_reached_at'),
    ('wins', 'closed_won_at'),
] %}

stage_entries as (
    select
        scored_leads.scoring_model,
        'leads' as stage_name,
        cast({{ dbt.date_trunc('month', 'leads.created_at') }} as date) as stage_month,
        coalesce(leads.channel, '(none)') as first_touch_channel,
        coalesce(leads.channel, '(none)') as last_touch_channel
    from scored_leads
    inner join leads
        on scored_leads.lead_id = leads.lead_id
    {%- for stage_name, moment in cycle_stages %}
        union all
        select
            scoring_model,
            '{{ stage_name }}' as stage_name,
            cast({{ dbt.date_trunc('month', moment) }} as date) as stage_month,
            first_touch_channel,
            last_touch_channel
        from cycle_channels
        where {{ moment }} is not null
    {%- endfor %}
),

attributed as (
    select
        scoring_model,
        stage_name,
        stage_month,
        'first_touch' as attribution,
        first_touch_channel as channel
    from stage_entries
    union all
    select
        scoring_model,
        stage_name,
        stage_month,
        'last_touch' as attribution,
        last_touch_channel as channel
    from stage_entries
),

attributed_all as (
    select * from attributed
    union all
    select
        scoring_model,
        stage_name,
        stage_month,
        attribution,
        'all' as channel
    from attributed
),

stage_counts as (
    select
        scoring_model,
        stage_month,
        attribution,
        channel,
        count(case when stage_name = 'leads' then 1 end) as leads,
        count(case when stage_name = 'mqls' then 1 end) as mqls,
        count(case when stage_name = 'sqls' then 1 end) as sqls,
        count(case when stage_name = 'opportunities' then 1 end) as opportunities,
        count(case when stage_name = 'wins' then 1 end) as wins
    from attributed_all
    group by scoring_model, stage_month, attribution, channel
),

spend_by_month as (
    select
        cast({{ dbt.date_trunc('month', 'spend_date') }} as date) as spend_month,
        channel,
        sum(amount) as spend
    from spend
    group by cast({{ dbt.date_trunc('month', 'spend_date') }} as date), channel
    union all
    select
        cast({{ dbt.date_trunc('month', 'spend_date') }} as date) as spend_month,
        'all' as channel,
        sum(amount) as spend
    from spend
    group by cast({{ dbt.date_trunc('month', 'spend_date') }} as date)
),

grid_keys as (
    select
        stage_month,
        channel
    from stage_counts
    union
    select
        spend_month as stage_month,
        channel
    from spend_by_month
),

grid_models as (
    select distinct scoring_model from stage_counts
),

grid_attributions as (
    select distinct attribution from stage_counts
),

grid as (
    select
        grid_models.scoring_model,
        grid_attributions.attribution,
        grid_keys.stage_month,
        grid_keys.channel
    from grid_keys
    cross join grid_models
    cross join grid_attributions
),

monthly as (
    select
        grid.scoring_model,
        grid.stage_month as period_month,
        grid.attribution,
        grid.channel,
        coalesce(spend_by_month.spend, 0) as spend,
        coalesce(stage_counts.leads, 0) as leads,
        coalesce(stage_counts.mqls, 0) as mqls,
        coalesce(stage_counts.sqls, 0) as sqls,
        coalesce(stage_counts.opportunities, 0) as opportunities,
        coalesce(stage_counts.wins, 0) as wins
    from grid
    left join stage_counts
        on
            grid.scoring_model = stage_counts.scoring_model
            and grid.attribution = stage_counts.attribution
            and grid.stage_month = stage_counts.stage_month
            and grid.channel = stage_counts.channel
    left join spend_by_month
        on
            grid.stage_month = spend_by_month.spend_month
            and grid.channel = spend_by_month.channel
),

with_all_months as (
    select * from monthly
    union all
    select
        scoring_model,
        cast(null as date) as period_month,
        attribution,
        channel,
        sum(spend) as spend,
        sum(leads) as leads,
        sum(mqls) as mqls,
        sum(sqls) as sqls,
        sum(opportunities) as opportunities,
        sum(wins) as wins
    from monthly
    group by scoring_model, attribution, channel
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            "coalesce(" ~ dbt.cast("period_month", api.Column.translate_type("string")) ~ ", 'all')", "'|'",
            "scoring_model", "'|'", "attribution", "'|'", "channel"
        ])) }} as cost_per_stage_id,
        scoring_model,
        period_month,
        period_month is null as is_all_months,
        attribution,
        channel,
        channel = 'all' as is_blended,
        cast(spend as decimal(18, 2)) as spend,
        cast(leads as {{ dbt.type_bigint() }}) as leads,
        cast(mqls as {{ dbt.type_bigint() }}) as mqls,
        cast(sqls as {{ dbt.type_bigint() }}) as sqls,
        cast(opportunities as {{ dbt.type_bigint() }}) as opportunities,
        cast(wins as {{ dbt.type_bigint() }}) as wins,
        {{ lf_ratio('spend', 'leads') }} as cost_per_lead,
        {{ lf_ratio('spend', 'mqls') }} as cost_per_mql,
        {{ lf_ratio('spend', 'sqls') }} as cost_per_sql,
        {{ lf_ratio('spend', 'opportunities') }} as cost_per_opportunity,
        {{ lf_ratio('spend', 'wins') }} as cost_per_won
    from with_all_months
)

select * from final
