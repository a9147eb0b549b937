-- One row per surviving lead, scoring model and MQL cycle: from the MQL moment through first
-- sales touch, acceptance or rejection, recycle, qualification, opportunity and close (the
-- cycle pivot of int_mql_cycles_pivoted). The named stage columns are this mart's contract;
-- stage_entered_at holds the first entry of every cycle stage of seed lifecycle_stages, so a
-- stage added to the seed appears there without a contract change.
{%- set start_stage = lf_stage_with_role('start') %}

with

cycles as (
    select * from {{ ref('int_mql_cycles_pivoted') }}
),

final as (
    select
        mql_cycle_id,
        lead_id,
        scoring_model,
        cycle_number,
        is_inferred_mql,
        marketing_qualified_at,
        mql_trigger,
        mql_trigger_event_id,
        mql_trigger_event_type,
        score_at_mql,
        first_touched_at,
        first_touch_rep_id,
        sales_accepted_at,
        sales_rejected_at,
        rejection_reason,
        recycled_at,
        sales_qualified_at,
        disqualified_at,
        opportunity_id,
        opportunity_created_at,
        closed_won_at,
        closed_lost_at,
        next_cycle_started_at,
        is_contradictory,
        contradiction_reason,
        {%- set stage_moments = [] %}
        {%- for stage in lf_cycle_stages() %}
            {%- if stage['stage'] == start_stage['stage'] %}
                {%- do stage_moments.append([
                    stage['stage'],
                    'case when not is_inferred_mql then ' ~ stage['moment_column'] ~ ' end'
                ]) %}
            {%- else %}
                {%- do stage_moments.append([stage['stage'], stage['moment_column']]) %}
            {%- endif %}
        {%- endfor %}
        {{ lf_text_map(stage_moments) }} as stage_entered_at
    from cycles
)

select * from final
