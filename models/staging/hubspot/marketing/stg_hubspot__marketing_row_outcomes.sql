-- One row per HubSpot marketing table read by the marketing adapter (var marketing_source
-- hubspot), outcome and reason: how many of the table's rows were mapped into a contract table
-- or dropped, and why, beside the table's own row count (counted apart from the
-- classification), so audit_connector_reconciliation can check that every row is counted once.

with

email_events as (
    select * from {{ lf_connector_source('hubspot', 'email_event') }}
),

form_submissions as (
    select * from {{ lf_connector_source('hubspot', 'contact_form_submission') }}
),

email_campaigns as (
    select * from {{ lf_connector_source('hubspot', 'email_campaign') }}
),

events_classified as (
    select * from {{ ref('stg_hubspot__engagement_events_classified') }}
),

row_outcomes as (
    select
        connector_table,
        'engagement_events' as contract_table,
        drop_reason as reason
    from events_classified
    union all
    select
        'email_campaign' as connector_table,
        'campaigns' as contract_table,
        cast(null as {{ lf_engine_type('varchar') }}) as reason
    from email_campaigns
),

{%- set counted = [
    ('email_event', 'email_events'),
    ('contact_form_submission', 'form_submissions'),
    ('email_campaign', 'email_campaigns'),
] %}
{{ lf_hubspot_row_outcome_counts(counted) }}
