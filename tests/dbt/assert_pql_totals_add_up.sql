-- The PQL report's counts add up on every row: product leads are PQLs or not, and every paid
-- lead is a PQL paid after qualifying, a PQL that paid first, or a lead that never qualified.
select *
from {{ ref('rpt_pql_conversion') }}
where
    product_leads <> pqls + non_pqls
    or paid_leads <> pqls_paid + paid_before_pql + non_pqls_paid
