-- The account funnel MQA -> opportunity -> won per scoring model, by MQA month and overall:
-- counts, rates and velocity. An opportunity counts when the account opened it at or after its MQA moment.

with

account_scores as (
    select * from {{ ref('fct_account_scores') }}
),

opportunities as (
    select * from {{ ref('stg_crm__opportunities') }}
),

mqas as (
    select
        account_id,
        scoring_model,
        marketing_qualified_account_at,
        {{ dbt.date_trunc('month', 'marketing_qualified_account_at') }} as mqa_month
    from account_scores
    where is_marketing_qualified_account
),

opportunities_after_mqa as (
    select
        mqas.account_id,
        mqas.scoring_model,
        min(opportunities.created_at) as opportunity_created_at,
        min(
            case
                when opportunities.is_won and opportunities.closed_at <= {{ lf_score_as_of() }}
                    then opportunities.closed_at
            end
        ) as closed_won_at
    from mqas
    inner join opportunities
        on
            mqas.account_id = opportunities.account_id
            and mqas.marketing_qualified_account_at <= opportunities.created_at
            and opportunities.created_at <= {{ lf_score_as_of() }}
    group by mqas.account_id, mqas.scoring_model
),

journeys as (
    select
        mqas.account_id,
        mqas.scoring_model,
        mqas.mqa_month,
        mqas.marketing_qualified_account_at,
        opportunities_after_mqa.opportunity_created_at,
        opportunities_after_mqa.closed_won_at,
        {{ lf_days_between(
            'mqas.marketing_qualified_account_at', 'opportunities_after_mqa.opportunity_created_at'
        ) }} as days_mqa_to_opportunity,
        {{ lf_days_between(
            'opportunities_after_mqa.opportunity_created_at', 'opportunities_after_mqa.closed_won_at'
        ) }} as days_opportunity_to_won,
        {{ lf_days_between('mqas.marketing_qualified_account_at', 'opportunities_after_mqa.closed_won_at') }}
            as days_mqa_to_won
    from mqas
    left join opportunities_after_mqa
        on
            mqas.account_id = opportunities_after_mqa.account_id
            and mqas.scoring_model = opportunities_after_mqa.scoring_model
),

by_month as (
    select
        scoring_model,
        'mqa_month' as period_type,
        mqa_month,
        count(*) as mqas,
        count(opportunity_created_at) as opportunities,
        count(closed_won_at) as wins,
        avg(days_mqa_to_opportunity) as mean_days_mqa_to_opportunity,
        {{ lf_percentile('days_mqa_to_opportunity', 0.5) }} as median_days_mqa_to_opportunity,
        {{ lf_percentile('days_opportunity_to_won', 0.5) }} as median_days_opportunity_to_won,
        {{ lf_percentile('days_mqa_to_won', 0.5) }} as median_days_mqa_to_won
    from journeys
    group by scoring_model, mqa_month
),

overall as (
    select
        scoring_model,
        'all' as period_type,
        cast(null as {{ dbt.type_timestamp() }}) as mqa_month,
        count(*) as mqas,
        count(opportunity_created_at) as opportunities,
        count(closed_won_at) as wins,
        avg(days_mqa_to_opportunity) as mean_days_mqa_to_opportunity,
        {{ lf_percentile('days_mqa_to_opportunity', 0.5) }} as median_days_mqa_to_opportunity,
        {{ lf_percentile('days_opportunity_to_won', 0.5) }} as median_days_opportunity_to_won,
        {{ lf_percentile('days_mqa_to_won', 0.5) }} as median_days_mqa_to_won
    from journeys
    group by scoring_model
),

unioned as (
    select * from by_month
    union all
    select * from overall
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            "scoring_model", "'|'", "period_type", "'|'",
            "coalesce(" ~ dbt.cast("mqa_month", api.Column.translate_type("string")) ~ ", 'all')"
        ])) }} as account_funnel_id,
        scoring_model,
        period_type,
        cast(mqa_month as date) as mqa_month,
        mqas,
        opportunities,
        wins,
        {{ lf_ratio('opportunities', 'mqas') }} as mqa_to_opportunity_rate,
        {{ lf_ratio('wins', 'opportunities') }} as opportunity_to_won_rate,
        {{ lf_ratio('wins', 'mqas') }} as mqa_to_won_rate,
        mean_days_mqa_to_opportunity,
        median_days_mqa_to_opportunity,
        median_days_opportunity_to_won,
        median_days_mqa_to_won
    from unioned
)

select * from final
