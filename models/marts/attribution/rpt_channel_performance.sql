-- What each channel and campaign bought and earned, per scoring model, attribution model and
-- month (null = all months), in var reporting_currency. Three levels: 'campaign' (one
-- campaign; spend that names it), 'channel' (campaign_id null: every campaign of the channel,
-- and all its spend, whether a row names a campaign or not) and 'all' (channel 'all': everything).
-- Leads count in the month they were created, by the campaign that created them (the same in
-- every attribution model). MQLs, SQLs, opportunities and wins are the attributed credits of
-- fct_attribution_touches in the month of the conversion (fractional under the shared models;
-- they add up to the conversions), pipeline_amount and won_revenue the credits times the amount
-- of the MQL cycle's first opportunity; spend counts in the month it is booked. Costs per stage,
-- roi ((won revenue - spend) / spend) and cac (spend per win) are null where there is no spend.
{%- set attribution_models = lf_attribution_models() %}
{%- set double = lf_engine_type('double') %}
{%- set measures = [
    'leads', 'mqls', 'sqls', 'opportunities', 'wins', 'pipeline_amount', 'won_revenue', 'spend'
] %}

with

touches as (
    select * from {{ ref('fct_attribution_touches') }}
),

cycles as (
    select * from {{ ref('int_mql_cycles_enriched') }}
),

amounts as (
    select * from {{ ref('int_amounts_in_reporting_currency') }}
),

spend as (
    select * from {{ ref('stg_marketing__marketing_spend') }}
),

scored_leads as (
    select * from {{ ref('fct_lead_scores') }}
),

leads as (
    select * from {{ ref('dim_leads') }}
),

models as (
    {%- for model_name in attribution_models %}
        select '{{ model_name }}' as attribution_model{{ ' union all' if not loop.last }}
    {%- endfor %}
),

opportunity_amounts as (
    select
        record_id as opportunity_id,
        amount_in_reporting_currency as amount
    from amounts
    where source_table = 'opportunities'
),

credits as (
    select
        touches.scoring_model,
        touches.attribution_model,
        cast({{ dbt.date_trunc('month', 'touches.converted_at') }} as date) as period_month,
        touches.channel,
        touches.campaign_id,
        cast(0 as {{ double }}) as leads,
        case when touches.conversion_stage = 'mql' then touches.credit else 0 end as mqls,
        case when touches.conversion_stage = 'sql' then touches.credit else 0 end as sqls,
        case when touches.conversion_stage = 'opportunity' then touches.credit else 0 end as opportunities,
        case when touches.conversion_stage = 'won' then touches.credit else 0 end as wins,
        case
            when touches.conversion_stage = 'opportunity'
                then touches.credit * coalesce(opportunity_amounts.amount, 0)
            else 0
        end as pipeline_amount,
        case
            when touches.conversion_stage = 'won'
                then touches.credit * coalesce(opportunity_amounts.amount, 0)
            else 0
        end as won_revenue,
        cast(null as {{ double }}) as spend
    from touches
    inner join cycles
        on touches.mql_cycle_id = cycles.mql_cycle_id
    left join opportunity_amounts
        on cycles.opportunity_id = opportunity_amounts.opportunity_id
),

lead_counts as (
    select
        scored_leads.scoring_model,
        cast({{ dbt.date_trunc('month', 'leads.created_at') }} as date) as period_month,
        coalesce(leads.channel, '(none)') as channel,
        leads.campaign_id,
        count(*) as leads
    from scored_leads
    inner join leads
        on scored_leads.lead_id = leads.lead_id
    group by
        scored_leads.scoring_model,
        cast({{ dbt.date_trunc('month', 'leads.created_at') }} as date),
        coalesce(leads.channel, '(none)'),
        leads.campaign_id
),

spend_totals as (
    select
        cast({{ dbt.date_trunc('month', 'spend.spend_date') }} as date) as period_month,
        spend.channel,
        spend.campaign_id,
        sum(amounts.amount_in_reporting_currency) as spend
    from spend
    inner join amounts
        on
            amounts.source_table = 'marketing_spend'
            and spend.marketing_spend_id = amounts.record_id
    group by
        cast({{ dbt.date_trunc('month', 'spend.spend_date') }} as date),
        spend.channel,
        spend.campaign_id
),

