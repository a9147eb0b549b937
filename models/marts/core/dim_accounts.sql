-- One row per accepted account with its size and revenue bands, region and lead counts
-- (int_accounts_enriched, which the models below the marts read).

with

accounts as (
    select * from {{ ref('int_accounts_enriched') }}
),

final as (
    select
        account_id,
        account_name,
        account_domain,
        industry,
        employee_count,
        employee_band,
        annual_revenue,
        revenue_band,
        country,
        region,
        lead_count,
        created_at,
        updated_at
    from accounts
)

select * from final
