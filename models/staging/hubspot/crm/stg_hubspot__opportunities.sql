-- HubSpot deals in the shape of the contract's opportunities: one row per deal that is not
-- deleted. Won when the current pipeline stage is listed in seed hubspot_deal_won_stages
-- (closedwon of the default pipeline) or is closed with probability 1; lost when it is another
-- closed stage; open otherwise (no closed_at, is_won empty). A closed deal closed when it
-- entered its current stage (deal_stage), else at property_closedate. Lead: of the deal's
-- contacts that are not deleted, the one created first (then the lowest id); account: the
-- primary company (seed hubspot_association_types), else the lowest company id, of those not
-- deleted. The stage is the stage's label.
{%- set text_type = lf_engine_type('varchar') %}

with

deals as (
    select * from {{ lf_connector_source('hubspot', 'deal') }}
),

pipeline_stages as (
    select * from {{ lf_connector_source('hubspot', 'deal_pipeline_stage') }}
),

deal_stage_entries as (
    select * from {{ lf_connector_source('hubspot', 'deal_stage') }}
),

deal_companies as (
    select * from {{ lf_connector_source('hubspot', 'deal_company') }}
),

deal_contacts as (
    select * from {{ lf_connector_source('hubspot', 'deal_contact') }}
),

companies as (
    select * from {{ lf_connector_source('hubspot', 'company') }}
),

contacts as (
    select * from {{ lf_connector_source('hubspot', 'contact') }}
),

identities as (
    select * from {{ ref('stg_hubspot__contact_identities') }}
),

won_stages as (
    select * from {{ ref('hubspot_deal_won_stages') }}
),

association_types as (
    select * from {{ ref('hubspot_association_types') }}
),

live_deals as (
    select
        {{ lf_clean_text('deal_id') }} as deal_id,
        {{ lf_clean_text('deal_pipeline_id') }} as pipeline_id,
        {{ lf_clean_text('deal_pipeline_stage_id') }} as stage_id,
        {{ lf_clean_text('property_amount') }} as amount,
        {{ lf_clean_text('property_deal_currency_code') }} as currency,
        {{ lf_hubspot_timestamp_text('property_closedate') }} as close_date_text,
        {{ lf_hubspot_timestamp_text('property_createdate') }} as created_at
    from deals
    where not (
        coalesce({{ lf_parse_boolean('_fivetran_deleted') }}, false)
        or coalesce({{ lf_parse_boolean('is_deleted') }}, false)
    )
),

stages as (
    select
        {{ lf_clean_text('pipeline_stages.stage_id') }} as stage_id,
        {{ lf_clean_text('pipeline_stages.pipeline_id') }} as pipeline_id,
        {{ lf_clean_text('pipeline_stages.label') }} as label,
        coalesce(
            {{ lf_parse_boolean('pipeline_stages.is_closed') }},
            {{ lf_parse_boolean('pipeline_stages.closed_won') }},
            false
        ) as is_closed,
        {{ lf_try_cast(lf_clean_text('pipeline_stages.probability'), lf_engine_type('double')) }}
            as probability,
        won_stages.stage_id is not null as is_listed_won
    from pipeline_stages
    left join won_stages
        on
            {{ lf_clean_text('pipeline_stages.pipeline_id') }} = won_stages.pipeline_id
            and {{ lf_clean_text('pipeline_stages.stage_id') }} = won_stages.stage_id
),

-- a stage id is matched in the deal's pipeline first
deal_stages_ranked as (
    select
        live_deals.deal_id,
        stages.label,
        stages.is_closed or stages.is_listed_won as is_closed,
        stages.is_listed_won or (stages.is_closed and stages.probability >= 1) as is_won,
        row_number() over (
            partition by live_deals.deal_id
            order by
                case when stages.pipeline_id = live_deals.pipeline_id then 0 else 1 end asc,
                stages.pipeline_id asc
        ) as stage_rank
    from live_deals
    inner join stages
        on live_deals.stage_id = stages.stage_id
),

current_stages as (
    select * from deal_stages_ranked
    where stage_rank = 1
),

