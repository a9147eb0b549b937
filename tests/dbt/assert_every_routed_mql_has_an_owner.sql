-- Every routed MQL ends with a person: an owner, unless its queue had no active rep that day
-- (routing_status unassigned_no_rep); and an owner always comes with a time zone when the
-- roster lists them.
select
    handoffs.lead_id,
    handoffs.scoring_model,
    handoffs.cycle_number,
    handoffs.routing_status,
    handoffs.owner_id
from {{ ref('int_mql_handoffs_routed') }} as handoffs
where
    (handoffs.owner_id is null and handoffs.routing_status <> 'unassigned_no_rep')
    or (handoffs.owner_id is not null and handoffs.routing_status = 'unassigned_no_rep')
    or (
        handoffs.owner_time_zone is null
        and handoffs.owner_id in (select reps.rep_id from {{ ref('routing_reps') }} as reps)
    )
