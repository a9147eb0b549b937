-- One row per account and scoring model: account fit, engagement rolled up from its leads,
-- engaged contacts, buying-committee coverage, and the MQA moment (seed account_qualification_rules).

with

accounts as (
    select * from {{ ref('dim_accounts') }}
),

leads as (
    select * from {{ ref('dim_leads') }}
),

lead_scores as (
    select * from {{ ref('fct_lead_scores') }}
),

account_fit as (
    select * from {{ ref('int_account_fit_scored') }}
),

engagement_evaluated as (
    select * from {{ ref('int_account_engagement_evaluated') }}
),

qualification_rules as (
    select * from {{ ref('account_qualification_rules') }}
),

contacts as (
    select
        leads.account_id,
        leads.persona,
        lead_scores.scoring_model,
        lead_scores.lead_id,
        lead_scores.is_marketing_qualified,
        lead_scores.engagement_score + lead_scores.intent_score + lead_scores.negative_score
            as behavior_score
    from lead_scores
    inner join leads
        on lead_scores.lead_id = leads.lead_id
    where leads.account_id is not null
),

contact_rollup as (
    select
        contacts.account_id,
        contacts.scoring_model,
        count(*) as contact_count,
        sum(case when contacts.is_marketing_qualified then 1 else 0 end) as mql_contact_count,
        sum(greatest(0.0, contacts.behavior_score)) as engagement_sum,
        max(contacts.behavior_score) as max_contact_engagement_score,
        sum(
            case
                when contacts.behavior_score >= qualification_rules.engaged_contact_min_score then 1
                else 0
            end
        ) as engaged_contact_count,
        count(
            distinct case
                when contacts.behavior_score >= qualification_rules.engaged_contact_min_score
                    then contacts.persona
            end
        ) as engaged_persona_count
    from contacts
    inner join qualification_rules
        on contacts.scoring_model = qualification_rules.scoring_model
    group by contacts.account_id, contacts.scoring_model
),

mqa_ranked as (
    select
        account_id,
        scoring_model,
        occurred_at,
        lead_id,
        event_id,
        account_score,
        engaged_contacts,
        row_number() over (
            partition by account_id, scoring_model order by account_event_sequence asc
        ) as eligible_rank
    from engagement_evaluated
    where is_mqa_eligible
),

mqa_moments as (
    select * from mqa_ranked
    where eligible_rank = 1
),

final as (
    select
        {{ dbt.hash(dbt.concat(["account_fit.account_id", "'|'", "account_fit.scoring_model"])) }}
            as account_score_id,
        account_fit.account_id,
        account_fit.scoring_model,
        accounts.account_domain,
        accounts.industry,
        accounts.employee_band,
        accounts.region,
        coalesce(contact_rollup.contact_count, 0) as contact_count,
        cast(coalesce(contact_rollup.mql_contact_count, 0) as {{ dbt.type_bigint() }}) as mql_contact_count,
        account_fit.account_fit_score,
        coalesce(contact_rollup.engagement_sum, 0) as engagement_sum,
        least(coalesce(contact_rollup.engagement_sum, 0), qualification_rules.engagement_cap)
            as account_engagement_score,
        contact_rollup.max_contact_engagement_score,
        least(
            100.0,
            account_fit.account_fit_score
            + least(coalesce(contact_rollup.engagement_sum, 0), qualification_rules.engagement_cap)
        ) as account_score,
        cast(coalesce(contact_rollup.engaged_contact_count, 0) as {{ dbt.type_bigint() }})
            as engaged_contact_count,
        coalesce(contact_rollup.engaged_persona_count, 0) as engaged_persona_count,
        mqa_moments.occurred_at is not null as is_marketing_qualified_account,
        mqa_moments.occurred_at as marketing_qualified_account_at,
        mqa_moments.lead_id as mqa_trigger_lead_id,
        mqa_moments.event_id as mqa_trigger_event_id,
        mqa_moments.account_score as account_score_at_mqa,
        cast(mqa_moments.engaged_contacts as {{ dbt.type_bigint() }}) as engaged_contacts_at_mqa,
        {{ lf_score_as_of() }} as scored_as_of
    from account_fit
    inner join accounts
        on account_fit.account_id = accounts.account_id
    inner join qualification_rules
        on account_fit.scoring_model = qualification_rules.scoring_model
    left join contact_rollup
        on
            account_fit.account_id = contact_rollup.account_id
            and account_fit.scoring_model = contact_rollup.scoring_model
    left join mqa_moments
        on
            account_fit.account_id = mqa_moments.account_id
            and account_fit.scoring_model = mqa_moments.scoring_model
)

select * from final
