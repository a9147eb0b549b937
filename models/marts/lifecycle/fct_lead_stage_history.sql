-- One row per surviving lead, scoring model and stage entry (the stages of seed
-- lifecycle_stages: lead, mql, sal, rejected, recycled, sql, disqualified, opportunity, won,
-- lost as shipped), valid until the next entry. The lead stage is entered when the lead is
-- created; every other stage at its moment in the MQL cycle (int_mql_cycles_pivoted).
-- Inferred MQL cycles add no mql entry: the lead never was marketing qualified.
{%- set lead_stage = lf_stage_with_role('lead') %}
{%- set start_stage = lf_stage_with_role('start') %}

with

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

fit_scored as (
    select * from {{ ref('int_lead_fit_scored') }}
),

cycles as (
    select * from {{ ref('int_mql_cycles_pivoted') }}
),

stages as (
    select * from {{ ref('lifecycle_stages') }}
),

lead_entries as (
    select
        fit_scored.lead_id,
        fit_scored.scoring_model,
        cast(null as {{ dbt.type_bigint() }}) as cycle_number,
        '{{ lead_stage["stage"] }}' as stage,
        leads.created_at as valid_from
    from fit_scored
    inner join leads
        on fit_scored.lead_id = leads.lead_id
),

cycle_entries as (
    {%- for stage in lf_cycle_stages() %}
        {%- if stage['stage'] == start_stage['stage'] %}
            {%- set moment = 'case when not is_inferred_mql then ' ~ stage['moment_column'] ~ ' end' %}
        {%- else %}
            {%- set moment = stage['moment_column'] %}
        {%- endif %}
        select
            lead_id,
            scoring_model,
            cycle_number,
            '{{ stage["stage"] }}' as stage,
            {{ moment }} as valid_from
        from cycles
        where {{ moment }} is not null
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

entries as (
    select * from lead_entries
    union all
    select * from cycle_entries
),

ordered as (
    select
        entries.lead_id,
        entries.scoring_model,
        entries.cycle_number,
        entries.stage,
        stages.stage_order,
        entries.valid_from,
        cast(row_number() over (
            partition by entries.lead_id, entries.scoring_model
            order by entries.valid_from asc, stages.stage_order asc, entries.cycle_number asc nulls first
        ) as {{ dbt.type_bigint() }}) as entry_sequence
    from entries
    inner join stages
        on entries.stage = stages.stage
),

final as (
    select
        {{ dbt.hash(dbt.concat([
            "lead_id", "'|'", "scoring_model", "'|'",
            dbt.cast("entry_sequence", api.Column.translate_type("string"))
        ])) }} as lead_stage_id,
        lead_id,
        scoring_model,
        cycle_number,
        stage,
        stage_order,
        entry_sequence,
        valid_from,
        lead(valid_from) over (
            partition by lead_id, scoring_model
            order by entry_sequence asc
        ) as valid_to
    from ordered
)

select
    *,
    valid_to is null as is_current
from final
