{#- Raw rows with identical values in every contract column collapse into one row;
    raw_row_count keeps how many copies there were, so no row is lost from the count. -#}
{% macro lf_collapse_exact_duplicates(relation, columns) -%}
    select
        {%- for column_name in columns %}
        {{ column_name }},
        {%- endfor %}
        count(*) as raw_row_count
    from {{ relation }}
    group by
        {%- for column_name in columns %}
        {{ column_name }}{{ ',' if not loop.last }}
        {%- endfor %}
{%- endmacro %}


{#- True when any of the given text columns is null or blank. -#}
{% macro lf_any_missing(columns) -%}
    ({%- for column_name in columns -%}
        {{ lf_clean_text(column_name) }} is null{{ ' or ' if not loop.last }}
    {%- endfor -%})
{%- endmacro %}


{#- One readable text of a raw row, e.g. "event_id=E1 | lead_id=L9 | ...", for quarantine. -#}
{% macro lf_raw_record(columns) -%}
    {%- set parts = [] -%}
    {%- for column_name in columns -%}
        {%- do parts.append("'" ~ column_name ~ "='") -%}
        {%- do parts.append("coalesce(" ~ column_name ~ ", '')") -%}
        {%- if not loop.last -%}{%- do parts.append("' | '") -%}{%- endif -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}


{#- Ids of accepted leads with their created_at, for checking that rows of other tables point
    at a known lead and do not lie before it was created. -#}
{% macro lf_accepted_lead_ids() -%}
    select distinct lead_id, created_at
    from {{ ref('base_crm__leads') }}
    where rejection_reason is null
{%- endmacro %}


{#- The rows of `relation` with their rejection_reason: the row's own issue (column row_issue),
    else 'conflicting_duplicate_id' for every row but the first among the issue-free rows that
    share `key_expression`, first by `order_by` and then by the raw text of `raw_columns`. -#}
{% macro lf_reject_conflicting_duplicates(relation, key_expression, order_by, raw_columns) -%}
    select
        *,
        coalesce(
            row_issue,
            case
                when row_number() over (
                    partition by {{ key_expression }}, case when row_issue is null then 1 else 0 end
                    order by {{ order_by }}
                    {%- for column_name in raw_columns -%}
                        , {{ column_name }} asc nulls last
                    {%- endfor %}
                ) > 1
                    then 'conflicting_duplicate_id'
            end
        ) as rejection_reason
    from {{ relation }}
{%- endmacro %}


{#- The rows of `rows_relation` (raw text columns of a table whose rows belong to a lead) with
    parsed_moment (the `moment_column` read by lf_parse_timestamp, in UTC), is_moment_date_only
    (the moment was given as a date only, staged as midnight UTC) and row_issue: the first of
    missing_required_value, unreadable_timestamp, implausible_timestamp (before var
    timestamp_floor or, with `not_before_lead_created`, before the lead's created_at),
    future_timestamp, the lookup's reason when the value is not in the lookup seed (e.g.
    unknown_event_type), unknown_lead; null when the row is fine. `lookup` is a dict with
    relation, raw_column, lookup_column and reason. -#}
{% macro lf_lead_row_issues(
    rows_relation, required_columns, moment_column, accepted_leads,
    lookup=none, not_before_lead_created=true
) -%}
    {%- set moment_text = rows_relation ~ '.' ~ moment_column -%}
    {%- set parsed = lf_parse_timestamp(moment_text) -%}
    {%- set qualified_required = [] -%}
    {%- for column_name in required_columns -%}
        {%- do qualified_required.append(rows_relation ~ '.' ~ column_name) -%}
    {%- endfor -%}
    select
        {{ rows_relation }}.*,
        {{ parsed }} as parsed_moment,
        {{ lf_is_date_only(moment_text) }} as is_moment_date_only,
        case
            when {{ lf_any_missing(qualified_required) }} then 'missing_required_value'
            when {{ parsed }} is null then 'unreadable_timestamp'
            when {{ parsed }} < {{ lf_timestamp_floor() }} then 'implausible_timestamp'
            {%- if not_before_lead_created %}
                when {{ parsed }} < {{ accepted_leads }}.created_at then 'implausible_timestamp'
            {%- endif %}
            when {{ parsed }} > {{ lf_future_limit() }} then 'future_timestamp'
            {%- if lookup is not none %}
                when {{ lookup['relation'] }}.{{ lookup['lookup_column'] }} is null then '{{ lookup['reason'] }}'
            {%- endif %}
            when {{ accepted_leads }}.lead_id is null then 'unknown_lead'
        end as row_issue
    from {{ rows_relation }}
    {%- if lookup is not none %}
        left join {{ lookup['relation'] }}
            on lower({{ lf_clean_text(rows_relation ~ '.' ~ lookup['raw_column']) }})
            = {{ lookup['relation'] }}.{{ lookup['lookup_column'] }}
    {%- endif %}
    left join {{ accepted_leads }}
        on {{ lf_clean_text(rows_relation ~ '.lead_id') }} = {{ accepted_leads }}.lead_id
{%- endmacro %}


{#- Every row of `relation` (columns lead_id, merged_into_lead_id) followed through up to `hops`
    merges without recursion: hop 0 is the row itself, hop n the row that hop n - 1 is merged
    into (a left join on hop_<n-1>.merged_into_lead_id = hop_<n>.lead_id, so both are null past
    the end of the chain). Columns: hop_<n>_lead_id and hop_<n>_merged_into_lead_id for n in
    0..hops, then lead_id. base_crm__leads walks the links to find cycles and too-deep chains,
    int_leads_resolved walks the staged leads to their survivors. -#}
{% macro lf_walk_merge_chains(relation, hops) -%}
    {{ return(adapter.dispatch('lf_walk_merge_chains', 'lead_funnel')(relation, hops)) }}
{%- endmacro %}

{% macro default__lf_walk_merge_chains(relation, hops) -%}
    select
        {%- for hop in range(hops + 1) %}
            hop_{{ hop }}.lead_id as hop_{{ hop }}_lead_id,
            hop_{{ hop }}.merged_into_lead_id as hop_{{ hop }}_merged_into_lead_id,
        {%- endfor %}
        hop_0.lead_id
    from
        {{ relation }} as hop_0
        {%- for hop in range(1, hops + 1) %}
        left join {{ relation }} as hop_{{ hop }}
            on
                hop_{{ hop - 1 }}.merged_into_lead_id = hop_{{ hop }}.lead_id
            {%- endfor %}
{%- endmacro %}


{#- Spark inlines every reference to a common table expression, so the unrolled self-joins
    above would plan `relation`, and everything it is built from, once per hop (and a walk of
    a walk multiplies that). Here `relation` is read twice: once for its rows (hop 0) and once
    for a map of every lead_id to its merged_into_lead_id, which the hops look up. A hop's
    lead_id is set when the previous hop's merged_into_lead_id is a lead_id of `relation`, as
    the left joins do; rows without a lead_id can never be joined to and stay out of the map.
    lead_id must be unique in `relation` (a repeated one stops the build: Spark refuses
    duplicate map keys). -#}
{% macro spark__lf_walk_merge_chains(relation, hops) -%}
    {%- set merged = ['hop_0.merged_into_lead_id'] -%}
    {%- for hop in range(1, hops + 1) -%}
        {%- do merged.append('element_at(merge_map.merges, ' ~ merged[hop - 1] ~ ')') -%}
    {%- endfor -%}
    select
        hop_0.lead_id as hop_0_lead_id,
        hop_0.merged_into_lead_id as hop_0_merged_into_lead_id,
        {%- for hop in range(1, hops + 1) %}
            case
                when map_contains_key(merge_map.merges, {{ merged[hop - 1] }}) then {{ merged[hop - 1] }}
            end as hop_{{ hop }}_lead_id,
            {{ merged[hop] }} as hop_{{ hop }}_merged_into_lead_id,
        {%- endfor %}
        hop_0.lead_id
    from
        {{ relation }} as hop_0
        cross join (
            select map_from_entries(collect_list(struct(lead_id, merged_into_lead_id))) as merges
            from {{ relation }}
            where lead_id is not null
        ) as merge_map
{%- endmacro %}
