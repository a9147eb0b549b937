-- One row per surviving lead and scoring model whose behaviour was reset up to the as-of
-- moment, with its latest reset: the segment whose occurrences make up the current score.

with

resets as (
    select * from {{ ref('int_scoring_resets') }}
),

final as (
    select
        lead_id,
        scoring_model,
        max(reset_at) as behavior_reset_at
    from resets
    where reset_at <= {{ lf_score_as_of() }}
    group by lead_id, scoring_model
)

select * from final
