-- One row per account, scoring model and scoring event of one of its leads: the account's
-- engaged contacts and account score right after the event, and whether the MQA rule of seed
-- account_qualification_rules holds. Each contact counts with its score after its latest event.
-- A table, not a view: its data tests and the models reading it would each compute it again.
{{ config(materialized='table') }}

with

scores_at_each_event as (
    select * from {{ ref('int_lead_scores_at_each_event') }}
),

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

leads_resolved as (
    select * from {{ ref('int_leads_resolved') }}
),

account_matches as (
    select * from {{ ref('int_lead_account_matches') }}
),

account_fit as (
    select * from {{ ref('int_account_fit_scored') }}
),

qualification_rules as (
    select * from {{ ref('account_qualification_rules') }}
),

lead_accounts as (
    select
        leads.lead_id,
        account_matches.account_id
    from leads
    inner join leads_resolved
        on leads.lead_id = leads_resolved.lead_id
    inner join account_matches
        on leads.lead_id = account_matches.lead_id
    where leads_resolved.is_survivor and account_matches.account_id is not null
),

contact_states as (
    select
        lead_accounts.account_id,
        scores_at_each_event.scoring_model,
        scores_at_each_event.lead_id,
        scores_at_each_event.event_id,
        scores_at_each_event.occurred_at,
        scores_at_each_event.event_sequence,
        greatest(
            0.0,
            scores_at_each_event.engagement_score + scores_at_each_event.intent_score
            + scores_at_each_event.negative_score
        ) as contact_engagement,
        case
            when
                scores_at_each_event.engagement_score + scores_at_each_event.intent_score
                + scores_at_each_event.negative_score >= qualification_rules.engaged_contact_min_score
                then 1
            else 0
        end as is_engaged_contact
    from scores_at_each_event
    inner join lead_accounts
        on scores_at_each_event.lead_id = lead_accounts.lead_id
    inner join qualification_rules
        on scores_at_each_event.scoring_model = qualification_rules.scoring_model
),

contact_changes as (
    select
        *,
        contact_engagement - coalesce(
            lag(contact_engagement) over (
                partition by account_id, scoring_model, lead_id order by event_sequence asc
            ),
            0.0
        ) as engagement_change,
        is_engaged_contact - coalesce(
            lag(is_engaged_contact) over (
                partition by account_id, scoring_model, lead_id order by event_sequence asc
            ),
            0
        ) as engaged_contact_change
    from contact_states
),

running as (
    select
        account_id,
        scoring_model,
        lead_id,
        event_id,
        occurred_at,
        row_number() over (
            partition by account_id, scoring_model
            order by occurred_at asc, lead_id asc, event_id asc
        ) as account_event_sequence,
        sum(engagement_change) over (
            partition by account_id, scoring_model
            order by occurred_at asc, lead_id asc, event_id asc
            rows between unbounded preceding and current row
        ) as engagement_sum,
        sum(engaged_contact_change) over (
            partition by account_id, scoring_model
            order by occurred_at asc, lead_id asc, event_id asc
            rows between unbounded preceding and current row
        ) as engaged_contacts
    from contact_changes
),

evaluated as (
    select
        running.account_id,
        running.scoring_model,
        running.lead_id,
        running.event_id,
        running.occurred_at,
        running.account_event_sequence,
        account_fit.account_fit_score,
        running.engagement_sum,
        least(running.engagement_sum, qualification_rules.engagement_cap) as account_engagement_score,
        least(
            100.0,
            account_fit.account_fit_score + least(running.engagement_sum, qualification_rules.engagement_cap)
        ) as account_score,
        running.engaged_contacts,
        qualification_rules.min_engaged_contacts,
        qualification_rules.min_account_score
    from running
    inner join account_fit
        on
            running.account_id = account_fit.account_id
            and running.scoring_model = account_fit.scoring_model
    inner join qualification_rules
        on running.scoring_model = qualification_rules.scoring_model
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            "account_id", "'|'", "scoring_model", "'|'", "lead_id", "'|'", "event_id"
        ])) }} as account_engagement_event_id,
        account_id,
        scoring_model,
        lead_id,
        event_id,
        occurred_at,
        account_event_sequence,
        account_fit_score,
        engagement_sum,
        account_engagement_score,
        account_score,
        engaged_contacts,
        engaged_contacts >= min_engaged_contacts
        and account_score >= min_account_score - 1e-9 as is_mqa_eligible
    from evaluated
)

select * from final
