-- Every distinct raw engagement-event row, typed, with the reason it cannot be staged (null
-- when it can). Rows sharing an event_id with different values: the earliest occurred_at is kept.
-- Incremental (delete+insert by event_key, see the model's docs): a run recomputes the event
-- keys touched by raw rows loaded since the last run, by leads whose rows changed and by rows
-- quarantined as future that may no longer be.
{%- set raw_columns = var('raw_contract')['engagement_events']['required']
    + var('raw_contract')['engagement_events']['optional'] %}
{%- set state_vars = ['timestamp_floor', 'merge_max_depth', 'raw_contract'] %}
{%- set event_key = lf_coalesce_key(lf_clean_text('event_id'), raw_columns) %}
{{ config(
    materialized=lf_incremental_materialized(),
    incremental_strategy='delete+insert',
    unique_key='event_key',
    on_schema_change='sync_all_columns',
    pre_hook=[
        {'sql': "{{ lf_incremental_clear_before_begin(" ~ state_vars ~ ") }}", 'transaction': false},
        "{{ lf_incremental_prepare(" ~ state_vars ~ ") }}",
    ],
    post_hook=["{{ lf_incremental_record(" ~ state_vars ~ ", ['engagement_events', 'leads'],"
        ~ " 'select cast(max(loaded_at) as varchar) from ' ~ this) }}"],
) }}
{%- set mode = lf_incremental_mode(state_vars) %}

with

{% if mode == 'incremental' %}
    all_source as (
        select * from {{ lf_contract_input('engagement_events') }}
    ),

    {#- The high-water mark as a constant: compared with a subquery, the engines join every raw
        row with it and parse each row's loaded_at once per comparison. #}
    {%- set loaded_through = run_query(
        'select cast(max(loaded_at) as ' ~ dbt.type_string() ~ ') from ' ~ this).rows[0][0] %}
    keyed_source as (
        select
            all_source.*,
            {{ event_key }} as event_key,
            {{ lf_clean_text('lead_id') }} as clean_lead_id,
            {%- if loaded_through is none %}
                false as is_loaded_since
            {%- else %}
                coalesce(
                    {{ lf_parse_timestamp('loaded_at') }}
                    > cast('{{ loaded_through }}' as {{ dbt.type_timestamp() }}),
                    false
                ) as is_loaded_since
            {%- endif %}
        from all_source
    ),

    new_rows as (
        select event_id, lead_id from keyed_source
        where is_loaded_since
        union all
        select event_id, lead_id from ({{ lf_unseen_file_rows('engagement_events', raw_columns) }}) as unseen
    ),

    changed_leads as (
        select {{ lf_clean_text('lead_id') }} as lead_id from new_rows
        union
        select {{ lf_clean_text('lead_id') }} as lead_id
        from ({{ lf_unseen_file_rows('leads', ['lead_id']) }}) as unseen_leads
    ),

    touched_keys as (
        select event_key from keyed_source
        where clean_lead_id in (select lead_id from changed_leads)
        union
        select {{ lf_coalesce_key(lf_clean_text('event_id'), raw_columns) }} from ({{
            lf_unseen_file_rows('engagement_events', raw_columns) }}) as unseen_events
        union
        select event_key from keyed_source
        where is_loaded_since
        union
        select event_key from {{ this }}
        where rejection_reason = 'future_timestamp' and occurred_at <= {{ lf_future_limit() }}
    ),

    source as (
        select {{ raw_columns | join(', ') }}
        from keyed_source
        where event_key in (select event_key from touched_keys)
    ),
{% else %}
    source as (
        select * from {{ lf_contract_input('engagement_events') }}
    ),
{% endif %}

event_types as (
    select * from {{ ref('engagement_event_types') }}
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
        ['event_id', 'lead_id', 'event_type', 'occurred_at'],
        'occurred_at',
        'accepted_leads',
        lookup={
            'relation': 'event_types',
            'raw_column': 'event_type',
            'lookup_column': 'event_type',
            'reason': 'unknown_event_type'
        },
        not_before_lead_created=false
    ) }}
),

ranked as (
    {{ lf_reject_conflicting_duplicates(
        'checked', lf_clean_text('event_id'), 'parsed_moment asc', raw_columns) }}
),

final as (
    select
        {{ event_key }} as event_key,
        {{ lf_clean_text('event_id') }} as event_id,
        {{ lf_clean_text('lead_id') }} as lead_id,
        {{ lf_clean_text('campaign_id') }} as campaign_id,
        lower({{ lf_clean_text('event_type') }}) as event_type,
        {{ lf_mask_personal_data(lf_clean_text('page_url')) }} as page_url,
        {{ lf_mask_personal_data(lf_clean_text('properties')) }} as properties,
        is_moment_date_only as is_date_only,
        parsed_moment as occurred_at,
        {{ lf_parse_timestamp('loaded_at') }} as loaded_at,
        raw_row_count,
        rejection_reason,
        case when rejection_reason is not null then {{ lf_raw_record(raw_columns) }} end as raw_record
    from ranked
)

select * from final
