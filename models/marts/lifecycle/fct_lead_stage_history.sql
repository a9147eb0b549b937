-- One row per surviving lead, scoring model and stage entry (lead, mql, sal, rejected,
-- recycled, sql, disqualified, opportunity, won, lost), valid until the next entry.
-- Inferred MQL cycles add no mql entry: the lead never was marketing qualified.

with

leads as (
    select * from {{ ref('stg_crm__leads') }}
),

fit_scored as (
    select * from {{ ref('int_lead_fit_scored') }}
),

cycles as (
    select * from {{ ref('fct_mql_cycles') }}
),

stages as (
    select * from {{ ref('lifecycle_stages') }}
),

lead_entries as (
    select
        fit_scored.lead_id,
        fit_scored.scoring_model,
        cast(null as {{ dbt.type_int() }}) as cycle_number,
        'lead' as stage,
        leads.created_at as valid_from
    from fit_scored
    inner join leads
        on fit_scored.lead_id = leads.lead_id
),

{%- set cycle_stages = [
    ('mql', 'case when not is_inferred_mql then marketing_qualified_at end'),
    ('sal', 'sales_accepted_at'),
    ('rejected', 'sales_rejected_at'),
    ('recycled', 'recycled_at'),
    ('sql', 'sales_qualified_at'),
    ('disqualified', 'disqualified_at'),
    ('opportunity', 'opportunity_created_at'),
    ('won', 'closed_won_at'),
    ('lost', 'closed_lost_at'),
] %}

cycle_entries as (
    {%- for stage_name, moment in cycle_stages %}
        select
            lead_id,
            scoring_model,
            cycle_number,
            '{{ stage_name }}' as stage,
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
        row_number() over (
            partition by entries.lead_id, entries.scoring_model
            order by entries.valid_from asc, stages.stage_order asc, entries.cycle_number asc nulls first
        ) as entry_sequence
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
