-- Every row of stg_marketo__activities with its contract event type (seed
-- marketo_activity_types: the table's lowest-ordered rule whose pattern matches the row's
-- match text) and its outcome: dropped as not_a_contract_event_type (a rule with no event
-- type: sends, deliveries), else as deleted_in_source (the surviving Marketo lead was
-- deleted), else mapped. A row no rule matches is mapped with event type marketo:<table>,
-- which the base model quarantines as unknown_event_type. Moments are UTC text.
{%- set text_type = lf_engine_type('varchar') %}
{%- set occurred = lf_parse_timestamp('activity_date') %}
{%- set synced = lf_parse_timestamp('_fivetran_synced') %}

with

activities as (
    select * from {{ ref('stg_marketo__activities') }}
),

activity_types as (
    select * from {{ ref('marketo_activity_types') }}
),

rules_matched as (
    select
        activities.activity_table,
        activities.activity_row_number,
        activity_types.event_type,
        row_number() over (
            partition by activities.activity_table, activities.activity_row_number
            order by activity_types.rule_order asc
        ) as rule_rank
    from activities
    inner join activity_types
        on
            activities.activity_table = activity_types.activity_table
            and (
                {{ lf_clean_text('activity_types.match_pattern') }} is null
                or lower(activities.match_text) like lower(activity_types.match_pattern)
            )
),

classified as (
    select
        activities.*,
        coalesce(
            rules_matched.event_type,
            case
                when rules_matched.rule_rank is null
                    then {{ dbt.concat(["'marketo:'", 'activities.activity_table']) }}
            end
        ) as event_type
    from activities
    left join rules_matched
        on
            activities.activity_table = rules_matched.activity_table
            and activities.activity_row_number = rules_matched.activity_row_number
            and rules_matched.rule_rank = 1
),

final as (
    select
        activity_table,
        activity_row_number,
        activity_id,
        marketo_lead_id,
        -- activity ids repeat across tables: the event id is prefixed by the table
        cast(
            case
                when activity_id is not null then {{ dbt.concat(['activity_table', "':'", 'activity_id']) }}
            end as {{ text_type }}
        ) as event_id,
        cast(lead_id as {{ text_type }}) as lead_id,
        cast(event_type as {{ text_type }}) as event_type,
        -- unreadable text is passed on as it is, so the base model quarantines it
        cast(
            coalesce(cast({{ occurred }} as {{ text_type }}), activity_date) as {{ text_type }}
        ) as occurred_at,
        cast(campaign_id as {{ text_type }}) as campaign_id,
        cast(page_url as {{ text_type }}) as page_url,
        cast(properties as {{ text_type }}) as properties,
        cast({{ synced }} as {{ text_type }}) as loaded_at,
        is_merged_away,
        case
            when event_type is null or is_deleted then 'dropped' else 'mapped'
        end as outcome,
        case
            when event_type is null then 'not_a_contract_event_type'
            when is_deleted then 'deleted_in_source'
        end as drop_reason
    from classified
)

select * from final
