-- The contract's opportunities from Salesforce: one row per opportunity the adapters keep (not
-- deleted). lead_id: the kept lead converted into it (lead.converted_opportunity_id; the
-- earliest converted when several). A closed opportunity's closed_at is the moment of its
-- latest stage change (opportunity_field_history, field StageName) into its current stage,
-- else its close_date ('YYYY-MM-DD', midnight UTC); is_won comes from Salesforce's is_won
-- (set by the stage's definition) and, like closed_at, is empty while the opportunity is open.
-- Every column is text (contract shape).
{%- set text_type = lf_engine_type('varchar') %}
{%- set stage_field = 'stagename' %}

with

opportunities as (
    select * from {{ ref('base_salesforce__opportunities') }}
),

leads as (
    select * from {{ ref('base_salesforce__leads') }}
),

field_history as (
    select * from {{ lf_connector_source('salesforce', 'opportunity_field_history') }}
),

lead_links as (
    select
        converted_opportunity_id as opportunity_id,
        lead_id,
        row_number() over (
            partition by converted_opportunity_id
            order by converted_day_at asc nulls last, created_date_at asc nulls last, lead_id asc
        ) as link_rank
    from leads
    where drop_reason is null and converted_opportunity_id is not null
),

stage_changes as (
    select
        {{ lf_clean_text('id') }} as history_id,
        {{ lf_clean_text('opportunity_id') }} as opportunity_id,
        {{ lf_clean_text('new_value') }} as new_stage,
        {{ dbt.date_trunc('second', lf_parse_timestamp('created_date')) }} as changed_at
    from field_history
    where
        lower({{ lf_clean_text('field') }}) = '{{ stage_field }}'
        and not (
            coalesce({{ lf_parse_boolean('is_deleted') }}, false)
            or coalesce({{ lf_parse_boolean('_fivetran_deleted') }}, false)
        )
),

-- The latest change into each opportunity's current stage (when history has one).
closing_changes as (
    select
        stage_changes.opportunity_id,
        stage_changes.changed_at,
        row_number() over (
            partition by stage_changes.opportunity_id
            order by stage_changes.changed_at desc, stage_changes.history_id desc
        ) as change_rank
    from stage_changes
    inner join opportunities
        on
            stage_changes.opportunity_id = opportunities.opportunity_id
            and lower(stage_changes.new_stage) = lower(trim(opportunities.stage_name))
    where stage_changes.changed_at is not null
),

mapped as (
    select
        cast(opportunities.opportunity_id as {{ text_type }}) as opportunity_id,
        cast(opportunities.account_id as {{ text_type }}) as account_id,
        cast(lead_links.lead_id as {{ text_type }}) as lead_id,
        cast(opportunities.created_date_text as {{ text_type }}) as created_at,
        cast(opportunities.stage_name as {{ text_type }}) as stage,
        cast(opportunities.amount as {{ text_type }}) as amount,
        cast(opportunities.currency as {{ text_type }}) as currency,
        cast(
            case
                when opportunities.is_closed
                    then coalesce(
                        cast(closing_changes.changed_at as {{ text_type }}),
                        opportunities.close_date_text
                    )
            end as {{ text_type }}
        ) as closed_at,
        cast(
            case
                when opportunities.is_closed and opportunities.is_won then 'true'
                when opportunities.is_closed and not opportunities.is_won then 'false'
            end as {{ text_type }}
        ) as is_won
    from opportunities
    left join lead_links
        on
            opportunities.opportunity_id = lead_links.opportunity_id
            and lead_links.link_rank = 1
    left join closing_changes
        on
            opportunities.opportunity_id = closing_changes.opportunity_id
            and closing_changes.change_rank = 1
    where opportunities.drop_reason is null
)

select * from mapped
