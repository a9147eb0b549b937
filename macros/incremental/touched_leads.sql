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
    The surviving leads whose rows a per-lead incremental model (the timeline, the scoring
    layer) must recompute in an incremental run: the leads (and their survivors) of
    - engagement events loaded after the stored high-water mark, or in files not seen before;
    - rows of leads, status changes, sales activities, opportunities and product usage in files
      not seen before (for leads also the lead each version of such a lead was merged into, so
      a lead merged today hands its history to the survivor and loses its own timeline);
    - touches between the stored as-of moment and this run's one;
    - rows quarantined as future that may be accepted now;
    - with with_accounts, accounts in files not seen before: their leads (the CRM's and those
      matched by email domain) and the unlinked leads whose email domain is, or is under, a
      domain any version of such an account has (their fit may change, or their match).
-#}
{% macro lf_touched_leads(with_accounts=false) %}
    {%- set state = lf_incremental_stored_state() or {} -%}
    {%- set loaded_through = state.get('loaded_through') -%}
    {%- set previous_as_of = state.get('as_of') or lf_as_of_text() -%}
    {%- set window -%}
        > cast('{{ previous_as_of }}' as {{ dbt.type_timestamp() }})
    {%- endset -%}
    {%- set raw_leads = adapter.quote(lead_funnel.lf_raw_schema()) ~ '.' ~ adapter.quote('leads') -%}
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
        {%- if with_accounts %}
            {%- set raw_accounts = adapter.quote(lead_funnel.lf_raw_schema()) ~ '.' ~ adapter.quote('accounts') %}
            select leads_of_accounts.lead_id
            from {{ ref('stg_crm__leads') }} as leads_of_accounts
            where leads_of_accounts.account_id in (
                select {{ lf_clean_text('account_id') }}
                from ({{ lf_unseen_file_rows('accounts', ['account_id']) }}) as unseen_accounts
            )
            union all
            {#- leads matched by email domain (int_lead_account_matches) to such an account, or
                to be matched now: their domain is, or is under, one the account has or had #}
            select domain_leads.lead_id
            from {{ ref('stg_crm__leads') }} as domain_leads
            inner join (
                select distinct
                    {{ dbt.replace('lower(' ~ lf_clean_text('raw_accounts.domain') ~ ')', "'www.'", "''") }} as domain
                from {{ raw_accounts }} as raw_accounts
                where {{ lf_clean_text('raw_accounts.account_id') }} in (
                    select {{ lf_clean_text('account_id') }}
                    from ({{ lf_unseen_file_rows('accounts', ['account_id']) }}) as unseen_accounts_again
                )
            ) as changed_domains
                on
                    domain_leads.email_domain = changed_domains.domain
                    or domain_leads.email_domain like {{ dbt.concat(["'%.'", "changed_domains.domain"]) }}
            where domain_leads.account_id is null
            union all
        {%- endif %}
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


{#- The config of a per-lead incremental model of the scoring layer and the timeline: strategy
    lf_changed_rows (macros/incremental/changed_rows.sql) over the rows of the touched leads, by
    the row's key `row_key` (Spark: a table, lf_incremental_materialized), and the state recorded
    after the run. The scoring layer's leads are touched also by accounts in new files
    (with_accounts): an account's firmographics move its leads' fit.
    A new version of the model's columns comes with a new fingerprint, so its run rebuilds in full:
    on_schema_change syncs the stored table's columns to the new ones first (a model with an
    enforced contract can only append new columns, dbt's rule). -#}
{% macro lf_lead_incremental_config(
    state_vars, state_tables, row_key, with_accounts=true, on_schema_change='sync_all_columns'
) %}
    {{ return({
        'materialized': lf_incremental_materialized(),
        'incremental_strategy': 'lf_changed_rows',
        'unique_key': row_key,
        'lf_state_vars': state_vars,
        'lf_with_accounts': with_accounts,
        'on_schema_change': on_schema_change,
        'pre_hook': [
            {'sql': "{{ lf_incremental_clear_before_begin(" ~ state_vars ~ ", lf_as_of_text()) }}",
             'transaction': false},
            "{{ lf_incremental_prepare(" ~ state_vars ~ ", lf_as_of_text()) }}",
        ],
        'post_hook': [
            "{{ lf_incremental_record(" ~ state_vars ~ ", " ~ state_tables ~ ","
            ~ " 'select cast(max(loaded_at) as varchar) from ' ~ ref('stg_marketing__engagement_events'),"
            ~ " lf_as_of_text()) }}",
        ],
    }) }}
{% endmacro %}


{#- The vars and raw tables the scoring layer's incremental models depend on. -#}
{% macro lf_scoring_state_vars() %}
    {{ return(['merge_max_depth', 'timestamp_floor', 'raw_contract', 'future_tolerance_hours',
               'mql_source']) }}
{% endmacro %}

{% macro lf_scoring_state_tables() %}
    {{ return(['engagement_events', 'leads', 'accounts', 'lead_status_changes', 'sales_activities',
               'opportunities', 'product_usage_events']) }}
{% endmacro %}


{#- In an incremental run, the condition that keeps only the touched leads' rows (column names
    the surviving lead); in a full run, true. -#}
{% macro lf_touched_leads_only(column, mode) %}
    {%- if mode == 'incremental' -%}
        {{ return(column ~ ' in (' ~ lf_touched_leads(true) ~ ')') }}
    {%- endif -%}
    {{ return('1 = 1') }}
{% endmacro %}


{#- Makes the current model depend on the models lf_touched_leads reads, so they are built
    before it. A unit test's context (it has no graph) gives only the model's own inputs, and the
    touched leads are not read there (a unit test is never incremental): nothing is referenced. -#}
{% macro lf_touched_leads_depends_on() %}
    {%- if lf_in_unit_test() -%}
        {{ return('') }}
    {%- endif -%}
    {%- for name in ['stg_marketing__engagement_events', 'int_data_watermark',
        'base_marketing__engagement_events', 'base_product__usage_events',
        'base_crm__lead_status_changes', 'base_sales__activities', 'base_crm__opportunities',
        'stg_product__usage_events', 'int_lifecycle_events_resolved', 'int_leads_resolved',
        'stg_crm__leads'] -%}
        {%- do ref(name) -%}
    {%- endfor -%}
    {{ return('') }}
{% endmacro %}
