"""Bad input at the landing step: malformed CSV lines, unreadable files, look-alike names.

Malformed lines are planted at known line numbers in a copy of the hand-made fixture padded
to 40,010 lines, so an unterminated quote sits at line 40,001 with lines after it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from lead_funnel.dbt_runner import DbtError, run_dbt
from lead_funnel.summary import summarize
from tests.conftest import FIXTURES, copy_warehouse, query

pytestmark = pytest.mark.slow

STAGING = ["build", "--select", "+staging", "+audit", "--exclude", "test_type:generic"]
PADDING_ROWS = 40_000  # valid events P1..P40000 appended after the fixture's 9 rows
GOOD_ROW = "P{},L1,page_view,2025-02-01 08:05:00,CMP1,/home,{{}},2025-02-01 08:06:00\n"
PLANTED = {
    # line number: (line bytes, rejection detail)
    100: (b"X100,L1,page_view\n", "wrong_field_count"),
    200: (
        b"X200,L1,page_view,2025-02-01 08:05:00,CMP1,/h\xffme,{},2025-02-01 08:06:00\n",
        "invalid_utf8",
    ),
    40_001: (
        b'X40001,L1,form_submit,2025-02-01 08:10:00,CMP1,/c,"{""a"": 1},2025-02-01 08:11:00\n',
        "unterminated_quote",
    ),
}


def _write_events(path: Path, planted: dict[int, tuple[bytes, str]]) -> None:
    """The fixture's events, then PADDING_ROWS valid rows, with planted lines inserted."""
    lines = [line + b"\n" for line in path.read_bytes().splitlines()]
    lines += [GOOD_ROW.format(i).encode() for i in range(1, PADDING_ROWS + 1)]
    for number in sorted(planted):
        lines.insert(number - 1, planted[number][0])
    path.write_bytes(b"".join(lines))


@pytest.fixture(scope="module")
def planted_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    raw = tmp_path_factory.mktemp("planted") / "raw"
    shutil.copytree(FIXTURES / "raw_small", raw)
    _write_events(raw / "engagement_events.csv", PLANTED)
    db = raw.parent / "planted.duckdb"
    run_dbt(STAGING, raw_dir=raw, duckdb_path=db, quiet=True)
    shutil.rmtree(raw)  # everything below must work without the raw files
    return db


def test_malformed_lines_are_quarantined_with_line_and_reason(planted_warehouse: Path) -> None:
    rows = query(
        planted_warehouse,
        "select record_key, rejection_reason, rejection_detail, raw_record, raw_row_count "
        "from audit.audit_quarantined_rows "
        "where rejection_reason = 'malformed_csv_line' order by 1",
    )
    assert rows == [
        (
            "engagement_events.csv:100",
            "malformed_csv_line",
            "wrong_field_count",
            "X100,L1,page_view",
            1,
        ),
        (
            "engagement_events.csv:200",
            "malformed_csv_line",
            "invalid_utf8",
            PLANTED[200][0].decode("latin-1").rstrip("\n"),
            1,
        ),
        (
            "engagement_events.csv:40001",
            "malformed_csv_line",
            "unterminated_quote",
            PLANTED[40_001][0].decode().rstrip("\n"),
            1,
        ),
    ]


def test_every_other_line_is_staged_and_reconciled(planted_warehouse: Path) -> None:
    # Clean fixture: 9 raw rows, 3 staged, 5 quarantined, 1 exact duplicate; every padding row
    # is valid, including those after the unterminated quote.
    rows = query(
        planted_warehouse,
        "select raw_rows, staged_rows, quarantined_rows, exact_duplicates_removed, is_reconciled "
        "from audit.audit_raw_reconciliation where source_table = 'engagement_events'",
    )
    assert rows == [(9 + PADDING_ROWS + 3, 3 + PADDING_ROWS, 5 + 3, 1, True)]
    assert query(
        planted_warehouse,
        "select count(*) from staging.stg_marketing__engagement_events "
        "where event_id in ('P1', 'P39990', 'P39991', 'P40000')",
    ) == [(4,)]


def test_summary_works_after_the_raw_folder_is_deleted(
    planted_warehouse: Path, tmp_path: Path
) -> None:
    text = summarize(
        copy_warehouse(planted_warehouse, tmp_path / planted_warehouse.name), verbose=True
    )
    assert "engagement_events      raw      40,012 = staged      40,003 + quarantined" in text
    assert "malformed_csv_line" in text


def _land(raw: Path, tmp_path: Path) -> str:
    with pytest.raises(DbtError) as excinfo:
        run_dbt(
            ["run", "--select", "base_crm__leads"], raw_dir=raw, duckdb_path=tmp_path / "x.duckdb"
        )
    return str(excinfo.value)


def test_truncated_parquet_names_table_and_file(small_raw_copy: Path, tmp_path: Path) -> None:
    events_csv = small_raw_copy / "engagement_events.csv"
    target = small_raw_copy / "engagement_events.parquet"
    pq.write_table(pa_csv.read_csv(events_csv), target)
    events_csv.unlink()
    target.write_bytes(target.read_bytes()[:-10])
    message = _land(small_raw_copy, tmp_path)
    assert (
        f"raw table engagement_events: file {target} is not a readable Parquet file "
        "(truncated or not Parquet); re-export it or remove it"
    ) in message


def test_csv_named_parquet_and_parquet_named_csv(small_raw_copy: Path, tmp_path: Path) -> None:
    accounts = small_raw_copy / "accounts.csv"
    shutil.move(accounts, small_raw_copy / "accounts.parquet")
    assert "raw table accounts: file" in _land(small_raw_copy, tmp_path)
    (small_raw_copy / "accounts.parquet").unlink()
    leads = small_raw_copy / "leads.csv"
    pq.write_table(pa_csv.read_csv(leads), leads)
    message = _land(small_raw_copy, tmp_path)
    assert f"raw table leads: file {leads} is a Parquet file, not CSV" in message


def test_lookalike_file_name_is_an_error(small_raw_copy: Path, tmp_path: Path) -> None:
    shutil.move(small_raw_copy / "leads.csv", small_raw_copy / "leads_2026-12-01.csv")
    message = _land(small_raw_copy, tmp_path)
    assert (
        "raw table leads: found leads_2026-12-01.csv; expected leads.csv, leads.parquet "
        "or a folder leads/"
    ) in message
