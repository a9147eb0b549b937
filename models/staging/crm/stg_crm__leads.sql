-- Accepted leads with a normalised email, its domain and whether that domain is free mail
-- (seed free_mail_domains). Personal data (email, names) stays in staging.
-- Waits for the publish gates: a build that must not be published stops before this model.
-- depends_on: {{ ref('audit_publish_gates') }}
with

leads as (
    select * from {{ ref('base_crm__leads') }}
),

free_mail_domains as (
    select * from {{ ref('free_mail_domains') }}
),

accepted as (
    select
        lead_id,
        account_id,
        campaign_id,
        merged_into_lead_id,
        email_normalised as email,
        case
            when email_normalised like '%_@_%'
                then {{ dbt.split_part('email_normalised', "'@'", 2) }}
        end as email_domain,
        first_name,
        last_name,
        job_title,
        country,
        lead_source,
        was_email_repaired,
        created_at,
        updated_at
    from leads
    where rejection_reason is null
),

flagged as (
    select
        accepted.lead_id,
        accepted.account_id,
        accepted.campaign_id,
        accepted.merged_into_lead_id,
        accepted.email,
        accepted.email_domain,
        accepted.first_name,
        accepted.last_name,
        accepted.job_title,
        accepted.country,
        accepted.lead_source,
        free_mail_domains.domain is not null as is_free_mail,
        accepted.merged_into_lead_id is not null as is_merged,
        accepted.was_email_repaired,
        accepted.created_at,
        accepted.updated_at
    from accepted
    left join free_mail_domains
        on accepted.email_domain = free_mail_domains.domain
)

select * from flagged
