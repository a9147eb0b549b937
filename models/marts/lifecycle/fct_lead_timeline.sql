-- Every touch of a surviving lead on one ordered timeline up to score_as_of: marketing
-- engagement events, product usage, sales activities, CRM status changes, opportunities opened and closed.
-- Incremental (by lead_id, only changed rows replaced; see the model's docs): a run recomputes the whole
-- timeline of every surviving lead whose touches may have changed since the last run.
{%- do lf_touched_leads_depends_on() %}
{%- set state_vars = ['merge_max_depth', 'timestamp_floor', 'raw_contract'] %}
{%- set state_tables = ['engagement_events', 'leads', 'lead_status_changes', 'sales_activities',
    'opportunities', 'product_usage_events'] %}
{%- set as_of_text = lf_as_of_text() %}
{{ config(**lf_lead_incremental_config(
    state_vars, state_tables, ['lead_id', 'timeline_touch_id'], false, 'append_new_columns')) }}
{%- set mode = lf_incremental_mode(state_vars, as_of_text) %}

with

engagement_events as (
    select * from {{ ref('int_engagement_events_resolved') }}
),

lifecycle_events as (
    select * from {{ ref('int_lifecycle_events_resolved') }}
),

usage_events as (
    select * from {{ ref('stg_product__usage_events') }}
),

leads_resolved as (
    select * from {{ ref('int_leads_resolved') }}
),

marketing_touches as (
    select
        'marketing' as touch_source,
        event_id as source_record_id,
        lead_id,
        event_type as touch_kind,
        campaign_id as detail,
        cast(null as {{ lf_engine_type('varchar') }}) as actor_id,
        occurred_at
    from engagement_events
),

product_touches as (
    select
        'product' as touch_source,
        usage_events.usage_event_id as source_record_id,
        leads_resolved.survivor_lead_id as lead_id,
        usage_events.event_type as touch_kind,
        cast(null as {{ lf_engine_type('varchar') }}) as detail,
        cast(null as {{ lf_engine_type('varchar') }}) as actor_id,
        usage_events.occurred_at
    from usage_events
    inner join leads_resolved
        on usage_events.lead_id = leads_resolved.lead_id
    where usage_events.occurred_at <= {{ lf_score_as_of() }}
),

sales_touches as (
    select
        case
            when lifecycle_event = 'sales_touch' then 'sales'
            when lifecycle_event = 'opportunity_created' then 'opportunity'
            else 'crm_status'
        end as touch_source,
        lifecycle_event_id as source_record_id,
        lead_id,
        case
            when lifecycle_event = 'sales_touch' then detail
            else lifecycle_event
        end as touch_kind,
        case
            when lifecycle_event = 'sales_touch' then cast(null as {{ lf_engine_type('varchar') }})
            else detail
        end as detail,
        actor_id,
        occurred_at
    from lifecycle_events
),

opportunity_closes as (
    select
        'opportunity' as touch_source,
        lifecycle_event_id as source_record_id,
        lead_id,
        case when is_won then 'opportunity_won' else 'opportunity_lost' end as touch_kind,
        detail,
        actor_id,
        closed_at as occurred_at
    from lifecycle_events
    where lifecycle_event = 'opportunity_created' and closed_at is not null
),

unioned_all as (
    select * from marketing_touches
    union all
    select * from product_touches
    union all
    select * from sales_touches
    union all
    select * from opportunity_closes
),

unioned as (
    select * from unioned_all
    {%- if mode == 'incremental' %}
        where lead_id in ({{ lf_touched_leads() }})
    {%- endif %}
),

-- text columns cast to the contract's type (varchar), so an incremental run's new rows have the stored
-- table's column types on every engine (PostgreSQL types text expressions and type_string as text)
final as (
    select
        cast(
            {{ dbt.hash(dbt.concat(["touch_source", "'|'", "touch_kind", "'|'", "source_record_id"])) }}
            as {{ lf_engine_type('varchar') }}
        ) as timeline_touch_id,
        cast(lead_id as {{ lf_engine_type('varchar') }}) as lead_id,
        cast(row_number() over (
            partition by lead_id
            order by occurred_at asc, touch_source asc, touch_kind asc, source_record_id asc
        ) as {{ dbt.type_bigint() }}) as touch_sequence,
        occurred_at,
        cast(touch_source as {{ lf_engine_type('varchar') }}) as touch_source,
        cast(touch_kind as {{ lf_engine_type('varchar') }}) as touch_kind,
        cast(detail as {{ lf_engine_type('varchar') }}) as detail,
        cast(actor_id as {{ lf_engine_type('varchar') }}) as actor_id,
        cast(source_record_id as {{ lf_engine_type('varchar') }}) as source_record_id
    from unioned
)

select * from final
