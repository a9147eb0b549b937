-- One row per surviving lead that became a product-qualified lead: the moment its var
-- pql_min_signals-th PQL signal (seed pql_signal_rules) fired, and that signal. fct_pqls
-- publishes it; var mql_source pql or earliest_incl_pql makes it an MQL candidate.
{{ config(materialized='table') }}

with

signals_fired as (
    select * from {{ ref('int_product_signals_fired') }}
),

final as (
    select
        lead_id,
        fired_at as product_qualified_at,
        signal_id as pql_trigger_signal_id
    from signals_fired
    where fire_rank = {{ var('pql_min_signals') }}
)

select * from final
