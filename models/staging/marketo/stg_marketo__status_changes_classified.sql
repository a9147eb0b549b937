-- Every row of activity_change_data_value with its outcome: dropped as not_a_status_field
-- (the changed field is not a status field of seed marketo_status_fields, found by REST name
-- in lead_describe), else as deleted_in_source (the surviving Marketo lead was deleted), else
-- as not_a_funnel_status (a value seed crm_status_mapping lists, for Marketo or generic
-- spellings, with no lifecycle status, e.g. Known), else mapped: the status change of the
-- surviving lead's CRM lead, its value passed on for the base model to map or quarantine.
{%- set text_type = lf_engine_type('varchar') %}
{%- set changed = lf_parse_timestamp('activity_date') %}

with

data_value_changes as (
    select * from {{ lf_connector_source('marketo', 'activity_change_data_value') }}
),

lead_fields as (
    select * from {{ lf_connector_source('marketo', 'lead_describe') }}
),

status_fields as (
    select * from {{ ref('marketo_status_fields') }}
),

status_mapping as (
    select * from {{ ref('crm_status_mapping') }}
),

lead_statuses as (
    select * from {{ ref('lead_statuses') }}
),

identities as (
    select * from {{ ref('stg_marketo__lead_identities') }}
),

status_field_ids as (
    select distinct {{ lf_clean_text('lead_fields.id') }} as field_id
    from lead_fields
    inner join status_fields
        on lower({{ lf_clean_text('lead_fields.restname') }}) = lower(trim(status_fields.restname))
),

-- Values with no funnel meaning; a lifecycle status always means itself.
pre_funnel_values as (
    select distinct lower(trim(status_mapping.source_status)) as status_key
    from status_mapping
    where
        status_mapping.source_system in ('marketo', 'generic')
        and {{ lf_clean_text('status_mapping.lifecycle_status') }} is null
        and lower(trim(status_mapping.source_status)) not in (
            select lower(trim(lead_statuses.status)) from lead_statuses
        )
),

changes as (
    select
        data_value_changes.*,
        {{ lf_clean_text('data_value_changes.lead_id') }} as marketo_lead_id
    from data_value_changes
),

classified as (
    select
        changes.id as activity_id,
        changes.marketo_lead_id,
        changes.new_value,
        changes.reason,
        changes.modifying_user,
        changes.activity_date,
        coalesce(
            identities.lead_id, {{ dbt.concat(["'marketo:'", 'changes.marketo_lead_id']) }}
        ) as lead_id,
        status_field_ids.field_id is not null as is_status_field,
        coalesce(identities.is_deleted, false) as is_deleted,
        coalesce(identities.is_merged_away, false) as is_merged_away,
        pre_funnel_values.status_key is not null as is_pre_funnel_value
    from changes
    left join status_field_ids
        on {{ lf_clean_text('changes.primary_attribute_value_id') }} = status_field_ids.field_id
    left join identities
        on changes.marketo_lead_id = identities.marketo_lead_id
    left join pre_funnel_values
        on lower({{ lf_clean_text('changes.new_value') }}) = pre_funnel_values.status_key
),

final as (
    select
        cast(
            case
                when {{ lf_clean_text('activity_id') }} is not null
                    then {{ dbt.concat(["'marketo:'", lf_clean_text('activity_id')]) }}
            end as {{ text_type }}
        ) as change_id,
        cast(lead_id as {{ text_type }}) as lead_id,
        cast({{ lf_clean_text('new_value') }} as {{ text_type }}) as status,
        cast({{ lf_clean_text('reason') }} as {{ text_type }}) as reason,
        -- unreadable text is passed on as it is, so the base model quarantines it
        cast(
            coalesce(cast({{ changed }} as {{ text_type }}), activity_date) as {{ text_type }}
        ) as changed_at,
        cast({{ lf_clean_text('modifying_user') }} as {{ text_type }}) as changed_by,
        marketo_lead_id,
        is_merged_away,
        case
            when not is_status_field or is_deleted or is_pre_funnel_value then 'dropped' else 'mapped'
        end as outcome,
        case
            when not is_status_field then 'not_a_status_field'
            when is_deleted then 'deleted_in_source'
            when is_pre_funnel_value then 'not_a_funnel_status'
        end as drop_reason
    from classified
)

select * from final
