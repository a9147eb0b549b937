-- One row per surviving lead and report slice: the whole population ('all') and the lead's
-- lead source, channel, industry and country, so reports group once for every slice.
{%- set slices = ['lead_source', 'channel', 'industry', 'country'] %}

with

leads as (
    select * from {{ ref('dim_leads') }}
    where is_survivor
),

unioned as (
    select
        lead_id,
        'all' as slice_dimension,
        'all' as slice_value
    from leads
    {%- for slice in slices %}
        union all
        select
            lead_id,
            '{{ slice }}' as slice_dimension,
            coalesce(cast({{ slice }} as {{ dbt.type_string() }}), '(unknown)') as slice_value
        from leads
    {%- endfor %}
)

select * from unioned
