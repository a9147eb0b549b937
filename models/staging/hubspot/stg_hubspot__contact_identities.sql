-- One row per HubSpot contact id: every contact row and every id merged away into a contact
-- (property_hs_merged_object_ids, `;`-separated, or contact_merge_audit), with the contact it
-- was merged into, its survivor and whether it was deleted. A merged-away id may still be a
-- row (often flagged _fivetran_deleted) or be gone; either way it is merged, not deleted.
-- An id listed by several contacts (a chain A <- B <- C lists C on A and on B) is merged into
-- the one that is not itself merged away, else the lowest id; survivors follow the chain up to
-- var merge_max_depth hops. A table (enabled here, beside the adapter folders, while either half
-- is hubspot): seven models of both HubSpot adapters read it.
{{ config(
    enabled=(var('crm_source', 'files') == 'hubspot' or var('marketing_source', 'files') == 'hubspot'),
    materialized='table',
) }}
{%- set max_hops = var('merge_max_depth') | int %}
{#- The most ids one contact's merged-ids list is read for. -#}
{%- set max_merged_ids = 1000 %}

with

contacts as (
    select * from {{ lf_connector_source('hubspot', 'contact') }}
),

merge_audit as (
    select * from {{ lf_connector_source('hubspot', 'contact_merge_audit') }}
),

list_positions as (
    select cast(generated_number as {{ dbt.type_int() }}) as position
    from ({{ dbt.generate_series(max_merged_ids) }}) as positions
),

contact_rows as (
    select
        {{ lf_clean_text('id') }} as contact_id,
        min(lower({{ lf_clean_text('property_email') }})) as email,
        max(case when {{ lf_parse_boolean('_fivetran_deleted') }} then 1 else 0 end) = 1
            as is_flagged_deleted,
        min(replace({{ lf_clean_text('property_hs_merged_object_ids') }}, ' ', '')) as merged_object_ids
    from contacts
    where {{ lf_clean_text('id') }} is not null
    group by {{ lf_clean_text('id') }}
),

listed_merges as (
    select
        contact_rows.contact_id as into_contact_id,
        -- split_part itself (DuckDB, PostgreSQL, Spark): dbt.split_part wants a literal position
        {{ lf_clean_text("split_part(contact_rows.merged_object_ids, ';', list_positions.position)") }}
            as merged_contact_id
    from contact_rows
    inner join list_positions
        on
            list_positions.position
            <= length(contact_rows.merged_object_ids)
            - length(replace(contact_rows.merged_object_ids, ';', '')) + 1
    where contact_rows.merged_object_ids is not null
),

audited_merges as (
    select
        {{ lf_clean_text('canonical_vid') }} as into_contact_id,
        {{ lf_clean_text('vid_to_merge') }} as merged_contact_id
    from merge_audit
),

merge_edges as (
    select
        into_contact_id,
        merged_contact_id
    from listed_merges
    union
    select
        into_contact_id,
        merged_contact_id
    from audited_merges
),

valid_merge_edges as (
    select
        into_contact_id,
        merged_contact_id
    from merge_edges
    where
        into_contact_id is not null
        and merged_contact_id is not null
        and into_contact_id <> merged_contact_id
),

merged_away_ids as (
    select distinct merged_contact_id as contact_id
    from valid_merge_edges
),

merge_targets_ranked as (
    select
        valid_merge_edges.merged_contact_id,
        valid_merge_edges.into_contact_id,
        row_number() over (
            partition by valid_merge_edges.merged_contact_id
            order by
                case when target_merged.contact_id is null then 0 else 1 end asc,
                case when coalesce(target_rows.is_flagged_deleted, false) then 1 else 0 end asc,
                length(valid_merge_edges.into_contact_id) asc,
                valid_merge_edges.into_contact_id asc
        ) as target_rank
    from valid_merge_edges
    left join merged_away_ids as target_merged
        on valid_merge_edges.into_contact_id = target_merged.contact_id
    left join contact_rows as target_rows
        on valid_merge_edges.into_contact_id = target_rows.contact_id
),

merge_targets as (
    select
        merged_contact_id as contact_id,
        into_contact_id as merged_into_contact_id
    from merge_targets_ranked
    where target_rank = 1
),

all_ids as (
    select contact_id from contact_rows
    union
    select contact_id from merged_away_ids
),

identities as (
    select
        all_ids.contact_id,
        merge_targets.merged_into_contact_id,
        contact_rows.email,
        contact_rows.contact_id is not null as is_contact_row,
        merge_targets.contact_id is not null as is_merged_away,
        coalesce(contact_rows.is_flagged_deleted, false) and merge_targets.contact_id is null
            as is_deleted_in_source
    from all_ids
    left join contact_rows
        on all_ids.contact_id = contact_rows.contact_id
    left join merge_targets
        on all_ids.contact_id = merge_targets.contact_id
),

merge_links as (
    select
        contact_id as lead_id,
        merged_into_contact_id as merged_into_lead_id
    from identities
    where merged_into_contact_id is not null
),

merge_chains as (
    {{ lf_walk_merge_chains('merge_links', max_hops) }}
),

survivors as (
    select
        lead_id as contact_id,
        coalesce(
            {%- for hop in range(max_hops, -1, -1) %}
                hop_{{ hop }}_merged_into_lead_id{{ ',' if not loop.last }}
            {%- endfor %}
        ) as survivor_contact_id
    from merge_chains
),

final as (
    select
        identities.contact_id,
        identities.merged_into_contact_id,
        coalesce(survivors.survivor_contact_id, identities.contact_id) as survivor_contact_id,
        identities.email,
        identities.is_contact_row,
        identities.is_merged_away,
        identities.is_deleted_in_source
    from identities
    left join survivors
        on identities.contact_id = survivors.contact_id
)

select * from final
