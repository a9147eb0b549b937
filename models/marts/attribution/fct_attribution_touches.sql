-- One row per conversion, attribution model and credited touch. Conversions are the moments
-- of each MQL cycle (fct_mql_cycles): the MQL (not for inferred cycles), the SQL, the
-- opportunity and the won deal. Touches are the lead's engagement events of a campaign whose
-- event type counts (seed attribution_touch_types; visits only from paid channels, var
-- attribution_paid_channels) in the var attribution_lookback_days days up to the conversion.
-- Each model weighs the touches, in time order (ties by event id), then scales the weights to
-- sum to 1: first_touch and last_touch give all to one touch; linear the same to each;
-- u_shaped 40% to the first, 40% to the last, 20% across the rest; w_shaped 30% each to the
-- first, to the last at or before the cycle's MQL moment and to the last, 10% across the rest;
-- time_decay halves a touch's weight every var attribution_half_life_days before the conversion.
-- A touch playing several parts adds their weights; weights of parts no touch is left for are
-- shared by the others through the scaling. A conversion without touches credits 1 to the
-- pseudo-touch '(none)' (touch_event_id null), so every conversion and model adds up to 1.
{%- set stages = [
    ('mql', 'marketing_qualified_at'),
    ('sql', 'sql_reached_at'),
    ('opportunity', 'opportunity_reached_at'),
    ('won', 'closed_won_at'),
] %}
{%- set models = lf_attribution_models() %}
{%- set double = lf_engine_type('double') %}
{%- set half_life = var('attribution_half_life_days') %}

with

cycles as (
    select * from {{ ref('int_mql_cycles_enriched') }}
),

events as (
    select * from {{ ref('int_engagement_events_resolved') }}
),

campaigns as (
    select * from {{ ref('stg_marketing__campaigns') }}
),

touch_types as (
    select * from {{ ref('attribution_touch_types') }}
),

conversions as (
    {%- for stage, moment in stages %}
        select
            {{ dbt.hash(dbt.concat(["mql_cycle_id", "'|" ~ stage ~ "'"])) }} as conversion_id,
            mql_cycle_id,
            lead_id,
            scoring_model,
            '{{ stage }}' as conversion_stage,
            {{ moment }} as converted_at,
            marketing_qualified_at
        from cycles
        where {{ moment }} is not null{{ ' and not is_inferred_mql' if stage == 'mql' }}
        {{ 'union all' if not loop.last }}
    {%- endfor %}
),

touches as (
    select
        events.event_id,
        events.lead_id,
        events.event_type,
        events.occurred_at,
        events.campaign_id,
        campaigns.channel
    from events
    inner join campaigns
        on events.campaign_id = campaigns.campaign_id
    inner join touch_types
        on events.event_type = touch_types.event_type
    where
        touch_types.counts_as_touch
        and (
            not touch_types.paid_channels_only
            or campaigns.channel in ({{ lf_sql_values(var('attribution_paid_channels')) }})
        )
),

conversion_touches as (
    select
        conversions.conversion_id,
        conversions.marketing_qualified_at,
        conversions.converted_at,
        touches.event_id,
        touches.event_type,
        touches.occurred_at,
        touches.campaign_id,
        touches.channel,
        row_number() over (
            partition by conversions.conversion_id
            order by touches.occurred_at asc, touches.event_id asc
        ) as touch_position,
        count(*) over (partition by conversions.conversion_id) as touch_count
    from conversions
    inner join touches
        on
            conversions.lead_id = touches.lead_id
            and conversions.converted_at >= touches.occurred_at
            and {{ dbt.dateadd(
                'day', -1 * var('attribution_lookback_days'), 'conversions.converted_at'
            ) }} < touches.occurred_at
),

positioned as (
    select
        *,
        max(case when occurred_at <= marketing_qualified_at then touch_position end) over (
            partition by conversion_id
        ) as mql_touch_position
    from conversion_touches
),

