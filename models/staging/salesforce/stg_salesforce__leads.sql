-- The contract's leads from Salesforce: one row per lead the adapters keep (not deleted, or
-- merged away: merged_into_lead_id is master_record_id). account_id is the account the lead was
-- converted into; campaign_id the campaign of its earliest campaign membership; the lead source
-- is passed on unchanged; updated_at is last_modified_date, else the connector's sync time.
-- Contacts that never were leads are not leads. Every column is text (contract shape).
{%- set text_type = lf_engine_type('varchar') %}

with

leads as (
    select * from {{ ref('base_salesforce__leads') }}
),

campaign_members as (
    select * from {{ lf_connector_source('salesforce', 'campaign_member') }}
),

memberships as (
    select
        {{ lf_clean_text('lead_id') }} as lead_id,
        {{ lf_clean_text('campaign_id') }} as campaign_id,
        {{ lf_clean_text('id') }} as campaign_member_id,
        {{ lf_parse_timestamp('created_date') }} as added_at
    from campaign_members
    where
        not (
            coalesce({{ lf_parse_boolean('is_deleted') }}, false)
            or coalesce({{ lf_parse_boolean('_fivetran_deleted') }}, false)
        )
        and {{ lf_clean_text('lead_id') }} is not null
        and {{ lf_clean_text('campaign_id') }} is not null
),

memberships_ranked as (
    select
        lead_id,
        campaign_id,
        row_number() over (
            partition by lead_id
            order by added_at asc nulls last, campaign_member_id asc, campaign_id asc
        ) as membership_rank
    from memberships
),

first_campaigns as (
    select
        lead_id,
        campaign_id
    from memberships_ranked
    where membership_rank = 1
),

mapped as (
    select
        cast(leads.lead_id as {{ text_type }}) as lead_id,
        cast(leads.converted_account_id as {{ text_type }}) as account_id,
        cast(leads.email as {{ text_type }}) as email,
        cast(leads.first_name as {{ text_type }}) as first_name,
        cast(leads.last_name as {{ text_type }}) as last_name,
        cast(leads.job_title as {{ text_type }}) as job_title,
        cast(leads.country as {{ text_type }}) as country,
        cast(leads.lead_source as {{ text_type }}) as lead_source,
        cast(first_campaigns.campaign_id as {{ text_type }}) as campaign_id,
        cast(leads.created_date_text as {{ text_type }}) as created_at,
        cast(
            coalesce(leads.last_modified_date_text, leads.fivetran_synced_text) as {{ text_type }}
        ) as updated_at,
        cast(leads.master_record_id as {{ text_type }}) as merged_into_lead_id
    from leads
    left join first_campaigns
        on leads.lead_id = first_campaigns.lead_id
    where leads.drop_reason is null
)

select * from mapped
