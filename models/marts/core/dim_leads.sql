-- One row per accepted lead: where it came from, its segment, its surviving lead when merged
-- (int_leads_enriched), and its current lifecycle stage under the default scoring model. No
-- email or names here: only the email domain and a hash of the address.

with

leads as (
    select * from {{ ref('int_leads_enriched') }}
),

stage_history as (
    select * from {{ ref('fct_lead_stage_history') }}
),

scoring_models as (
    select * from {{ ref('scoring_models') }}
),

current_stages as (
    select
        stage_history.lead_id,
        stage_history.stage as current_stage,
        stage_history.valid_from as current_stage_at
    from stage_history
    inner join scoring_models
        on stage_history.scoring_model = scoring_models.scoring_model
    where stage_history.is_current and scoring_models.is_default
),

final as (
    select
        leads.lead_id,
        leads.survivor_lead_id,
        leads.is_survivor,
        leads.account_id,
        leads.crm_account_id,
        leads.account_match_method,
        leads.email_hash,
        leads.email_domain,
        leads.is_free_mail,
        leads.job_title,
        leads.persona,
        leads.seniority,
        leads.lead_source,
        leads.campaign_id,
        leads.channel,
        leads.country,
        leads.region,
        leads.industry,
        leads.employee_band,
        leads.created_at,
        leads.created_month,
        current_stages.current_stage,
        current_stages.current_stage_at
    from leads
    left join current_stages
        on leads.survivor_lead_id = current_stages.lead_id
)

select * from final
