"""The Great Expectations check passes on good data and names what breaks on bad data."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from lead_funnel.cli import main
from lead_funnel.quality import run_check
from tests.conftest import copy_warehouse

pytestmark = pytest.mark.slow

RAW_TABLES = (
    "accounts",
    "leads",
    "engagement_events",
    "sales_activities",
    "lead_status_changes",
    "opportunities",
    "campaigns",
    "marketing_spend",
    "product_usage_events",
)


def test_check_passes_on_good_data_and_builds_data_docs(
    generated_raw: Path, generated_warehouse: Path, tmp_path: Path, capsys
) -> None:
    docs = tmp_path / "docs"
    code = main(
        [
            "check",
            "--raw-dir",
            str(generated_raw),
            "--duckdb-path",
            str(generated_warehouse),
            "--docs-dir",
            str(docs),
            "--verbose",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    verdicts = [line for line in out.splitlines() if line.startswith("Check ")]
    assert len(verdicts) == 1
    assert re.fullmatch(
        r"Check passed( with ([\d,]+ warnings?( and [\d,]+ info)?|[\d,]+ info))?", verdicts[0]
    )
    assert "FAILED" not in out
    assert f"Data Docs: {docs / 'index.html'}" in out
    assert (docs / "index.html").is_file()
    assert any((docs / "validations").rglob("*.html"))
    for table in RAW_TABLES:
        assert f"raw_{table} " in out
    # 20,000 leads make ~800,000 engagement events: validated on a sample, and said so.
    assert "raw engagement_events:" in out and "reproducible sample of 250,000 rows" in out


def _raw_with(generated_raw: Path, target: Path, table: str, sql: str) -> Path:
    """A raw folder linking every good file but `table`, rewritten by `sql` over `raw`."""
    target.mkdir()
    for path in generated_raw.iterdir():
        if path.is_file() and path.suffix == ".csv" and path.stem != table:
            (target / path.name).symlink_to(path)
    source = generated_raw / f"{table}.csv"
    with duckdb.connect() as con:
        con.execute(f"create view raw as select * from read_csv('{source}', all_varchar = true)")
        con.execute(f"copy ({sql}) to '{target / (table + '.csv')}' (header, delimiter ',')")
    return target


BROKEN_RAW = [
    (
        "leads",
        "select * exclude (email) from raw",
        "raw_leads: expect_table_columns_to_match_set",
    ),
    (
        "leads",
        "select * from raw union all select * from raw",
        "raw_profile: expect_column_values_to_be_between(leads__duplicate_key_share)",
    ),
    (
        "engagement_events",
        "select * replace (case when hash(event_id) % 5 = 0 then 'mystery_event'"
        " else event_type end as event_type) from raw",
        "raw_engagement_events: expect_column_values_to_be_in_set(event_type)",
    ),
    (
        "lead_status_changes",
        "select * replace (case when hash(change_id) % 3 = 0 then '2031-01-01 00:00:00'"
        " else changed_at end as changed_at) from raw",
        "raw_lead_status_changes: expect_column_values_to_be_between(changed_at__parsed)",
    ),
    (
        "marketing_spend",
        "select * replace ('-' || amount as amount) from raw",
        "raw_marketing_spend: expect_column_values_to_be_between(amount__number)",
    ),
    (
        "accounts",
        "select * replace (strftime(try_cast(created_at as timestamp), '%d/%m/%Y')"
        " as created_at) from raw",
        "raw_accounts: expect_column_values_to_match_regex(created_at)",
    ),
]


@pytest.mark.parametrize(("table", "sql", "expected"), BROKEN_RAW)
def test_check_fails_on_broken_raw_input(
    generated_raw: Path, tmp_path: Path, table: str, sql: str, expected: str
) -> None:
    raw = _raw_with(generated_raw, tmp_path / "raw", table, sql)
    result = run_check(raw_dir=raw, docs_dir=tmp_path / "docs", scope="raw")
    assert not result.success
    assert expected in {f.label for f in result.critical_failures}, result.summary()
    # Only the broken table fails.
    assert {f.suite for f in result.critical_failures} <= {f"raw_{table}", "raw_profile"}


def test_check_fails_on_broken_marts(generated_warehouse: Path, tmp_path: Path, capsys) -> None:
    db = copy_warehouse(generated_warehouse, tmp_path / "broken.duckdb")
    with duckdb.connect(str(db)) as con:
        con.execute(
            "update marts.rpt_funnel_conversion set sqls = sals + 1, mql_to_sql_rate = 1.5"
            " where view_type = 'mql_cohort' and slice_dimension = 'all'"
        )
    code = main(
        ["check", "--scope", "marts", "--duckdb-path", str(db), "--docs-dir", str(tmp_path / "d")]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "Check FAILED" in out
    assert (
        "mart_funnel_conversion_cohorts: expect_column_pair_values_a_to_be_greater_than_b"
        "(sals>=sqls)" in out
    )
    assert (
        "mart_funnel_conversion_cohorts: expect_column_values_to_be_between(mql_to_sql_rate)" in out
    )


def test_benchmark_ranges_are_warnings_naming_their_source(
    generated_warehouse: Path, tmp_path: Path
) -> None:
    result = run_check(db_path=generated_warehouse, docs_dir=tmp_path / "docs", scope="marts")
    assert result.success
    benchmarks = [s for s in result.suites if s.name == "mart_funnel_benchmarks"][0]
    # One expectation per row of seed benchmark_ranges.
    assert benchmarks.evaluated == 9
    for failure in result.failures:
        if failure.suite == "mart_funnel_benchmarks":
            assert failure.severity in {"warning", "info"}
            assert failure.meta["source_file"].endswith(".txt")
            assert failure.meta["source_name"]
