-- PQL -> paid conversion per sign-up month and overall, beside the documented range of seed
-- benchmark_ranges (metric pql_to_paid_rate, preferred source). The counts add up: product_leads
-- = pqls + non_pqls, paid_leads = pqls_paid + paid_before_pql + non_pqls_paid.
{%- set benchmark_metric = 'pql_to_paid_rate' %}

with

pqls as (
    select * from {{ ref('fct_pqls') }}
),

benchmarks as (
    select * from {{ ref('benchmark_ranges') }}
),

by_month as (
    select
        'signup_month' as period_type,
        {{ dbt.date_trunc('month', 'coalesce(signed_up_at, first_used_at)') }} as signup_month,
        count(*) as product_leads,
        sum(case when is_pql then 1 else 0 end) as pqls,
        sum(case when is_paid then 1 else 0 end) as paid_leads,
        sum(case when is_paid_after_pql then 1 else 0 end) as pqls_paid,
        sum(case when is_paid and is_pql and not is_paid_after_pql then 1 else 0 end) as paid_before_pql,
        sum(case when is_paid and not is_pql then 1 else 0 end) as non_pqls_paid
    from pqls
    group by {{ dbt.date_trunc('month', 'coalesce(signed_up_at, first_used_at)') }}
),

overall as (
    select
        'all' as period_type,
        cast(null as date) as signup_month,
        count(*) as product_leads,
        sum(case when is_pql then 1 else 0 end) as pqls,
        sum(case when is_paid then 1 else 0 end) as paid_leads,
        sum(case when is_paid_after_pql then 1 else 0 end) as pqls_paid,
        sum(case when is_paid and is_pql and not is_paid_after_pql then 1 else 0 end) as paid_before_pql,
        sum(case when is_paid and not is_pql then 1 else 0 end) as non_pqls_paid
    from pqls
),

unioned as (
    select * from by_month
    union all
    select * from overall
),

benchmark as (
    select
        source_file,
        range_low,
        range_high
    from benchmarks
    where metric = '{{ benchmark_metric }}' and is_preferred
),

rated as (
    select
        unioned.period_type,
        cast(unioned.signup_month as date) as signup_month,
        unioned.product_leads,
        cast(unioned.pqls as {{ dbt.type_bigint() }}) as pqls,
        cast(unioned.paid_leads as {{ dbt.type_bigint() }}) as paid_leads,
        cast(unioned.product_leads - unioned.pqls as {{ dbt.type_bigint() }}) as non_pqls,
        cast(unioned.pqls_paid as {{ dbt.type_bigint() }}) as pqls_paid,
        cast(unioned.paid_before_pql as {{ dbt.type_bigint() }}) as paid_before_pql,
        cast(unioned.non_pqls_paid as {{ dbt.type_bigint() }}) as non_pqls_paid,
        {{ lf_ratio('unioned.pqls', 'unioned.product_leads') }} as pql_rate,
        {{ lf_ratio('unioned.pqls_paid', 'unioned.pqls') }} as pql_to_paid_rate,
        {{ lf_ratio('unioned.non_pqls_paid', '(unioned.product_leads - unioned.pqls)') }}
            as non_pql_to_paid_rate,
        benchmark.range_low as benchmark_low,
        benchmark.range_high as benchmark_high,
        benchmark.source_file as benchmark_source_file
    from unioned
    left join benchmark
        on 1 = 1
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            "period_type", "'|'",
            "coalesce(" ~ dbt.cast("signup_month", api.Column.translate_type("string")) ~ ", 'all')"
        ])) }} as pql_conversion_id,
        *,
        case
            when pql_to_paid_rate is null or benchmark_low is null then 'no_data'
            when pql_to_paid_rate < benchmark_low then 'below'
            when benchmark_high is not null and pql_to_paid_rate > benchmark_high then 'above'
            else 'within'
        end as benchmark_status
    from rated
)

select * from final
