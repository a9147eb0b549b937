-- Every conversion credits exactly 1 under every attribution model.
select
    conversion_id,
    attribution_model,
    sum(credit) as credited
from {{ ref('fct_attribution_touches') }}
group by conversion_id, attribution_model
having abs(sum(credit) - 1) > 1e-9
