-- One row per raw table: what this build staged and quarantined (rows and unreadable CSV
-- lines), what the last published build staged (audit.published_table_counts), and
-- gate_failure, the reason this build must not be published (null when it may). Every staged
-- model waits for this model and its test, so a failing gate stops the build before any
-- staged, intermediate or mart model is replaced.
-- Gates: a table with rows in the last published build stages none (var allow_shrink lets it
-- through); more than var max_quarantined_share of a table's rows are quarantined (tables of
-- at least var quarantine_gate_min_rows rows); a table stages fewer than
-- (1 - var max_shrink_share) times its last published rows (allow_shrink lets it through).
-- Rows of erased people (erasure requests) count as staged for the two shrink gates: an
-- erasure is deliberate.
{%- set raw_tables = lf_raw_tables() %}
{%- set allow_shrink = var('allow_shrink') in (true, 'true', 'True', 1, '1') %}
{%- set max_quarantined_share = var('max_quarantined_share') %}
{%- set max_shrink_share = var('max_shrink_share') %}

with

rejected_lines as (
    select * from {{ source('landing', 'raw_rejected_lines') }}
),

published_counts as (
    select * from {{ lf_publish_state_relation() }}
),

{% for raw_table in raw_tables %}
    {{ raw_table.name }}_rows as (
        select
            '{{ raw_table.name }}' as source_table,
            count(case when rejection_reason is null then 1 end) as staged_rows,
            count(case when rejection_reason is not null then 1 end) as quarantined_rows,
            {{ lf_erased_row_count(raw_table.name) }} as erased_rows
        from {{ ref(raw_table.base_model) }}
    ),

{% endfor %}
this_build as (
    {% for raw_table in raw_tables %}
        select * from {{ raw_table.name }}_rows
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

rejected_line_counts as (
    select
        source_table,
        count(*) as rejected_lines
    from rejected_lines
    group by source_table
),

last_published as (
    select
        source_table,
        staged_rows,
        row_number() over (
            partition by source_table
            order by build_number desc
        ) as publish_rank
    from published_counts
),

compared as (
    select
        this_build.source_table,
        this_build.staged_rows,
        this_build.erased_rows,
        this_build.quarantined_rows + coalesce(rejected_line_counts.rejected_lines, 0) as quarantined_rows,
        last_published.staged_rows as last_published_rows
    from this_build
    left join rejected_line_counts
        on this_build.source_table = rejected_line_counts.source_table
    left join last_published
        on
            this_build.source_table = last_published.source_table
            and last_published.publish_rank = 1
),

measured as (
    select
        source_table,
        staged_rows,
        erased_rows,
        quarantined_rows,
        case
            when staged_rows + quarantined_rows > 0
                then quarantined_rows * 1.0 / (staged_rows + quarantined_rows)
        end as quarantined_share,
        last_published_rows,
        cast(staged_rows as {{ dbt.type_string() }}) as staged_text,
        cast(staged_rows + quarantined_rows as {{ dbt.type_string() }}) as total_text,
        cast(quarantined_rows as {{ dbt.type_string() }}) as quarantined_text,
        cast(last_published_rows as {{ dbt.type_string() }}) as published_text
    from compared
),

gated as (
    select
        source_table,
        staged_rows,
        quarantined_rows,
        quarantined_share,
        last_published_rows,
        case
            {%- if not allow_shrink %}
                when staged_rows + erased_rows = 0 and last_published_rows > 0
                    then
                        'raw table ' || source_table || ': no rows staged, the last published build had '
                        || published_text || ' (a missing or empty export?); restore the file, or publish'
                        || ' anyway with lead-funnel build --allow-shrink (var allow_shrink: true)'
            {%- endif %}
            when
                quarantined_share > {{ max_quarantined_share }}
                and staged_rows + quarantined_rows >= {{ var('quarantine_gate_min_rows') }}
                then
                    'raw table ' || source_table || ': ' || quarantined_text || ' of ' || total_text
                    || ' rows quarantined, more than var max_quarantined_share ({{ max_quarantined_share }});'
                    || ' see audit_quarantined_rows, fix the export, or raise max_quarantined_share'
            {%- if not allow_shrink %}
                when staged_rows + erased_rows < (1.0 - {{ max_shrink_share }}) * last_published_rows
                    then
                        'raw table ' || source_table || ': ' || staged_text
                        || ' rows staged, the last published build had ' || published_text
                        || ', a shrink of more than var max_shrink_share ({{ max_shrink_share }});'
                        || ' publish a deliberate reload with lead-funnel build --allow-shrink'
                        || ' (var allow_shrink: true)'
            {%- endif %}
        end as gate_failure
    from measured
)

select * from gated
