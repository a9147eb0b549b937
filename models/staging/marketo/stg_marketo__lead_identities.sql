-- Every Marketo lead id the connector names (lead rows, both sides of a merge, deleted leads)
-- with the Marketo lead that survives it, whether that survivor was deleted, and the CRM lead
-- it resolves to. Merges: activity_merge_leads is logged on the winning lead (lead_id) and
-- merge_ids lists the leads merged into it; chains are followed up to var merge_max_depth
-- hops (a cycle or a longer chain keeps the lead itself). Deletes: any activity_delete_lead
-- row of the survivor. CRM lead: the CRM's lead whose lower-cased, trimmed email equals the
-- survivor's (the doc lists no CRM id column on lead), else 'marketo:<survivor id>'.
{%- set max_merge_ids = 10 %}
{%- set max_depth = var('merge_max_depth') | int %}

with

marketo_leads as (
    select * from {{ lf_connector_source('marketo', 'lead') }}
),

merge_activities as (
    select * from {{ lf_connector_source('marketo', 'activity_merge_leads') }}
),

delete_activities as (
    select * from {{ lf_connector_source('marketo', 'activity_delete_lead') }}
),

crm_leads as (
    select * from {{ lf_contract_input('leads') }}
),

merge_lists as (
    select
        {{ lf_clean_text('id') }} as merge_activity_id,
        {{ lf_clean_text('lead_id') }} as survivor_id,
        replace(replace(replace(merge_ids, '[', ''), ']', ''), ' ', '') as merged_id_list,
        {{ lf_parse_timestamp('activity_date') }} as merged_at
    from merge_activities
),

-- One row per id of a merge list (Marketo merges at most a few leads at once; the first
-- {{ max_merge_ids }} ids of a list are read).
merged_away_ids as (
    {%- for position in range(1, max_merge_ids + 1) %}
        select
            merge_activity_id,
            survivor_id,
            merged_at,
            {{ lf_clean_text(dbt.split_part('merged_id_list', "','", position)) }} as merged_away_id
        from merge_lists
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

-- A lead merged away twice keeps its latest merge.
merges_ranked as (
    select
        merged_away_id,
        survivor_id,
        row_number() over (
            partition by merged_away_id
            order by merged_at desc nulls last, merge_activity_id desc, survivor_id asc
        ) as merge_rank
    from merged_away_ids
    where
        merged_away_id is not null
        and survivor_id is not null
        and merged_away_id <> survivor_id
),

merge_links as (
    select
        merged_away_id as lead_id,
        survivor_id as merged_into_lead_id
    from merges_ranked
    where merge_rank = 1
),

merge_hops as (
    {{ lf_walk_merge_chains('merge_links', max_depth) }}
),

merge_ends as (
    select
        lead_id,
        coalesce(
            {%- for hop in range(max_depth, -1, -1) %}
                hop_{{ hop }}_merged_into_lead_id{{ ',' if not loop.last }}
            {%- endfor %}
        ) as chain_end_id
    from merge_hops
),

-- A chain end that is itself merged away is a cycle or a chain longer than the limit.
survivors as (
    select
        merge_ends.lead_id,
        case
            when merge_links.lead_id is null then merge_ends.chain_end_id else merge_ends.lead_id
        end as survivor_id
    from merge_ends
    left join merge_links
        on merge_ends.chain_end_id = merge_links.lead_id
),

deleted_leads as (
    select distinct {{ lf_clean_text('lead_id') }} as lead_id
    from delete_activities
),

marketo_emails_ranked as (
    select
        {{ lf_clean_text('id') }} as lead_id,
        lower({{ lf_clean_text('email') }}) as email_key,
        row_number() over (
            partition by {{ lf_clean_text('id') }}
            order by
                {{ lf_parse_timestamp('updated_at') }} desc nulls last,
                {{ lf_parse_timestamp('_fivetran_synced') }} desc nulls last,
                lower({{ lf_clean_text('email') }}) asc nulls last
        ) as row_rank
    from marketo_leads
),

marketo_emails as (
    select
        lead_id,
        email_key
    from marketo_emails_ranked
    where row_rank = 1 and lead_id is not null
),

-- Several CRM leads with one address: an unmerged one first, then the lowest id.
crm_leads_ranked as (
    select
        {{ lf_clean_text('lead_id') }} as crm_lead_id,
        lower({{ lf_clean_text('email') }}) as email_key,
        row_number() over (
            partition by lower({{ lf_clean_text('email') }})
            order by
                case when {{ lf_clean_text('merged_into_lead_id') }} is null then 0 else 1 end asc,
                {{ lf_clean_text('lead_id') }} asc
        ) as email_rank
    from crm_leads
    where
        {{ lf_clean_text('email') }} is not null
        and {{ lf_clean_text('lead_id') }} is not null
),

crm_leads_by_email as (
    select
        crm_lead_id,
        email_key
    from crm_leads_ranked
    where email_rank = 1
),

known_ids as (
    select lead_id from marketo_emails
    union
    select lead_id from merge_links
    union
    select merged_into_lead_id as lead_id from merge_links
    union
    select lead_id from deleted_leads
),

resolved as (
    select
        known_ids.lead_id as marketo_lead_id,
        coalesce(survivors.survivor_id, known_ids.lead_id) as survivor_marketo_lead_id
    from known_ids
    left join survivors
        on known_ids.lead_id = survivors.lead_id
    where known_ids.lead_id is not null
),

final as (
    select
        resolved.marketo_lead_id,
        resolved.survivor_marketo_lead_id,
        coalesce(
            crm_leads_by_email.crm_lead_id,
            {{ dbt.concat(["'marketo:'", 'resolved.survivor_marketo_lead_id']) }}
        ) as lead_id,
        resolved.survivor_marketo_lead_id <> resolved.marketo_lead_id as is_merged_away,
        deleted_leads.lead_id is not null as is_deleted,
        crm_leads_by_email.crm_lead_id is not null as is_matched_to_crm
    from resolved
    left join deleted_leads
        on resolved.survivor_marketo_lead_id = deleted_leads.lead_id
    left join marketo_emails
        on resolved.survivor_marketo_lead_id = marketo_emails.lead_id
    left join crm_leads_by_email
        on marketo_emails.email_key = crm_leads_by_email.email_key
)

select * from final
