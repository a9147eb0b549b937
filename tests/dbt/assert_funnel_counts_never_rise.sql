-- Within a cohort, counts never rise down the funnel (period counts are not cohorts).
select *
from {{ ref('rpt_funnel_conversion') }}
where
    view_type <> 'period'
    and (
        (leads is not null and mqls > leads)
        or sals > mqls
        or sqls > sals
        or opportunities > sqls
        or wins > opportunities
    )
