-- Every row of the Marketo activity tables that can be engagement events, one table after
-- the other, with the lead resolved (stg_marketo__lead_identities: merged-away leads' rows on
-- the survivor, the CRM's lead id or 'marketo:<id>'), the campaign resolved to the program of
-- the activity's smart campaign (its linked Salesforce campaign id when set, else the program
-- id) and the text the seed marketo_activity_types matches (page URL, form name).
{%- set activity_tables = {
    'activity_open_email': {},
    'activity_click_email': {'page_url': 'link'},
    'activity_visit_webpage': {'page_url': 'webpage_url', 'match_text': 'webpage_url'},
    'activity_fill_out_form': {'match_text': 'primary_attribute_value', 'properties': 'form_fields'},
    'activity_unsubscribe_email': {},
    'activity_email_bounced': {},
    'activity_email_bounced_soft': {},
    'activity_send_email': {},
    'activity_email_delivered': {},
} %}
{%- set text_type = lf_engine_type('varchar') %}

with

{% for table_name in activity_tables %}
    {{ table_name }} as (
        select * from {{ lf_connector_source('marketo', table_name) }}
    ),

{% endfor %}
smart_campaigns as (
    select * from {{ lf_connector_source('marketo', 'campaign') }}
),

programs as (
    select * from {{ lf_connector_source('marketo', 'program') }}
),

identities as (
    select * from {{ ref('stg_marketo__lead_identities') }}
),

activities_unioned as (
    {%- for table_name, columns in activity_tables.items() %}
        select
            '{{ table_name }}' as activity_table,
            -- every column read in the order, so rows that tie are identical copies
            {%- set order_columns = ['id', 'lead_id', 'activity_date', 'campaign_id', '_fivetran_synced']
                + (columns.values() | unique | sort | list) %}
            row_number() over (order by {{ order_columns | join(', ') }}) as activity_row_number,
            {{ lf_clean_text('id') }} as activity_id,
            {{ lf_clean_text('lead_id') }} as marketo_lead_id,
            {{ lf_clean_text('campaign_id') }} as smart_campaign_id,
            {%- for column_name in ['page_url', 'match_text'] %}
                {%- if column_name in columns %}
                    {{ lf_clean_text(columns[column_name]) }} as {{ column_name }},
                {%- else %}
                    cast(null as {{ text_type }}) as {{ column_name }},
                {%- endif %}
            {%- endfor %}
            {%- if 'properties' in columns %}
                {%- set properties = lf_clean_text(columns['properties']) %}
                -- form fields that are a JSON object become the event's properties
                case
                    when
                        substr({{ properties }}, 1, 1) = '{'
                        and substr({{ properties }}, length({{ properties }}), 1) = '}'
                        then {{ properties }}
                end as properties,
            {%- else %}
                cast(null as {{ text_type }}) as properties,
            {%- endif %}
            activity_date,
            _fivetran_synced
        from {{ table_name }}
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

smart_campaigns_ranked as (
    select
        {{ lf_clean_text('id') }} as smart_campaign_id,
        {{ lf_clean_text('program_id') }} as program_id,
        row_number() over (
            partition by {{ lf_clean_text('id') }}
            order by {{ lf_parse_timestamp('_fivetran_synced') }} desc nulls last, program_id asc
        ) as row_rank
    from smart_campaigns
),

programs_ranked as (
    select
        {{ lf_clean_text('id') }} as program_id,
        {{ lf_clean_text('sfdc_id') }} as sfdc_campaign_id,
        row_number() over (
            partition by {{ lf_clean_text('id') }}
            order by {{ lf_parse_timestamp('_fivetran_synced') }} desc nulls last, sfdc_id asc
        ) as row_rank
    from programs
),

campaign_programs as (
    select
        smart_campaigns_ranked.smart_campaign_id,
        coalesce(programs_ranked.sfdc_campaign_id, smart_campaigns_ranked.program_id) as campaign_id
    from smart_campaigns_ranked
    left join programs_ranked
        on
            smart_campaigns_ranked.program_id = programs_ranked.program_id
            and programs_ranked.row_rank = 1
    where smart_campaigns_ranked.row_rank = 1
),

final as (
    select
        activities_unioned.activity_table,
        activities_unioned.activity_row_number,
        activities_unioned.activity_id,
        activities_unioned.marketo_lead_id,
        coalesce(
            identities.survivor_marketo_lead_id, activities_unioned.marketo_lead_id
        ) as survivor_marketo_lead_id,
        coalesce(
            identities.lead_id,
            {{ dbt.concat(["'marketo:'", 'activities_unioned.marketo_lead_id']) }}
        ) as lead_id,
        campaign_programs.campaign_id,
        activities_unioned.page_url,
        activities_unioned.match_text,
        activities_unioned.properties,
        activities_unioned.activity_date,
        activities_unioned._fivetran_synced,
        coalesce(identities.is_merged_away, false) as is_merged_away,
        coalesce(identities.is_deleted, false) as is_deleted
    from activities_unioned
    left join identities
        on activities_unioned.marketo_lead_id = identities.marketo_lead_id
    left join campaign_programs
        on activities_unioned.smart_campaign_id = campaign_programs.smart_campaign_id
)

select * from final
