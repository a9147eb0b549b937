-- One row per accepted account and scoring model: the points of the model's fit rules
-- (seed scoring_fit_rules) that match the account's own attributes.
-- A table: the account engagement and fct_account_scores read it.
{{ config(materialized='table') }}
{%- set account_attributes = ['industry', 'employee_band', 'revenue_band', 'country', 'region'] %}

with

accounts as (
    select * from {{ ref('int_accounts_enriched') }}
),

fit_rules as (
    select * from {{ ref('scoring_fit_rules') }}
),

scoring_models as (
    select * from {{ ref('scoring_models') }}
),

account_attributes as (
    {%- for attribute in account_attributes %}
        select
            account_id,
            '{{ attribute }}' as attribute,
            {{ attribute }} as attribute_value
        from accounts
        where {{ attribute }} is not null
        {{- '\n        union all' if not loop.last }}
    {%- endfor %}
),

matched_points as (
    select
        account_attributes.account_id,
        fit_rules.scoring_model,
        sum(fit_rules.points) as fit_points
    from account_attributes
    inner join fit_rules
        on
            account_attributes.attribute = fit_rules.attribute
            and account_attributes.attribute_value = fit_rules.attribute_value
    group by account_attributes.account_id, fit_rules.scoring_model
),

final as (
    select
        accounts.account_id,
        scoring_models.scoring_model,
        coalesce(matched_points.fit_points, 0) as account_fit_score
    from accounts
    cross join scoring_models
    left join matched_points
        on
            accounts.account_id = matched_points.account_id
            and scoring_models.scoring_model = matched_points.scoring_model
)

select * from final
