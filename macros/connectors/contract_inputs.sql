{#-
    Where each raw-contract table comes from: the raw files (sources crm, marketing, sales,
    product, landed by land_raw_files) or the adapter models of the connector chosen by vars
    crm_source, marketing_source and spend_source (README, "Reading connector tables").

    An adapter model is named stg_<connector>__<contract table> and yields the contract's
    columns, all as text, so the base models type and quarantine its rows as they do a file's.
    A table the chosen connector does not supply stays on files.
-#}

{#- The source (in models/staging/<area>/_<area>__sources.yml) of each contract table's files. -#}
{% macro lf_contract_file_source(table_name) %}
    {%- set file_sources = {
        'accounts': 'crm',
        'leads': 'crm',
        'lead_status_changes': 'crm',
        'opportunities': 'crm',
        'sales_activities': 'sales',
        'engagement_events': 'marketing',
        'campaigns': 'marketing',
        'marketing_spend': 'marketing',
        'product_usage_events': 'product',
    } -%}
    {%- if table_name not in file_sources -%}
        {{ exceptions.raise_compiler_error('not a raw-contract table: ' ~ table_name) }}
    {%- endif -%}
    {{ return(file_sources[table_name]) }}
{% endmacro %}


{#- var spend_source as a list (it may name one ad connector or several). -#}
{% macro lf_spend_sources() %}
    {%- set chosen = var('spend_source', 'files') -%}
    {%- set chosen = [chosen] if chosen is string else chosen | list -%}
    {%- set known = ['files', 'google_ads', 'linkedin_ads', 'facebook_ads'] -%}
    {%- for name in chosen -%}
        {%- if name not in known -%}
            {{ exceptions.raise_compiler_error(
                "var spend_source: '" ~ name ~ "' is not one of " ~ known | join(', ')) }}
        {%- endif -%}
    {%- endfor -%}
    {%- if 'files' in chosen and chosen | length > 1 -%}
        {{ exceptions.raise_compiler_error(
            'var spend_source: files cannot be combined with ad connectors') }}
    {%- endif -%}
    {{ return(chosen) }}
{% endmacro %}


{#- The connector chosen by var `var_name`, checked against the values it may take. -#}
{% macro lf_chosen_source(var_name, known) %}
    {%- set chosen = var(var_name, 'files') -%}
    {%- if chosen not in known -%}
        {{ exceptions.raise_compiler_error(
            'var ' ~ var_name ~ ": '" ~ chosen ~ "' is not one of " ~ known | join(', ')) }}
    {%- endif -%}
    {{ return(chosen) }}
{% endmacro %}


{#- The connectors chosen by the vars, each once, in a fixed order (empty: files only). -#}
{% macro lf_connector_sources() %}
    {%- set crm = lead_funnel.lf_chosen_source('crm_source', ['files', 'salesforce', 'hubspot']) -%}
    {%- set marketing = lead_funnel.lf_chosen_source(
        'marketing_source', ['files', 'hubspot', 'marketo']) -%}
    {%- set connectors = [] -%}
    {%- for name in [crm, marketing] + lead_funnel.lf_spend_sources() -%}
        {%- if name != 'files' and name not in connectors -%}
            {%- do connectors.append(name) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(connectors) }}
{% endmacro %}


{#- The adapter models feeding contract table `table_name` (empty: it is read from files), and
    whether its files are read as well (lead_status_changes: the CRM's plus Marketo's). -#}
{% macro lf_contract_inputs(table_name) %}
    {%- set crm = lead_funnel.lf_chosen_source('crm_source', ['files', 'salesforce', 'hubspot']) -%}
    {%- set marketing = lead_funnel.lf_chosen_source(
        'marketing_source', ['files', 'hubspot', 'marketo']) -%}
    {%- set crm_tables = ['accounts', 'leads', 'lead_status_changes', 'opportunities', 'sales_activities'] -%}
    {%- set marketing_tables = ['engagement_events', 'campaigns'] -%}
    {%- set models = [] -%}
    {%- set ns = namespace(files=true) -%}
    {%- if table_name in crm_tables and crm != 'files' -%}
        {%- do models.append('stg_' ~ crm ~ '__' ~ table_name) -%}
        {%- set ns.files = false -%}
    {%- endif -%}
    {%- if table_name in marketing_tables and marketing != 'files' -%}
        {%- do models.append('stg_' ~ marketing ~ '__' ~ table_name) -%}
        {%- set ns.files = false -%}
    {%- endif -%}
    {%- if table_name == 'lead_status_changes' and marketing == 'marketo' -%}
        {%- do models.append('stg_marketo__lead_status_changes') -%}
    {%- endif -%}
    {%- if table_name == 'marketing_spend' -%}
        {%- for name in lead_funnel.lf_spend_sources() if name != 'files' -%}
            {%- do models.append('stg_' ~ name ~ '__marketing_spend') -%}
            {%- set ns.files = false -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return({'models': models, 'files': ns.files}) }}
{% endmacro %}


{#- The relation a base model reads contract table `table_name` from: the file source, one
    adapter model, or the union of several (a subquery with the contract's columns). A
    lead-keyed table is read without the rows of erased people (macros/privacy/erasure.sql)
    unless without_erased is false; with no erasure request it is read as it is. -#}
{% macro lf_contract_input(table_name, without_erased=true) %}
    {%- set relation = lead_funnel.lf_contract_input_relation(table_name) -%}
    {#- A unit test gives the model's inputs itself: no erasure there. -#}
    {%- if without_erased and table_name in lead_funnel.lf_erasable_tables()
        and not lead_funnel.lf_in_unit_test() -%}
        {%- set requests = source('privacy', 'erasure_requests') -%}
        {%- if lead_funnel.lf_erasure_request_count() > 0 -%}
            {{ return(lead_funnel.lf_without_erased(relation, table_name ~ '_not_erased')) }}
        {%- endif -%}
    {%- endif -%}
    {{ return(relation) }}
{% endmacro %}


{% macro lf_contract_input_relation(table_name) %}
    {%- set inputs = lead_funnel.lf_contract_inputs(table_name) -%}
    {%- set parts = [] -%}
    {%- if inputs['files'] -%}
        {%- do parts.append(source(lead_funnel.lf_contract_file_source(table_name), table_name)) -%}
    {%- endif -%}
    {%- for model_name in inputs['models'] -%}
        {%- do parts.append(ref(model_name)) -%}
    {%- endfor -%}
    {%- if parts | length == 1 -%}
        {{ return(parts[0]) }}
    {%- endif -%}
    {%- set spec = var('raw_contract')[table_name] -%}
    {%- set columns = spec['required'] + spec['optional'] -%}
    {%- set selects = [] -%}
    {%- for part in parts -%}
        {%- do selects.append('select ' ~ columns | join(', ') ~ ' from ' ~ part) -%}
    {%- endfor -%}
    {{ return('(' ~ selects | join(' union all ') ~ ') as ' ~ table_name ~ '_inputs') }}
{% endmacro %}


{#- The row-outcome models of the chosen connectors (audit_connector_reconciliation). -#}
{% macro lf_connector_outcome_models() %}
    {%- set crm = lead_funnel.lf_chosen_source('crm_source', ['files', 'salesforce', 'hubspot']) -%}
    {%- set marketing = lead_funnel.lf_chosen_source(
        'marketing_source', ['files', 'hubspot', 'marketo']) -%}
    {%- set models = [] -%}
    {%- if crm == 'salesforce' -%}
        {%- do models.append('stg_salesforce__row_outcomes') -%}
    {%- elif crm == 'hubspot' -%}
        {%- do models.append('stg_hubspot__crm_row_outcomes') -%}
    {%- endif -%}
    {%- if marketing == 'hubspot' -%}
        {%- do models.append('stg_hubspot__marketing_row_outcomes') -%}
    {%- elif marketing == 'marketo' -%}
        {%- do models.append('stg_marketo__row_outcomes') -%}
    {%- endif -%}
    {%- for name in lead_funnel.lf_spend_sources() if name != 'files' -%}
        {%- do models.append('stg_' ~ name ~ '__row_outcomes') -%}
    {%- endfor -%}
    {{ return(models) }}
{% endmacro %}