scoring_models as (
    select distinct scoring_model from scored_leads
),

facts as (
    select * from credits
    union all
    select
        lead_counts.scoring_model,
        models.attribution_model,
        lead_counts.period_month,
        lead_counts.channel,
        lead_counts.campaign_id,
        cast(lead_counts.leads as {{ double }}) as leads,
        0 as mqls,
        0 as sqls,
        0 as opportunities,
        0 as wins,
        0 as pipeline_amount,
        0 as won_revenue,
        cast(null as {{ double }}) as spend
    from lead_counts
    cross join models
    union all
    select
        scoring_models.scoring_model,
        models.attribution_model,
        spend_totals.period_month,
        spend_totals.channel,
        spend_totals.campaign_id,
        0 as leads,
        0 as mqls,
        0 as sqls,
        0 as opportunities,
        0 as wins,
        0 as pipeline_amount,
        0 as won_revenue,
        cast(spend_totals.spend as {{ double }}) as spend
    from spend_totals
    cross join scoring_models
    cross join models
),

{%- set levels = [
    ('campaign', 'channel', 'campaign_id', 'campaign_id is not null'),
    ('channel', 'channel', 'cast(null as ' ~ dbt.type_string() ~ ')', none),
    ('all', "'all'", 'cast(null as ' ~ dbt.type_string() ~ ')', none),
] %}

-- summed as decimals (each row's figure fixed to 1e-10 first, so that no order of the sum,
-- and no thread count, changes a total), then credits rounded to 1e-6 and money to cents
rolled_up as (
    {%- for all_months in [false, true] %}
        {%- set outer_loop = loop %}
        {%- for level, channel, campaign, condition in levels %}
            select
                scoring_model,
                attribution_model,
                {{ 'cast(null as date)' if all_months else 'period_month' }} as period_month,
                '{{ level }}' as performance_level,
                {{ channel }} as channel,
                {%- for measure in measures %}
                    sum(cast({{ measure }} as decimal(38, 10))) as {{ measure }},
                {%- endfor %}
                {{ campaign }} as campaign_id
            from facts
            {%- if condition %}
                where {{ condition }}
            {%- endif %}
            {%- set group_columns = ['scoring_model', 'attribution_model']
                + ([] if all_months else ['period_month'])
                + ([] if level == 'all' else ['channel'])
                + (['campaign_id'] if level == 'campaign' else []) %}
            group by {{ group_columns | join(', ') }}
            {{ 'union all' if not (loop.last and outer_loop.last) }}
        {%- endfor %}
    {%- endfor %}
),

rounded as (
    select
        scoring_model,
        attribution_model,
        period_month,
        performance_level,
        channel,
        campaign_id,
        {%- for measure in measures if measure != 'leads' %}
            {{ lf_round(measure, 2 if measure in ['pipeline_amount', 'won_revenue', 'spend'] else 6) }}
                as {{ measure }},
        {%- endfor %}
        cast(leads as {{ dbt.type_bigint() }}) as leads
    from rolled_up
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            "scoring_model", "'|'", "attribution_model", "'|'",
            "coalesce(" ~ dbt.cast("period_month", api.Column.translate_type("string")) ~ ", 'all')",
            "'|'", "performance_level", "'|'", "channel", "'|'", "coalesce(campaign_id, '')"
        ])) }} as channel_performance_id,
        scoring_model,
        attribution_model,
        period_month as month,
        period_month is null as is_all_months,
        performance_level,
        channel,
        campaign_id,
        '{{ var("reporting_currency") | upper }}' as reporting_currency,
        leads,
        {%- for measure in measures if measure != 'leads' %}
            cast({{ measure }} as {{ double }}) as {{ measure }},
        {%- endfor %}
        {{ lf_ratio('spend', 'leads') }} as cost_per_lead,
        {{ lf_ratio('spend', 'mqls') }} as cost_per_mql,
        {{ lf_ratio('spend', 'sqls') }} as cost_per_sql,
        {{ lf_ratio('spend', 'opportunities') }} as cost_per_opportunity,
        {{ lf_ratio('spend', 'wins') }} as cac,
        {{ lf_ratio('won_revenue - spend', 'spend') }} as roi
    from rounded
)

select * from final
