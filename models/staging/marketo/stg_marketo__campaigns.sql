-- Marketo programs as the contract's campaigns, all text: the id is the program's linked
-- Salesforce campaign (sfdc_id, the CRM's own id) when set, else the program id; the channel
-- is the program channel through seed marketo_program_channels (unlisted channels lower-cased
-- as they are). Programs deleted in Marketo (_fivetran_deleted) are dropped.
{%- set text_type = lf_engine_type('varchar') %}

with

programs as (
    select * from {{ lf_connector_source('marketo', 'program') }}
),

program_channels as (
    select * from {{ ref('marketo_program_channels') }}
),

live_programs as (
    select *
    from programs
    where not coalesce({{ lf_parse_boolean('_fivetran_deleted') }}, false)
),

final as (
    select
        cast(
            coalesce({{ lf_clean_text('live_programs.sfdc_id') }}, {{ lf_clean_text('live_programs.id') }})
            as {{ text_type }}
        ) as campaign_id,
        cast({{ lf_clean_text('live_programs.name') }} as {{ text_type }}) as campaign_name,
        cast(
            coalesce(program_channels.channel, lower({{ lf_clean_text('live_programs.channel') }}))
            as {{ text_type }}
        ) as channel
    from live_programs
    left join program_channels
        on lower({{ lf_clean_text('live_programs.channel') }}) = lower(trim(program_channels.program_channel))
)

select * from final
