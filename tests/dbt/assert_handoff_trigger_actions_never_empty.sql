-- Every hand-off says why the lead became an MQL: its trigger actions list at least the
-- action that qualified it.
select
    mql_cycle_id,
    lead_id,
    scoring_model,
    cycle_number
from {{ ref('fct_mql_handoffs') }}
where trigger_actions is null or {{ lf_list_length('trigger_actions') }} = 0
