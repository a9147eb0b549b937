-- Every distinct raw campaign row with the reason it cannot be staged (null when it can).
-- Rows sharing a campaign_id with different values: the first by raw values is kept.
{%- set raw_columns = var('raw_contract')['campaigns']['required'] %}

with

source as (
    select * from {{ lf_contract_input('campaigns') }}
),

rows_collapsed as (
    {{ lf_collapse_exact_duplicates('source', raw_columns) }}
),

checked as (
    select
        *,
        case
            when {{ lf_any_missing(['campaign_id', 'channel']) }} then 'missing_required_value'
        end as row_issue
    from rows_collapsed
),

ranked as (
    {{ lf_reject_conflicting_duplicates('checked', lf_clean_text('campaign_id'), '1', raw_columns) }}
),

final as (
    select
        {{ lf_clean_text('campaign_id') }} as campaign_id,
        {{ lf_mask_personal_data(lf_clean_text('campaign_name')) }} as campaign_name,
        {{ lf_mask_personal_data('lower(' ~ lf_clean_text('channel') ~ ')') }} as channel,
        raw_row_count,
        rejection_reason,
        case when rejection_reason is not null then {{ lf_raw_record(raw_columns) }} end as raw_record
    from ranked
)

select * from final
