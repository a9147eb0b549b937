-- Every cycle that reached SQL has an MQL moment, real or inferred, at or before it.
select *
from {{ ref('fct_mql_cycles') }}
where
    (sales_qualified_at is not null or opportunity_created_at is not null)
    and (
        marketing_qualified_at is null
        or marketing_qualified_at > coalesce(sales_qualified_at, opportunity_created_at)
    )
