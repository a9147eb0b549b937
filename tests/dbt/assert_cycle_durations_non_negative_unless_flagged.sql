-- Stage moments within a cycle follow the MQL moment; a deal closing before its opportunity or
-- first touch is only allowed when the cycle is flagged contradictory.
select *
from {{ ref('fct_mql_cycles') }}
where
    first_touched_at < marketing_qualified_at
    or sales_accepted_at < marketing_qualified_at
    or sales_qualified_at < marketing_qualified_at
    or opportunity_created_at < marketing_qualified_at
    or (
        not is_contradictory
        and (closed_won_at < opportunity_created_at or closed_won_at < first_touched_at)
    )
