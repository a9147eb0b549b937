{#- The raw tables of the contract (var raw_contract), in its order, each as a dict: name, the
    base model that types and classifies its rows (base_model), the staged model that keeps
    the accepted ones (staged_model) and the base model's column that names a row in
    audit_quarantined_rows (record_key). The audit models loop over it, so a table added to the
    contract is quarantined, reconciled and gated without editing them. -#}
{% macro lf_raw_tables() %}
    {%- set tables = [] -%}
    {%- for table_name, spec in var('raw_contract').items() -%}
        {%- for key in ['base_model', 'staged_model', 'record_key'] -%}
            {%- if not spec.get(key) -%}
                {{ exceptions.raise_compiler_error(
                    'var raw_contract: table ' ~ table_name ~ ' lacks ' ~ key) }}
            {%- endif -%}
        {%- endfor -%}
        {%- do tables.append({
            'name': table_name,
            'base_model': spec['base_model'],
            'staged_model': spec['staged_model'],
            'record_key': spec['record_key'],
        }) -%}
    {%- endfor -%}
    {{ return(tables) }}
{% endmacro %}
