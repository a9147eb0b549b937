"""Timestamps on a copy of the hand-made fixture: offsets read into UTC, dates flagged, implausible
moments quarantined with their own reason.

Rows are planted in the raw files; the expected values were worked out by hand (01:30 at +02:00
is 23:30 UTC the day before, at -05:00 it is 06:30 UTC). Only staging is built.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from lead_funnel.dbt_runner import run_dbt
from tests.conftest import FIXTURES, query

pytestmark = pytest.mark.slow


def _append(csv_path: Path, lines: list[str]) -> None:
    with csv_path.open("a", encoding="utf-8") as fh:
        fh.write("".join(line + "\n" for line in lines))


@pytest.fixture(scope="module")
def planted_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """raw_small plus planted rows, staging built once for the module."""
    raw = tmp_path_factory.mktemp("ts_raw") / "raw"
    shutil.copytree(FIXTURES / "raw_small", raw)
    _append(
        raw / "engagement_events.csv",
        [
            "T1,L1,page_view,2026-03-29T01:30:00+02:00,,/a,{},",
            "T2,L1,page_view,2026-03-29T01:30:00-05:00,,/b,{},",
            "T3,L1,page_view,2026-03-29T01:30:00Z,,/c,{},2026-03-29T03:30:00+02:00",
            "T4,L1,page_view,2026-03-29,,/d,{},",
            "T5,L1,page_view,1970-01-01 00:00:00,,/e,{},",
            "T6,L1,page_view,0001-01-01,,/f,{},",
            "T7,L1,page_view,last tuesday,,/g,{},",
            # L1 was created 2025-02-01 08:00:00: an earlier visit is kept (anonymous web
            # activity is attributed to a lead when it is created), a sales call is not.
            "T8,L1,page_view,2025-02-01T09:59:59+02:00,,/h,{},",
        ],
    )
    _append(
        raw / "leads.csv",
        [
            "L5,A2,l5@globex.io,Ann,Lee,CMO,DE,webinar,CMP2,2025-02-03T10:00:00+02:00,2025-02-04,",
            "L6,A2,l6@globex.io,Bo,Ng,CTO,DE,webinar,CMP2,1970-01-01 00:00:00,,",
        ],
    )
    _append(raw / "lead_status_changes.csv", ["C4,L5,marketing_qualified,,2025-02-10,R1"])
    _append(
        raw / "sales_activities.csv",
        ["S2,L5,R1,call,2025-02-03T09:30:00+01:00", "S3,L1,R1,call,2025-02-01T09:59:59+02:00"],
    )
    db_path = tmp_path_factory.mktemp("ts_db") / "lead_funnel.duckdb"
    run_dbt(
        ["build", "--select", "+staging", "+audit", "--indirect-selection", "cautious"],
        raw_dir=raw,
        duckdb_path=db_path,
        quiet=True,
    )
    return db_path


def test_offsets_are_converted_to_utc_and_dates_flagged(planted_warehouse: Path) -> None:
    rows = query(
        planted_warehouse,
        """select event_id, cast(occurred_at as varchar), is_date_only, cast(loaded_at as varchar)
           from staging.stg_marketing__engagement_events where event_id like 'T%'
           order by event_id""",
    )
    assert rows == [
        ("T1", "2026-03-28 23:30:00", False, None),
        ("T2", "2026-03-29 06:30:00", False, None),
        ("T3", "2026-03-29 01:30:00", False, "2026-03-29 01:30:00"),
        ("T4", "2026-03-29 00:00:00", True, None),
        ("T8", "2025-02-01 07:59:59", False, None),
    ]


def test_implausible_and_unreadable_moments_are_quarantined(planted_warehouse: Path) -> None:
    rows = query(
        planted_warehouse,
        """select source_table, record_key, rejection_reason
           from audit.audit_quarantined_rows
           where record_key in ('T5', 'T6', 'T7', 'T8', 'L6', 'S3') order by record_key""",
    )
    assert rows == [
        ("leads", "L6", "implausible_timestamp"),
        ("sales_activities", "S3", "implausible_timestamp"),
        ("engagement_events", "T5", "implausible_timestamp"),
        ("engagement_events", "T6", "implausible_timestamp"),
        ("engagement_events", "T7", "unreadable_timestamp"),
    ]
    staged = query(
        planted_warehouse,
        "select cast(occurred_at as varchar) from staging.stg_marketing__engagement_events"
        " where event_id = 'T8'",
    )
    assert staged == [("2025-02-01 07:59:59",)]


def test_other_tables_read_offsets_and_dates(planted_warehouse: Path) -> None:
    lead = query(
        planted_warehouse,
        """select cast(created_at as varchar), cast(updated_at as varchar)
           from staging.stg_crm__leads where lead_id = 'L5'""",
    )
    assert lead == [("2025-02-03 08:00:00", "2025-02-04 00:00:00")]
    change = query(
        planted_warehouse,
        """select cast(changed_at as varchar), is_date_only
           from staging.stg_crm__lead_status_changes where change_id = 'C4'""",
    )
    assert change == [("2025-02-10 00:00:00", True)]
    # 09:30 at +01:00 is 08:30 UTC, after L5's created_at (08:00 UTC): staged.
    activity = query(
        planted_warehouse,
        """select cast(occurred_at as varchar), is_date_only
           from staging.stg_sales__activities where activity_id = 'S2'""",
    )
    assert activity == [("2025-02-03 08:30:00", False)]


def test_raw_rows_still_reconcile(planted_warehouse: Path) -> None:
    rows = query(
        planted_warehouse,
        """select source_table, raw_rows, staged_rows, quarantined_rows, exact_duplicates_removed
           from audit.audit_raw_reconciliation
           where source_table in ('engagement_events', 'leads', 'lead_status_changes',
                                  'sales_activities')""",
    )
    assert {r[0]: tuple(int(v) for v in r[1:]) for r in rows} == {
        "engagement_events": (17, 8, 8, 1),
        "leads": (6, 4, 2, 0),
        "lead_status_changes": (4, 3, 1, 0),
        "sales_activities": (3, 2, 1, 0),
    }


PARSE_CASES = [
    ("2026-03-29T01:30:00+02:00", "2026-03-28 23:30:00"),
    ("2026-03-29T01:30:00-05:00", "2026-03-29 06:30:00"),
    ("2026-03-29 01:30:00-0500", "2026-03-29 06:30:00"),
    ("2026-03-29 01:30:00+02", "2026-03-28 23:30:00"),
    ("2026-03-29T01:30:00Z", "2026-03-29 01:30:00"),
    ("2026-03-08 02:30:00", "2026-03-08 02:30:00"),
    ("2026-11-01 01:30:00-04:00", "2026-11-01 05:30:00"),
    ("2026-03-29", "2026-03-29 00:00:00"),
    ("2026-03-29 01:30:00 +02:00", None),
    ("0000-01-01", None),
]


@pytest.mark.parametrize("time_zone", ["UTC", "America/New_York", "Asia/Kolkata"])
def test_parsing_ignores_the_session_time_zone(
    planted_warehouse: Path, tmp_path: Path, time_zone: str
) -> None:
    """The compiled macro gives the same UTC values whatever the session's TimeZone.

    New York's DST gap (2026-03-08 02:30 does not exist there) and overlap (2026-11-01 01:30
    exists twice) would shift a timestamptz cast; the macro never makes one.
    """
    values = ", ".join(f"('{text}')" for text, _ in PARSE_CASES)
    result = run_dbt(
        [
            "compile",
            "--inline",
            f"select s, cast({{{{ lf_parse_timestamp('s') }}}} as varchar) as utc "
            f"from (values {values}) as t(s)",
        ],
        raw_dir=FIXTURES / "raw_small",
        duckdb_path=tmp_path / "compile.duckdb",
        quiet=True,
    )
    sql = result.result.results[0].node.compiled_code
    with duckdb.connect() as con:
        con.execute(f"set TimeZone = '{time_zone}'")
        assert con.execute(sql).fetchall() == PARSE_CASES