current_stage_entries as (
    select
        live_deals.deal_id,
        max({{ lf_hubspot_timestamp('deal_stage_entries.date_entered') }}) as entered_at
    from live_deals
    inner join deal_stage_entries
        on
            live_deals.deal_id = {{ lf_clean_text('deal_stage_entries.deal_id') }}
            and live_deals.stage_id = {{ lf_clean_text('deal_stage_entries.value') }}
    group by live_deals.deal_id
),

contact_creations as (
    select
        {{ lf_clean_text('id') }} as contact_id,
        min({{ lf_hubspot_timestamp('property_createdate') }}) as created_at
    from contacts
    group by {{ lf_clean_text('id') }}
),

deal_leads_ranked as (
    select
        {{ lf_clean_text('deal_contacts.deal_id') }} as deal_id,
        {{ lf_clean_text('deal_contacts.contact_id') }} as contact_id,
        row_number() over (
            partition by {{ lf_clean_text('deal_contacts.deal_id') }}
            order by
                contact_creations.created_at asc nulls last,
                length({{ lf_clean_text('deal_contacts.contact_id') }}) asc,
                {{ lf_clean_text('deal_contacts.contact_id') }} asc
        ) as lead_rank
    from deal_contacts
    left join identities
        on {{ lf_clean_text('deal_contacts.contact_id') }} = identities.contact_id
    left join contact_creations
        on {{ lf_clean_text('deal_contacts.contact_id') }} = contact_creations.contact_id
    where
        {{ lf_clean_text('deal_contacts.contact_id') }} is not null
        and not coalesce(identities.is_deleted_in_source, false)
),

deleted_companies as (
    select distinct {{ lf_clean_text('id') }} as company_id
    from companies
    where
        coalesce({{ lf_parse_boolean('_fivetran_deleted') }}, false)
        or coalesce({{ lf_parse_boolean('is_deleted') }}, false)
),

deal_accounts_ranked as (
    select
        {{ lf_clean_text('deal_companies.deal_id') }} as deal_id,
        {{ lf_clean_text('deal_companies.company_id') }} as company_id,
        row_number() over (
            partition by {{ lf_clean_text('deal_companies.deal_id') }}
            order by
                case when coalesce(association_types.is_primary, false) then 0 else 1 end asc,
                length({{ lf_clean_text('deal_companies.company_id') }}) asc,
                {{ lf_clean_text('deal_companies.company_id') }} asc
        ) as account_rank
    from deal_companies
    left join association_types
        on
            association_types.association = 'deal_company'
            and {{ lf_clean_text('deal_companies.type_id') }} = association_types.type_id
    left join deleted_companies
        on {{ lf_clean_text('deal_companies.company_id') }} = deleted_companies.company_id
    where
        {{ lf_clean_text('deal_companies.company_id') }} is not null
        and deleted_companies.company_id is null
),

final as (
    select
        cast(live_deals.deal_id as {{ text_type }}) as opportunity_id,
        cast(deal_accounts_ranked.company_id as {{ text_type }}) as account_id,
        cast(deal_leads_ranked.contact_id as {{ text_type }}) as lead_id,
        cast(live_deals.created_at as {{ text_type }}) as created_at,
        cast(coalesce(current_stages.label, live_deals.stage_id) as {{ text_type }}) as stage,
        cast(live_deals.amount as {{ text_type }}) as amount,
        cast(live_deals.currency as {{ text_type }}) as currency,
        cast(
            case
                when current_stages.is_closed
                    then coalesce(
                        cast(
                            {{ dbt.date_trunc('second', 'current_stage_entries.entered_at') }}
                            as {{ text_type }}
                        ),
                        live_deals.close_date_text
                    )
            end
            as {{ text_type }}
        ) as closed_at,
        cast(
            case
                when current_stages.is_won then 'true'
                when current_stages.is_closed then 'false'
            end
            as {{ text_type }}
        ) as is_won
    from live_deals
    left join current_stages
        on live_deals.deal_id = current_stages.deal_id
    left join current_stage_entries
        on live_deals.deal_id = current_stage_entries.deal_id
    left join deal_leads_ranked
        on
            live_deals.deal_id = deal_leads_ranked.deal_id
            and deal_leads_ranked.lead_rank = 1
    left join deal_accounts_ranked
        on
            live_deals.deal_id = deal_accounts_ranked.deal_id
            and deal_accounts_ranked.account_rank = 1
)

select * from final
