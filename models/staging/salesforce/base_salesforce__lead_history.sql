-- Every row of the Salesforce lead_history table, typed, with the reason the adapters drop it (null
-- when kept): deleted_in_source (is_deleted or _fivetran_deleted), not_a_status_change (a field
-- other than Status), lead_deleted_in_source (the lead was deleted, not merged),
-- not_a_funnel_status (the new value is a Salesforce status that seed crm_status_mapping lists with
-- an empty lifecycle_status). Status rows of merged-away leads are kept: they move to the survivor.
{%- set status_field = 'status' %}

with

source as (
    select * from {{ lf_connector_source('salesforce', 'lead_history') }}
),

leads as (
    select * from {{ ref('base_salesforce__leads') }}
),

status_mapping as (
    select * from {{ ref('crm_status_mapping') }}
),

-- Salesforce statuses with no funnel meaning (an empty lifecycle_status in the seed).
statuses_without_funnel_meaning as (
    select distinct lower(trim(source_status)) as status_key
    from status_mapping
    where
        source_system = 'salesforce'
        and {{ lf_clean_text('lifecycle_status') }} is null
),

-- Leads the adapters drop (deleted, not merged), once per id so no row is repeated.
dropped_leads as (
    select distinct lead_id
    from leads
    where drop_reason is not null
),

typed as (
    select
        {{ lf_clean_text('source.id') }} as history_id,
        {{ lf_clean_text('source.lead_id') }} as lead_id,
        {{ lf_clean_text('source.field') }} as field,
        {{ lf_clean_text('source.old_value') }} as old_value,
        {{ lf_clean_text('source.new_value') }} as new_value,
        {{ lf_clean_text('source.created_by_id') }} as created_by_id,
        (
            coalesce({{ lf_parse_boolean('source.is_deleted') }}, false)
            or coalesce({{ lf_parse_boolean('source._fivetran_deleted') }}, false)
        ) as is_deleted,
        {{ dbt.date_trunc('second', lf_parse_timestamp('source.created_date')) }} as changed_at,
        {{ lf_clean_text('source.created_date') }} as changed_at_raw
    from source
),

classified as (
    select
        typed.history_id,
        typed.lead_id,
        typed.field,
        typed.old_value,
        typed.new_value,
        typed.created_by_id,
        typed.changed_at,
        coalesce(
            cast(typed.changed_at as {{ lf_engine_type('varchar') }}), typed.changed_at_raw
        ) as changed_at_text,
        not typed.is_deleted
        and coalesce(lower(typed.field) = '{{ status_field }}', false) as is_status_change,
        case
            when typed.is_deleted then 'deleted_in_source'
            when coalesce(lower(typed.field) <> '{{ status_field }}', true) then 'not_a_status_change'
            when dropped_leads.lead_id is not null then 'lead_deleted_in_source'
            when statuses_without_funnel_meaning.status_key is not null then 'not_a_funnel_status'
        end as drop_reason
    from typed
    left join dropped_leads
        on typed.lead_id = dropped_leads.lead_id
    left join statuses_without_funnel_meaning
        on lower(typed.new_value) = statuses_without_funnel_meaning.status_key
)

select * from classified
