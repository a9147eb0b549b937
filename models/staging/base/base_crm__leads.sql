-- Every distinct raw lead row, typed and normalised, with the reason it cannot be staged (null
-- when it can). Rows sharing a lead_id with different values: the latest updated_at is kept.
-- Merges of accepted leads are checked without recursion (macro lf_walk_merge_chains: joins
-- unrolled up to var merge_max_depth): a lead in a merge cycle, or whose chain does not end
-- within merge_max_depth hops, keeps its row but not its merge (merged_into_lead_id null,
-- merge_rejection_reason set).
{%- set raw_columns = var('raw_contract')['leads']['required'] %}
{%- set max_depth = var('merge_max_depth') | int %}
{%- set created = lf_parse_timestamp('created_at') %}
{%- set updated = lf_parse_timestamp('updated_at') %}

with

source as (
    select * from {{ lf_contract_input('leads') }}
),

rows_collapsed as (
    {{ lf_collapse_exact_duplicates('source', raw_columns) }}
),

checked as (
    select
        *,
        {{ created }} as parsed_created_at,
        {{ updated }} as parsed_updated_at,
        case
            when {{ lf_any_missing(['lead_id', 'created_at']) }} then 'missing_required_value'
            when
                {{ created }} is null
                or ({{ lf_clean_text('updated_at') }} is not null and {{ updated }} is null)
                then 'unreadable_timestamp'
            when {{ created }} < {{ lf_timestamp_floor() }} or {{ updated }} < {{ lf_timestamp_floor() }}
                then 'implausible_timestamp'
            when {{ created }} > {{ lf_future_limit() }} then 'future_timestamp'
        end as row_issue
    from rows_collapsed
),

ranked as (
    {{ lf_reject_conflicting_duplicates(
        'checked', lf_clean_text('lead_id'), 'parsed_updated_at desc nulls last', raw_columns) }}
),

accepted_leads as (
    select
        {{ lf_clean_text('lead_id') }} as lead_id,
        {{ lf_clean_text('merged_into_lead_id') }} as merged_into_lead_id
    from ranked
    where rejection_reason is null
),

-- A merge link: an accepted lead merged into another accepted lead (a merge into an unknown
-- lead ends the chain there, as before).
merge_links as (
    select
        accepted_leads.lead_id,
        accepted_leads.merged_into_lead_id
    from accepted_leads
    inner join accepted_leads as merge_targets
        on accepted_leads.merged_into_lead_id = merge_targets.lead_id
),

-- Up to merge_max_depth links from each link: the lead is in a cycle when one of them leads
-- back to it (a lead merged into itself is a cycle of one).
cycle_hops as (
    {{ lf_walk_merge_chains('merge_links', max_depth - 1) }}
),

cycle_walk as (
    select
        lead_id,
        (
            {%- for hop in range(max_depth) %}
                coalesce(hop_{{ hop }}_merged_into_lead_id = lead_id, false)
                {{- ' or' if not loop.last }}
            {%- endfor %}
        ) as is_in_merge_cycle
    from cycle_hops
),

links_outside_cycles as (
    select
        merge_links.lead_id,
        merge_links.merged_into_lead_id
    from merge_links
    inner join cycle_walk
        on merge_links.lead_id = cycle_walk.lead_id
    where not cycle_walk.is_in_merge_cycle
),

-- With the cycles cut, a chain is too deep when merge_max_depth + 1 links follow each other.
depth_hops as (
    {{ lf_walk_merge_chains('links_outside_cycles', max_depth) }}
),

depth_walk as (
    select
        lead_id,
        hop_{{ max_depth }}_lead_id is not null as is_chain_too_deep
    from depth_hops
),

merge_rejections as (
    select
        cycle_walk.lead_id,
        case
            when cycle_walk.is_in_merge_cycle then 'merge_cycle'
            when depth_walk.is_chain_too_deep then 'merge_chain_too_deep'
        end as merge_rejection_reason
    from cycle_walk
    left join depth_walk
        on cycle_walk.lead_id = depth_walk.lead_id
),

merges_checked as (
    select
        ranked.*,
        merge_rejections.merge_rejection_reason
    from ranked
    -- one equality (a rejected row's key is null), so engines join by hash: a condition on the
    -- left side alone beside it made DuckDB compare every row with every merge rejection
    left join merge_rejections
        on
            case
                when ranked.rejection_reason is null then {{ lf_clean_text('ranked.lead_id') }}
            end = merge_rejections.lead_id
),

final as (
    select
        {{ lf_clean_text('lead_id') }} as lead_id,
        {{ lf_clean_text('account_id') }} as account_id,
        {{ lf_clean_text('campaign_id') }} as campaign_id,
        case
            when merge_rejection_reason is null then {{ lf_clean_text('merged_into_lead_id') }}
        end as merged_into_lead_id,
        lower({{ lf_clean_text('email') }}) as email_normalised,
        coalesce(email <> lower(trim(email)), false) as was_email_repaired,
        {{ lf_clean_text('first_name') }} as first_name,
        {{ lf_clean_text('last_name') }} as last_name,
        {{ lf_mask_personal_data(lf_clean_text('job_title')) }} as job_title,
        {{ lf_mask_personal_data('upper(' ~ lf_clean_text('country') ~ ')') }} as country,
        {{ lf_mask_personal_data('lower(' ~ lf_clean_text('lead_source') ~ ')') }} as lead_source,
        parsed_created_at as created_at,
        parsed_updated_at as updated_at,
        raw_row_count,
        rejection_reason,
        merge_rejection_reason,
        case
            when rejection_reason is not null or merge_rejection_reason is not null
                then {{ lf_raw_record(raw_columns) }}
        end as raw_record
    from merges_checked
)

select * from final
