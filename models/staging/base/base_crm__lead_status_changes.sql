-- Every distinct raw lead-status-change row, typed, with the reason it cannot be staged (null
-- when it can). Rows sharing a change_id with different values: the earliest changed_at is kept.
-- The raw status is read case-insensitively on its trimmed text: a lifecycle status (seed
-- lead_statuses) is itself, another CRM's spelling is translated by seed crm_status_mapping
-- (e.g. Salesforce 'Working - Contacted' -> sales_accepted); anything else, including a value
-- the mapping lists without a lifecycle status (HubSpot subscriber), is unknown_status.
{%- set raw_columns = var('raw_contract')['lead_status_changes']['required'] %}

with

source as (
    select * from {{ lf_contract_input('lead_status_changes') }}
),

lead_statuses as (
    select * from {{ ref('lead_statuses') }}
),

status_mapping as (
    select * from {{ ref('crm_status_mapping') }}
),

status_spellings as (
    select
        lower(trim(status)) as status_key,
        status as lifecycle_status,
        1 as spelling_rank
    from lead_statuses
    union all
    select
        lower(trim(source_status)) as status_key,
        lifecycle_status,
        2 as spelling_rank
    from status_mapping
    where lifecycle_status is not null
),

status_spellings_ranked as (
    select
        status_key,
        lifecycle_status,
        row_number() over (
            partition by status_key
            order by spelling_rank asc, lifecycle_status asc
        ) as key_rank
    from status_spellings
),

statuses as (
    select
        status_key,
        lifecycle_status
    from status_spellings_ranked
    where key_rank = 1
),

accepted_leads as (
    {{ lf_accepted_lead_ids() }}
),

rows_collapsed as (
    {{ lf_collapse_exact_duplicates('source', raw_columns) }}
),

checked as (
    {{ lf_lead_row_issues(
        'rows_collapsed',
        ['change_id', 'lead_id', 'status', 'changed_at'],
        'changed_at',
        'accepted_leads',
        lookup={
            'relation': 'statuses',
            'raw_column': 'status',
            'lookup_column': 'status_key',
            'reason': 'unknown_status'
        }
    ) }}
),

ranked as (
    {{ lf_reject_conflicting_duplicates(
        'checked', lf_clean_text('change_id'), 'parsed_moment asc', raw_columns) }}
),

final as (
    select
        {{ lf_clean_text('ranked.change_id') }} as change_id,
        {{ lf_clean_text('ranked.lead_id') }} as lead_id,
        coalesce(statuses.lifecycle_status, lower({{ lf_clean_text('ranked.status') }})) as status,
        {{ lf_mask_personal_data('lower(' ~ lf_clean_text('ranked.reason') ~ ')') }} as reason,
        {{ lf_mask_personal_data(lf_clean_text('ranked.changed_by')) }} as changed_by,
        ranked.is_moment_date_only as is_date_only,
        ranked.parsed_moment as changed_at,
        ranked.raw_row_count,
        ranked.rejection_reason,
        case when ranked.rejection_reason is not null then {{ lf_raw_record(raw_columns) }} end as raw_record
    from ranked
    left join statuses
        on lower({{ lf_clean_text('ranked.status') }}) = statuses.status_key
)

select * from final
