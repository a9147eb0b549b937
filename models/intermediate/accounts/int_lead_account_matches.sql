-- One row per accepted lead (merged ones included) and the account it belongs to: the account
-- the CRM names (account_match_method 'crm'), else the account whose domain is the lead's
-- business email domain or a parent of it, the most specific first, so mail.acme.com matches
-- acme.com and eu.acme.com beats acme.com when both are accounts ('email_domain'), else none
-- ('none'). Free-mail domains (seed free_mail_domains) never match, on either side. Account
-- domains are read as written on the account, less a scheme (https://), a path, a port and a
-- leading www. When several accounts have the matched domain, the one with the most leads the CRM
-- links to it wins, then the earliest created, then the lowest account_id;
-- account_match_candidates counts them. A table: the fit, the account views and dim_leads
-- read it.
{{ config(materialized='table') }}
{%- set suffix_levels = 3 %}

with

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

accounts as (
    select * from {{ ref('stg_crm__accounts') }}
),

free_mail_domains as (
    select * from {{ ref('free_mail_domains') }}
),

account_domains_written as (
    select
        account_id,
        created_at,
        lower(trim(account_domain)) as domain_text
    from accounts
    where account_domain is not null
),

account_domains_without_scheme as (
    select
        account_id,
        created_at,
        case
            when
                domain_text like 'https://%'
                then {{ dbt.right('domain_text', dbt.length('domain_text') ~ ' - 8') }}
            when
                domain_text like 'http://%'
                then {{ dbt.right('domain_text', dbt.length('domain_text') ~ ' - 7') }}
            else domain_text
        end as domain_text
    from account_domains_written
),

account_domains_without_path as (
    select
        account_id,
        created_at,
        {{ dbt.split_part(dbt.split_part('domain_text', "'/'", 1), "':'", 1) }} as domain_text
    from account_domains_without_scheme
),

account_domains as (
    select
        account_domains_without_path.account_id,
        account_domains_without_path.created_at,
        case
            when account_domains_without_path.domain_text like 'www.%'
                then {{ dbt.right(
                    'account_domains_without_path.domain_text',
                    dbt.length('account_domains_without_path.domain_text') ~ ' - 4'
                ) }}
            else account_domains_without_path.domain_text
        end as account_domain
    from account_domains_without_path
),

matchable_account_domains as (
    select
        account_domains.account_id,
        account_domains.created_at,
        account_domains.account_domain
    from account_domains
    left join free_mail_domains
        on account_domains.account_domain = free_mail_domains.domain
    where
        account_domains.account_domain like '%_._%'
        and free_mail_domains.domain is null
),

crm_links as (
    select
        account_id,
        count(*) as crm_lead_count
    from leads
    where account_id is not null
    group by account_id
),

unlinked_leads as (
    select
        lead_id,
        email_domain
    from leads
    where account_id is null and email_domain is not null and not is_free_mail
),

-- the email domain and its parents (dropping one label at a time) that still have a dot
domain_candidates_0 as (
    select
        lead_id,
        email_domain as candidate_domain,
        0 as suffix_level
    from unlinked_leads
),
{%- for level in range(1, suffix_levels + 1) %}

    domain_candidates_{{ level }} as (
        select
            lead_id,
        {{ dbt.right(
            'candidate_domain',
            dbt.length('candidate_domain') ~ ' - ' ~ dbt.position("'.'", 'candidate_domain')
        ) }} as candidate_domain,
            {{ level }} as suffix_level
        from domain_candidates_{{ level - 1 }}
        where candidate_domain like '%_._%._%'
    ),
{%- endfor %}

domain_candidates as (
    {%- for level in range(0, suffix_levels + 1) %}
        select * from domain_candidates_{{ level }}
        {{ 'union all' if not loop.last }}
    {%- endfor %}
),

candidates as (
    select
        domain_candidates.lead_id,
        domain_candidates.suffix_level,
        matchable_account_domains.account_id,
        matchable_account_domains.account_domain,
        row_number() over (
            partition by domain_candidates.lead_id
            order by
                domain_candidates.suffix_level asc,
                coalesce(crm_links.crm_lead_count, 0) desc,
                case when matchable_account_domains.created_at is null then 1 else 0 end asc,
                matchable_account_domains.created_at asc,
                matchable_account_domains.account_id asc
        ) as candidate_rank
    from domain_candidates
    inner join matchable_account_domains
        on domain_candidates.candidate_domain = matchable_account_domains.account_domain
    left join crm_links
        on matchable_account_domains.account_id = crm_links.account_id
),

best_level as (
    select
        lead_id,
        min(suffix_level) as suffix_level
    from candidates
    group by lead_id
),

candidate_counts as (
    select
        candidates.lead_id,
        count(distinct candidates.account_id) as account_match_candidates
    from candidates
    inner join best_level
        on
            candidates.lead_id = best_level.lead_id
            and candidates.suffix_level = best_level.suffix_level
    group by candidates.lead_id
),

final as (
    select
        leads.lead_id,
        leads.account_id as crm_account_id,
        coalesce(leads.account_id, candidates.account_id) as account_id,
        case
            when leads.account_id is not null then 'crm'
            when candidates.account_id is not null then 'email_domain'
            else 'none'
        end as account_match_method,
        candidates.account_domain as matched_account_domain,
        coalesce(candidate_counts.account_match_candidates, 0) as account_match_candidates
    from leads
    left join candidates
        on leads.lead_id = candidates.lead_id and candidates.candidate_rank = 1
    left join candidate_counts
        on leads.lead_id = candidate_counts.lead_id
)

select * from final
