"""Data-quality checks with Great Expectations: the raw-data input contract and the public marts.

`lead-funnel check` extracts the raw files and the marts to Parquet, validates them with one
Great Expectations checkpoint (pandas datasource: GX's SQL datasource does not work on
DuckDB), prints a summary and builds Data Docs.
"""

from lead_funnel.quality.check import CheckResult, FailedExpectation, run_check

__all__ = ["CheckResult", "FailedExpectation", "run_check"]
