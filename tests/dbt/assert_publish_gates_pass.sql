-- The build may be published: no raw table vanished, shrank beyond var max_shrink_share or
-- had more than var max_quarantined_share of its rows quarantined (audit_publish_gates).
-- On DuckDB the test stops with the gates' messages.
{{ lf_raise_gate_failures(ref('audit_publish_gates')) }}
