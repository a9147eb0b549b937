{#-
    Incremental strategy lf_changed_rows of the per-lead models (lf_lead_incremental_config).
    A run computes every row of the touched leads again (the model's SQL, into dbt's temporary
    relation); most of those rows come out as they were: a lead's new events add rows after its
    earlier ones and leave those as they are. So, within the touched leads' stored rows:
    - a stored row that the new rows no longer hold as it is (an earlier score that a late event
      moved, a lead merged away, a changed rule) is deleted, found by its key (unique_key, the
      row's key within the model);
    - a new row that is not stored as it is, is inserted.
    Rows stay identical or are replaced whole, so the result is the same as deleting and
    inserting every touched lead's rows. It writes only what changed: deleting a quarter of a
    large table's rows at random places makes DuckDB compact (rewrite) the table when the
    transaction commits, which costs about as much as writing it in full.
    In a rebuild in full (lf_incremental_mode 'full') the stored table was emptied before
    (lf_incremental_prepare): every new row is inserted.
-#}
{% macro get_incremental_lf_changed_rows_sql(arg_dict) %}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set temp = arg_dict['temp_relation'] -%}
    {%- set keys = arg_dict['unique_key'] -%}
    {%- if keys is string -%}
        {%- set keys = [keys] -%}
    {%- endif -%}
    {%- set key_list = keys | join(', ') -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set mode = lf_incremental_mode(config.get('lf_state_vars'), lf_as_of_text()) -%}
    {%- set touched_ids = adapter.quote(temp.identifier ~ '__touched') -%}
    {%- set stale_keys = adapter.quote(temp.identifier ~ '__stale') -%}
    {%- set scope = '1 = 1' -%}
    {%- if mode == 'incremental' %}
        create temporary table {{ touched_ids }} as
        {{ lf_touched_leads(config.get('lf_with_accounts')) }};
        {%- set scope = 'lead_id in (select lead_id from ' ~ touched_ids ~ ')' %}
    {%- endif %}

    create temporary table {{ stale_keys }} as
    select {{ key_list }}
    from (
        select {{ columns }} from {{ target }} where {{ scope }}
        except
        select {{ columns }} from {{ temp }}
    ) as lf_stale_rows;

    delete from {{ target }}
    where ({{ key_list }}) in (select {{ key_list }} from {{ stale_keys }});

    {#- what is left of the touched leads' rows is what the new rows hold as it is #}
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ temp }}
    except
    select {{ columns }} from {{ target }} where {{ scope }};

    drop table {{ stale_keys }}
    {%- if mode == 'incremental' %};
        drop table {{ touched_ids }}
    {%- endif %}
{% endmacro %}