weighted as (
    {%- for model_name in models %}
        select
            conversion_id,
            '{{ model_name }}' as attribution_model,
            event_id,
            event_type,
            occurred_at,
            campaign_id,
            channel,
            touch_position,
            touch_count,
            cast(
                {%- if model_name == 'first_touch' %}
                    case when touch_position = 1 then 1 else 0 end
                {%- elif model_name == 'last_touch' %}
                    case when touch_position = touch_count then 1 else 0 end
                {%- elif model_name == 'linear' %}
                    1
                {%- elif model_name == 'u_shaped' %}
                    (case when touch_position = 1 then 0.4 else 0 end)
                    + (case when touch_position = touch_count then 0.4 else 0 end)
                    + (case
                        when touch_position > 1 and touch_position < touch_count
                            then 0.2 / (touch_count - 2)
                        else 0
                    end)
                {%- elif model_name == 'w_shaped' %}
                    (case when touch_position = 1 then 0.3 else 0 end)
                    + (case when touch_position = mql_touch_position then 0.3 else 0 end)
                    + (case when touch_position = touch_count then 0.3 else 0 end)
                    + (case
                        when
                            touch_position <> 1 and touch_position <> touch_count
                            and touch_position <> coalesce(mql_touch_position, 0)
                            then 0.1 / (touch_count - 2 - case
                                when
                                    mql_touch_position > 1 and mql_touch_position < touch_count
                                    then 1
                                else 0
                            end)
                        else 0
                    end)
                {%- else %}
                    power(0.5, {{ lf_days_between('occurred_at', 'converted_at') }} / {{ half_life }})
                {%- endif %}
                as {{ double }}
            ) as weight
        from positioned
        {{ 'union all' if not loop.last }}
    {%- endfor %}
),

scaled as (
    select
        *,
        weight / sum(weight) over (partition by conversion_id, attribution_model) as credit
    from weighted
    where weight > 0
),

attribution_models as (
    {%- for model_name in models %}
        select '{{ model_name }}' as attribution_model{{ ' union all' if not loop.last }}
    {%- endfor %}
),

touched as (
    select distinct conversion_id from conversion_touches
),

untouched as (
    select
        conversions.conversion_id,
        attribution_models.attribution_model
    from conversions
    cross join attribution_models
    left join touched
        on conversions.conversion_id = touched.conversion_id
    where touched.conversion_id is null
),

credited as (
    select
        conversion_id,
        attribution_model,
        event_id as touch_event_id,
        event_type as touch_event_type,
        occurred_at as touched_at,
        campaign_id,
        channel,
        touch_position,
        touch_count,
        credit
    from scaled
    union all
    select
        conversion_id,
        attribution_model,
        cast(null as {{ dbt.type_string() }}) as touch_event_id,
        cast(null as {{ dbt.type_string() }}) as touch_event_type,
        cast(null as {{ dbt.type_timestamp() }}) as touched_at,
        cast(null as {{ dbt.type_string() }}) as campaign_id,
        '(none)' as channel,
        0 as touch_position,
        0 as touch_count,
        cast(1 as {{ double }}) as credit
    from untouched
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            "credited.conversion_id", "'|'", "credited.attribution_model", "'|'",
            "coalesce(credited.touch_event_id, '(none)')"
        ])) }} as attribution_touch_id,
        credited.conversion_id,
        conversions.mql_cycle_id,
        conversions.lead_id,
        conversions.scoring_model,
        conversions.conversion_stage,
        conversions.converted_at,
        credited.attribution_model,
        credited.touch_event_id,
        credited.touch_event_type,
        credited.touched_at,
        credited.channel,
        credited.campaign_id,
        cast(credited.touch_position as {{ dbt.type_bigint() }}) as touch_position,
        cast(credited.touch_count as {{ dbt.type_bigint() }}) as touch_count,
        credited.credit
    from credited
    inner join conversions
        on credited.conversion_id = conversions.conversion_id
)

select * from final
