{#-
    Erasure: the people named by source privacy.erasure_requests (a lead id, an email address,
    or both) are left out of every model. lf_contract_input reads each lead-keyed raw table
    without their rows, so staging, quarantine, the intermediate models, the marts and the
    snapshot never see them; audit_raw_reconciliation counts the rows left out (erased_rows),
    so the raw counts still add up; incremental models rebuild in full when the requests
    change (lf_incremental_fingerprint), and the snapshot deletes the people's history.
-#}

{#- The raw tables with a lead_id whose rows belong to a lead. -#}
{% macro lf_erasable_tables() %}
    {{ return(['leads', 'engagement_events', 'sales_activities', 'lead_status_changes',
               'opportunities', 'product_usage_events']) }}
{% endmacro %}


{#- Text normalised for matching an address: trimmed, lower-case, empty = null. -#}
{% macro lf_erasure_email(expression) -%}
    lower({{ lf_clean_text(expression) }})
{%- endmacro %}


{#- A query of the erased lead ids (column lead_id, distinct, never null): the requested ids,
    every lead whose email address is a requested one or that of a requested lead, and every
    lead merged into one of those. `leads_relation`: the raw leads (the contract input). -#}
{% macro lf_erased_lead_ids(leads_relation=none) -%}
    {%- set requests = source('privacy', 'erasure_requests') -%}
    {%- set leads = leads_relation or lead_funnel.lf_contract_input('leads', without_erased=false) -%}
    select distinct erased_ids.lead_id
    from (
        select {{ lf_clean_text('requested.lead_id') }} as lead_id
        from {{ requests }} as requested
        union all
        select {{ lf_clean_text('raw_leads.lead_id') }} as lead_id
        from {{ leads }} as raw_leads
        where {{ lf_erasure_email('raw_leads.email') }} in (
            select {{ lf_erasure_email('requested_emails.email') }}
            from {{ requests }} as requested_emails
            where {{ lf_clean_text('requested_emails.email') }} is not null
            union all
            select {{ lf_erasure_email('requested_leads.email') }}
            from {{ leads }} as requested_leads
            where
                {{ lf_clean_text('requested_leads.email') }} is not null
                and {{ lf_clean_text('requested_leads.lead_id') }} in (
                    select {{ lf_clean_text('requested_ids.lead_id') }}
                    from {{ requests }} as requested_ids
                    where {{ lf_clean_text('requested_ids.lead_id') }} is not null
                )
        )
    ) as erased_ids
    where erased_ids.lead_id is not null
{%- endmacro %}


{#- The erased lead ids with the leads merged into them (one hop): a merged duplicate is the
    same person. -#}
{% macro lf_erased_people(leads_relation=none) -%}
    {%- set leads = leads_relation or lead_funnel.lf_contract_input('leads', without_erased=false) -%}
    select erased_people.lead_id
    from ({{ lf_erased_lead_ids(leads) }}) as erased_people
    union
    select {{ lf_clean_text('merged_leads.lead_id') }} as lead_id
    from {{ leads }} as merged_leads
    where
        {{ lf_clean_text('merged_leads.lead_id') }} is not null
        and {{ lf_clean_text('merged_leads.merged_into_lead_id') }} in (
            select erased_targets.lead_id from ({{ lf_erased_lead_ids(leads) }}) as erased_targets
        )
{%- endmacro %}


{#- The rows of `relation` (a lead-keyed raw input) whose lead is not erased, as a subquery
    named `alias`. -#}
{% macro lf_without_erased(relation, alias) -%}
    (
        select kept_rows.*
        from {{ relation }} as kept_rows
        left join ({{ lf_erased_people() }}) as erased_leads
            on {{ lf_clean_text('kept_rows.lead_id') }} = erased_leads.lead_id
        where erased_leads.lead_id is null
    ) as {{ alias }}
{%- endmacro %}


{#- How many rows of lead-keyed raw table `table_name` belong to erased people. -#}
{% macro lf_erased_row_count(table_name) -%}
    {%- if table_name in lead_funnel.lf_erasable_tables() and lead_funnel.lf_erasure_request_count() > 0 -%}
        (
            select count(*)
            from {{ lead_funnel.lf_contract_input(table_name, without_erased=false) }} as erased_rows
            inner join ({{ lf_erased_people() }}) as erased_leads
                on {{ lf_clean_text('erased_rows.lead_id') }} = erased_leads.lead_id
        )
    {%- else -%}
        0
    {%- endif -%}
{%- endmacro %}


{#- How many erasure requests there are (0 while parsing, or without the table). -#}
{% macro lf_erasure_request_count() %}
    {%- if not execute -%}
        {{ return(0) }}
    {%- endif -%}
    {%- set requests = source('privacy', 'erasure_requests') -%}
    {%- set relation = adapter.get_relation(requests.database, requests.schema, requests.identifier) -%}
    {%- if relation is none -%}
        {{ return(0) }}
    {%- endif -%}
    {%- set rows = run_query('select count(*) from ' ~ relation) -%}
    {{ return(rows.rows[0][0] | int) }}
{% endmacro %}


{#- The erasure requests as one text, for the fingerprint of incremental models. -#}
{% macro lf_erasure_fingerprint() %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set requests = source('privacy', 'erasure_requests') -%}
    {%- set relation = adapter.get_relation(requests.database, requests.schema, requests.identifier) -%}
    {%- if relation is none -%}
        {{ return('none') }}
    {%- endif -%}
    {%- set rows = run_query(
        'select ' ~ lf_clean_text('lead_id') ~ ', ' ~ lf_erasure_email('email') ~ ' from ' ~ relation) -%}
    {%- set lines = [] -%}
    {%- for row in rows.rows -%}
        {%- do lines.append(row.values() | map('string') | join('\x1f')) -%}
    {%- endfor -%}
    {{ return(local_md5(lines | sort | join('\n'))) }}
{% endmacro %}


{#- Post-hook of the snapshot: the erased people's history goes too. -#}
{% macro lf_delete_erased_from(relation) %}
    {%- if not execute or lead_funnel.lf_erasure_request_count() == 0 -%}
        {{ return('select 1') }}
    {%- endif -%}
    {{ return('delete from ' ~ relation ~ ' where lead_id in (' ~ lf_erased_people() ~ ')') }}
{% endmacro %}


{#- The CSV lines the landing hook could not read (raw.raw_rejected_lines) that belong to an
    erased person: the line holds one of the person's lead ids as a field, or an email address
    of theirs. Query of source_table, file_name, line_number; empty without erasure requests. -#}
{% macro lf_erased_rejected_lines() -%}
    {%- set rejected = source('landing', 'raw_rejected_lines') -%}
    {%- if lead_funnel.lf_erasure_request_count() == 0 -%}
        select source_table, file_name, line_number from {{ rejected }} where 1 = 0
    {%- else -%}
        {%- set leads = lead_funnel.lf_contract_input('leads', without_erased=false) -%}
        {%- set requests = source('privacy', 'erasure_requests') -%}
        select distinct
            erased_lines.source_table,
            erased_lines.file_name,
            erased_lines.line_number
        from {{ rejected }} as erased_lines
        inner join (
            select {{ dbt.concat(["'%,'", "lower(marker_ids.lead_id)", "',%'"]) }} as line_pattern
            from ({{ lf_erased_people() }}) as marker_ids
            union all
            select {{ dbt.concat(["'%'", lf_erasure_email('marker_leads.email'), "'%'"]) }}
            from {{ leads }} as marker_leads
            inner join ({{ lf_erased_people() }}) as marker_people
                on {{ lf_clean_text('marker_leads.lead_id') }} = marker_people.lead_id
            where {{ lf_clean_text('marker_leads.email') }} is not null
            union all
            select {{ dbt.concat(["'%'", lf_erasure_email('marker_requests.email'), "'%'"]) }}
            from {{ requests }} as marker_requests
            where {{ lf_clean_text('marker_requests.email') }} is not null
        ) as markers
            on
                {{ dbt.concat(["','", "lower(erased_lines.raw_line)", "','"]) }} like markers.line_pattern
        where erased_lines.source_table <> 'erasure_requests'
    {%- endif -%}
{%- endmacro %}
