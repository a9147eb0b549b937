"""Helpers the tests share: independent re-computations, generated histories, a browser client,
and the isolation of dbt's and MetricFlow's files from the project (`isolation`)."""
