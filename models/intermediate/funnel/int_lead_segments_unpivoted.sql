-- One row per surviving lead and report slice of seed funnel_slice_dimensions: the whole
-- population ('all', no source column) and, for every other slice, the lead's value of the
-- slice's source_column in int_leads_enriched, so reports group once for every slice. The seed
-- is read when the model compiles (the ref builds it first) and joined again when it runs, so
-- a slice row added to the seed slices the reports without editing this model.
-- A table, not a view: its data tests and the models reading it would each compute it again.
{{ config(materialized='table') }}
{%- set slice_rows = lf_rows_if_built(
    ref('funnel_slice_dimensions'), 'slice_dimension, source_column', 'slice_dimension') %}
{#- Compiled without a built seed (parse, lint): the whole population only. #}
{%- set slices = slice_rows if slice_rows else [('all', none)] %}

with

leads as (
    select * from {{ ref('int_leads_enriched') }}
    where is_survivor
),

slice_dimensions as (
    select * from {{ ref('funnel_slice_dimensions') }}
),

unioned as (
    {%- for slice_dimension, source_column in slices %}
        select
            lead_id,
            '{{ slice_dimension }}' as slice_dimension,
            {%- if source_column %}
                coalesce(cast({{ source_column }} as {{ dbt.type_string() }}), '(unknown)') as slice_value
            {%- else %}
                'all' as slice_value
            {%- endif %}
        from leads
        {{- '\n        union all' if not loop.last }}
    {%- endfor %}
),

final as (
    select
        unioned.lead_id,
        unioned.slice_dimension,
        unioned.slice_value
    from unioned
    inner join slice_dimensions
        on unioned.slice_dimension = slice_dimensions.slice_dimension
)

select * from final
