-- One row per surviving lead with product usage: its PQL signals (seed pql_signal_rules), the
-- PQL moment (var pql_min_signals signals fired) and its paid upgrade, as of score_as_of. The
-- sign-up and paid event types are those flagged in seed product_usage_event_types.

with

usage_events as (
    select * from {{ ref('stg_product__usage_events') }}
),

leads_resolved as (
    select * from {{ ref('int_leads_resolved') }}
),

signals_fired as (
    select * from {{ ref('int_product_signals_fired') }}
),

leads as (
    select * from {{ ref('dim_leads') }}
),

event_types as (
    select * from {{ ref('product_usage_event_types') }}
),

product_leads as (
    select
        leads_resolved.survivor_lead_id as lead_id,
        min(case when event_types.is_signup then usage_events.occurred_at end) as signed_up_at,
        min(case when event_types.is_paid_conversion then usage_events.occurred_at end) as paid_at,
        min(usage_events.occurred_at) as first_used_at,
        count(*) as usage_event_count
    from usage_events
    inner join leads_resolved
        on usage_events.lead_id = leads_resolved.lead_id
    left join event_types
        on usage_events.event_type = event_types.event_type
    where usage_events.occurred_at <= {{ lf_score_as_of() }}
    group by leads_resolved.survivor_lead_id
),

pql_moments as (
    select * from {{ ref('int_lead_pql_moments') }}
),

signal_lists as (
    select
        signals_fired.lead_id,
        count(*) as signal_count,
        {{ lf_ordered_list('signals_fired.signal_id', 'signals_fired.fired_at, signals_fired.signal_id') }}
            as signals_fired,
        {{ lf_ordered_list(
            'signals_fired.signal_id',
            'signals_fired.fired_at, signals_fired.signal_id',
            where='signals_fired.fire_rank <= ' ~ var('pql_min_signals')
        ) }} as signals_at_pql
    from signals_fired
    group by signals_fired.lead_id
),

final as (
    select
        product_leads.lead_id,
        leads.account_id,
        leads.email_domain,
        product_leads.signed_up_at,
        product_leads.first_used_at,
        product_leads.usage_event_count,
        coalesce(signal_lists.signal_count, 0) as signal_count,
        coalesce(signal_lists.signals_fired, {{ lf_empty_list() }}) as signals_fired,
        pql_moments.product_qualified_at is not null as is_pql,
        pql_moments.product_qualified_at,
        case
            when pql_moments.product_qualified_at is not null then signal_lists.signals_at_pql
            else {{ lf_empty_list() }}
        end as pql_signals,
        product_leads.paid_at,
        product_leads.paid_at is not null as is_paid,
        coalesce(product_leads.paid_at >= pql_moments.product_qualified_at, false) as is_paid_after_pql,
        case
            when product_leads.paid_at >= pql_moments.product_qualified_at
                then {{ lf_days_between('pql_moments.product_qualified_at', 'product_leads.paid_at') }}
        end as days_pql_to_paid
    from product_leads
    left join leads
        on product_leads.lead_id = leads.lead_id
    left join signal_lists
        on product_leads.lead_id = signal_lists.lead_id
    left join pql_moments
        on product_leads.lead_id = pql_moments.lead_id
)

select * from final
