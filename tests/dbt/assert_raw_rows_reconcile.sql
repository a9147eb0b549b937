-- Raw rows must equal staged + quarantined + removed exact duplicates + erased for every raw table.
select *
from {{ ref('audit_raw_reconciliation') }}
where not is_reconciled
