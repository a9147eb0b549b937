-- Within a cohort, counts never rise down the funnel: each funnel stage of seed
-- lifecycle_stages counts at most as many as the funnel stage before it (period counts are not
-- cohorts). Read from stage_counts, so a stage added to the seed is checked too.
{%- set funnel = lf_funnel_stages() %}

select *
from {{ ref('rpt_funnel_conversion') }}
where
    view_type <> 'period'
    and (
        {%- for stage in funnel[1:] %}
            {{ lf_map_value('stage_counts', stage['stage'], 'bigint') }}
            > {{ lf_map_value('stage_counts', funnel[loop.index0]['stage'], 'bigint') }}
            or
        {%- endfor %}
        false
    )
