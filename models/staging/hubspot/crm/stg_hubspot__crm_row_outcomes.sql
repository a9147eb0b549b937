-- One row per HubSpot CRM table read by the CRM adapter (var crm_source hubspot), outcome and
-- reason: how many of the table's rows were mapped into a contract table or dropped, and why,
-- beside the table's own row count (counted apart from the classification), so
-- audit_connector_reconciliation can check that every row is counted once. A merged-away id
-- that is no longer a contact row adds a lead of its own: it is no row of contact.
{%- set engagement_tables = [
    'engagement_call', 'engagement_email', 'engagement_meeting', 'engagement_note', 'engagement_task'
] %}

with

contacts as (
    select * from {{ lf_connector_source('hubspot', 'contact') }}
),

property_history as (
    select * from {{ lf_connector_source('hubspot', 'contact_property_history') }}
),

companies as (
    select * from {{ lf_connector_source('hubspot', 'company') }}
),

deals as (
    select * from {{ lf_connector_source('hubspot', 'deal') }}
),

{% for engagement_table in engagement_tables %}
    {{ engagement_table }} as (
        select * from {{ lf_connector_source('hubspot', engagement_table) }}
    ),

{% endfor %}
identities as (
    select * from {{ ref('stg_hubspot__contact_identities') }}
),

status_history_classified as (
    select * from {{ ref('stg_hubspot__status_history_classified') }}
),

engagements_classified as (
    select * from {{ ref('stg_hubspot__engagements_classified') }}
),

contact_outcomes as (
    select
        'contact' as connector_table,
        'leads' as contract_table,
        case
            when coalesce(identities.is_deleted_in_source, false) then 'deleted_in_source'
        end as reason
    from contacts
    left join identities
        on {{ lf_clean_text('contacts.id') }} = identities.contact_id
),

history_outcomes as (
    select
        'contact_property_history' as connector_table,
        'lead_status_changes' as contract_table,
        drop_reason as reason
    from status_history_classified
),

company_outcomes as (
    select
        'company' as connector_table,
        'accounts' as contract_table,
        case
            when
                coalesce({{ lf_parse_boolean('_fivetran_deleted') }}, false)
                or coalesce({{ lf_parse_boolean('is_deleted') }}, false)
                then 'deleted_in_source'
        end as reason
    from companies
),

deal_outcomes as (
    select
        'deal' as connector_table,
        'opportunities' as contract_table,
        case
            when
                coalesce({{ lf_parse_boolean('_fivetran_deleted') }}, false)
                or coalesce({{ lf_parse_boolean('is_deleted') }}, false)
                then 'deleted_in_source'
        end as reason
    from deals
),

engagement_outcomes as (
    select
        connector_table,
        'sales_activities' as contract_table,
        drop_reason as reason
    from engagements_classified
),

row_outcomes as (
    select * from contact_outcomes
    union all
    select * from history_outcomes
    union all
    select * from company_outcomes
    union all
    select * from deal_outcomes
    union all
    select * from engagement_outcomes
),

{%- set counted = [
    ('contact', 'contacts'),
    ('contact_property_history', 'property_history'),
    ('company', 'companies'),
    ('deal', 'deals'),
] %}
{%- for engagement_table in engagement_tables %}
    {%- do counted.append((engagement_table, engagement_table)) %}
{%- endfor %}
{{ lf_hubspot_row_outcome_counts(counted) }}
