{#- The as-of moment of the run as 'YYYY-MM-DD HH:MM:SS' text (var score_as_of, else the data
    watermark), as lf_score_as_of uses it. -#}
{% macro lf_as_of_text() %}
    {%- set as_of = var('score_as_of', none) -%}
    {%- if as_of is none or as_of == '' -%}
        {%- set as_of = lf_data_watermark(ref('int_data_watermark')) -%}
    {%- endif -%}
    {{ return(as_of) }}
{% endmacro %}


{#-
    The surviving leads whose timeline fct_lead_timeline must recompute in an incremental run:
    the leads (and their survivors) of
    - engagement events loaded after the stored high-water mark, or in files not seen before;
    - rows of leads, status changes, sales activities, opportunities and product usage in files
      not seen before (for leads also the lead each version of such a lead was merged into, so
      a lead merged today hands its history to the survivor and loses its own timeline);
    - touches between the stored as-of moment and this run's one;
    - rows quarantined as future that may be accepted now.
-#}
{% macro lf_timeline_touched_leads() %}
    {%- set state = lf_incremental_stored_state() or {} -%}
    {%- set loaded_through = state.get('loaded_through') -%}
    {%- set previous_as_of = state.get('as_of') or lf_as_of_text() -%}
    {%- set window -%}
        > cast('{{ previous_as_of }}' as {{ dbt.type_timestamp() }})
    {%- endset -%}
    {%- set raw_leads = adapter.quote(var('raw_schema')) ~ '.' ~ adapter.quote('leads') -%}
    with
    changed_ids as (
        {%- if loaded_through %}
            select lead_id from {{ ref('stg_marketing__engagement_events') }}
            where loaded_at > cast('{{ loaded_through }}' as {{ dbt.type_timestamp() }})
            union all
        {%- endif %}
        {%- for table_name in ['engagement_events', 'lead_status_changes', 'sales_activities',
            'opportunities', 'product_usage_events', 'leads'] %}
            select {{ lf_clean_text('lead_id') }} as lead_id
            from ({{ lf_unseen_file_rows(table_name, ['lead_id']) }}) as unseen_{{ table_name }}
            union all
        {%- endfor %}
        select {{ lf_clean_text('raw_leads.merged_into_lead_id') }} as lead_id
        from {{ raw_leads }} as raw_leads
        where {{ lf_clean_text('raw_leads.lead_id') }} in (
            select {{ lf_clean_text('lead_id') }}
            from ({{ lf_unseen_file_rows('leads', ['lead_id']) }}) as unseen_leads_again
        )
        union all
        select lead_id from {{ ref('stg_marketing__engagement_events') }}
        where occurred_at {{ window }}
        union all
        select lead_id from {{ ref('stg_product__usage_events') }}
        where occurred_at {{ window }}
        union all
        select lead_id from {{ ref('int_lifecycle_events_resolved') }}
        where occurred_at {{ window }} or closed_at {{ window }}
        {%- for base_model in ['base_marketing__engagement_events', 'base_product__usage_events',
            'base_crm__lead_status_changes', 'base_sales__activities', 'base_crm__opportunities'] %}
            union all
            select lead_id from {{ ref(base_model) }}
            where rejection_reason = 'future_timestamp'
        {%- endfor %}
    ),

    touched as (
        select lead_id from changed_ids where lead_id is not null
        union
        select resolved.survivor_lead_id
        from {{ ref('int_leads_resolved') }} as resolved
        where resolved.lead_id in (select lead_id from changed_ids)
    )

    select lead_id from touched
{% endmacro %}


{#- Pre-hook of fct_lead_timeline: in an incremental run, deletes the timelines of the touched
    leads first, so a lead merged away since the last run loses its rows (delete+insert alone
    would delete only the leads the new rows name). -#}
{% macro lf_timeline_delete_touched(var_names) %}
    {%- if not execute or not is_incremental()
        or lf_incremental_mode(var_names, lf_as_of_text()) != 'incremental' -%}
        {{ return('select 1') }}
    {%- endif -%}
    {{ return('delete from ' ~ this ~ ' where lead_id in (' ~ lf_timeline_touched_leads() ~ ')') }}
{% endmacro %}
