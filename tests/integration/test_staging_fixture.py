"""Staging on a hand-made raw fixture: every expected quarantine, repair and count, by hand.

The fixture (tests/fixtures/raw_small) holds one row per kind of defect; the expected values
below were worked out by reading those files, not by running the models.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest

from lead_funnel.dbt_runner import DbtError
from tests.conftest import build_warehouse, query

pytestmark = pytest.mark.slow

EXPECTED_QUARANTINE = {
    ("accounts", "A1", "conflicting_duplicate_id"),  # older updated_at of two A1 rows
    ("accounts", "A3", "invalid_number"),  # employee_count "lots"
    ("leads", "L4", "unreadable_timestamp"),  # created_at "not a date"
    ("engagement_events", "E2", "conflicting_duplicate_id"),  # later copy, other payload
    ("engagement_events", "E3", "unknown_lead"),  # lead L9 does not exist
    ("engagement_events", "E4", "unknown_event_type"),  # tweet_like
    ("engagement_events", "E5", "unreadable_timestamp"),  # 31/02/2025
    ("engagement_events", "E6", "future_timestamp"),  # 2099
    ("lead_status_changes", "C3", "unknown_status"),  # on_hold
    ("opportunities", "O2", "negative_amount"),  # -5
    ("marketing_spend", "CMP1", "negative_amount"),  # -20.00
}

# table: (raw, staged, quarantined, exact duplicates removed)
EXPECTED_COUNTS = {
    "accounts": (4, 2, 2, 0),
    "leads": (4, 3, 1, 0),
    "engagement_events": (9, 3, 5, 1),
    "sales_activities": (1, 1, 0, 0),
    "lead_status_changes": (3, 2, 1, 0),
    "opportunities": (2, 1, 1, 0),
    "campaigns": (2, 2, 0, 0),
    "marketing_spend": (3, 1, 1, 1),
    "product_usage_events": (0, 0, 0, 0),
}


def test_every_defect_is_quarantined_with_its_reason(small_warehouse: Path) -> None:
    rows = query(
        small_warehouse,
        "select source_table, record_key, rejection_reason from audit.audit_quarantined_rows",
    )
    assert set(rows) == EXPECTED_QUARANTINE
    assert len(rows) == len(EXPECTED_QUARANTINE)


def test_raw_rows_reconcile_per_table(small_warehouse: Path) -> None:
    rows = query(
        small_warehouse,
        """select source_table, raw_rows, staged_rows, quarantined_rows, exact_duplicates_removed
           from audit.audit_raw_reconciliation""",
    )
    assert {r[0]: tuple(int(v) for v in r[1:]) for r in rows} == EXPECTED_COUNTS


def test_emails_are_repaired_and_free_mail_flagged(small_warehouse: Path) -> None:
    rows = query(
        small_warehouse,
        """select lead_id, email, email_domain, is_free_mail, is_merged, was_email_repaired, country
           from staging.stg_crm__leads order by lead_id""",
    )
    assert rows == [
        ("L1", "jane.doe@acme.com", "acme.com", False, False, True, "US"),
        ("L2", "hans@gmail.com", "gmail.com", True, False, False, "DE"),
        ("L3", "jane.doe@acme.com", "acme.com", False, True, False, "US"),
    ]


def test_conflicting_copies_keep_the_right_version(small_warehouse: Path) -> None:
    event = query(
        small_warehouse,
        "select page_url, cast(occurred_at as varchar) "
        "from staging.stg_marketing__engagement_events where event_id = 'E2'",
    )
    assert event == [("/contact", "2025-02-01 08:10:00")]
    account = query(
        small_warehouse,
        "select employee_count from staging.stg_crm__accounts where account_id = 'A1'",
    )
    assert account == [(250,)]  # the row updated 2025-03-01 wins over 2025-02-01


def test_late_arriving_event_is_kept(small_warehouse: Path) -> None:
    rows = query(
        small_warehouse,
        "select cast(loaded_at as varchar) from staging.stg_marketing__engagement_events "
        "where event_id = 'E7'",
    )
    assert rows == [("2025-02-20 10:00:00",)]


def test_missing_required_column_names_file_and_column(
    small_raw_copy: Path, tmp_path: Path
) -> None:
    leads = small_raw_copy / "leads.csv"
    lines = leads.read_text().splitlines()
    header = lines[0].split(",")
    drop = header.index("email")
    kept = [",".join(f for i, f in enumerate(line.split(",")) if i != drop) for line in lines]
    leads.write_text("\n".join(kept) + "\n")
    with pytest.raises(DbtError) as excinfo:
        build_warehouse(small_raw_copy, tmp_path / "broken.duckdb")
    message = str(excinfo.value)
    assert "leads.csv" in message
    assert "'email'" in message


def test_missing_and_header_only_tables_build_empty(small_raw_copy: Path, tmp_path: Path) -> None:
    (small_raw_copy / "sales_activities.csv").unlink()
    (small_raw_copy / "marketing_spend.csv").unlink()
    (small_raw_copy / "opportunities.csv").write_text(
        "opportunity_id,account_id,lead_id,created_at,stage,amount,closed_at,is_won\n"
    )
    db = build_warehouse(small_raw_copy, tmp_path / "partial.duckdb")
    for model in (
        "stg_sales__activities",
        "stg_marketing__marketing_spend",
        "stg_crm__opportunities",
    ):
        assert query(db, f"select count(*) from staging.{model}") == [(0,)]
    assert query(db, "select count(*) from staging.stg_crm__leads") == [(3,)]


def test_parquet_files_and_folders_are_read(small_raw_copy: Path, tmp_path: Path) -> None:
    events_csv = small_raw_copy / "engagement_events.csv"
    folder = small_raw_copy / "engagement_events"
    folder.mkdir()
    convert = pa_csv.ConvertOptions(
        column_types={name: "string" for name in pa_csv.read_csv(events_csv).column_names}
    )
    table = pa_csv.read_csv(events_csv, convert_options=convert)
    pq.write_table(table.slice(0, 4), folder / "part-0.parquet")
    pq.write_table(table.slice(4), folder / "part-1.parquet")
    events_csv.unlink()
    accounts_csv = small_raw_copy / "accounts.csv"
    pq.write_table(pa_csv.read_csv(accounts_csv), small_raw_copy / "accounts.parquet")
    accounts_csv.unlink()
    db = build_warehouse(small_raw_copy, tmp_path / "parquet.duckdb")
    assert query(
        db,
        "select source_table, raw_rows, staged_rows from audit.audit_raw_reconciliation "
        "where source_table in ('engagement_events', 'accounts') order by 1",
    ) == [("accounts", 4, 2), ("engagement_events", 9, 3)]
