-- HubSpot email campaigns in the shape of the contract's campaigns: one row per email_campaign
-- row, channel email (the connector has no other campaigns and no channel column).
{%- set text_type = lf_engine_type('varchar') %}
{%- set channel = 'email' %}

with

email_campaigns as (
    select * from {{ lf_connector_source('hubspot', 'email_campaign') }}
),

final as (
    select
        cast({{ lf_clean_text('id') }} as {{ text_type }}) as campaign_id,
        cast({{ lf_clean_text(adapter.quote('name')) }} as {{ text_type }}) as campaign_name,
        cast('{{ channel }}' as {{ text_type }}) as channel
    from email_campaigns
)

select * from final
