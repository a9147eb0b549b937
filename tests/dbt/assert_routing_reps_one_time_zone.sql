-- A rep sits in several queues with one time zone: the SLA clock of their hand-offs runs in it.
select
    rep_id,
    count(distinct time_zone) as time_zones
from {{ ref('routing_reps') }}
group by rep_id
having count(distinct time_zone) > 1
