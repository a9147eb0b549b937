-- The build may be published: no raw table vanished, shrank beyond var max_shrink_share or
-- had more than var max_quarantined_share of its rows quarantined (stg_quality__publish_gates).
-- On DuckDB the test stops with the gates' messages.
{{ lf_raise_gate_failures(ref('stg_quality__publish_gates')) }}
