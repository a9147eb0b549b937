-- Raw rows must equal staged + quarantined + removed exact duplicates for every raw table.
select *
from {{ ref('stg_quality__raw_reconciliation') }}
where not is_reconciled
