-- MQL counts and MQL->SQL by scoring model and MQL month, to compare rule sets side by side
-- (compile with `dbt compile --select mql_counts_by_scoring_model` and run the SQL in target/).
with

conversion as (
    select * from {{ ref('rpt_funnel_conversion') }}
)

select
    period_month,
    scoring_model,
    mqls,
    sqls,
    mql_to_sql_rate
from conversion
where view_type = 'mql_cohort' and slice_dimension = 'all'
order by period_month, scoring_model
