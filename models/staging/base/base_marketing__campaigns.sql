-- Every distinct raw campaign row, with the reason it cannot be staged.
-- Rows sharing a campaign_id with different values: the first by name is kept.
{%- set raw_columns = var('raw_contract')['campaigns']['required'] %}

with

source as (
    select * from {{ source('marketing', 'campaigns') }}
),

rows_collapsed as (
    {{ lf_collapse_exact_duplicates('source', raw_columns) }}
),

typed as (
    select
        {{ lf_raw_record(raw_columns) }} as raw_record,
        {{ lf_clean_text('campaign_id') }} as campaign_id,
        {{ lf_clean_text('campaign_name') }} as campaign_name,
        lower({{ lf_clean_text('channel') }}) as channel,
        {{ lf_any_missing(['campaign_id', 'channel']) }} as is_missing_required,
        raw_row_count
    from rows_collapsed
),

checked as (
    select
        *,
        case when is_missing_required then 'missing_required_value' end as row_issue
    from typed
),

ranked as (
    select
        *,
        row_number() over (
            partition by campaign_id, case when row_issue is null then 1 else 0 end
            order by raw_record
        ) as id_rank
    from checked
)

select
    *,
    coalesce(
        row_issue,
        case when id_rank > 1 then 'conflicting_duplicate_id' end
    ) as rejection_reason
from ranked
