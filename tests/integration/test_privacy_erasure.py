"""An erasure request removes the person from every schema but raw, and the counts still add up.

The hand-made raw fixture is built once as it is, then again in the same warehouse with an
erasure_requests.csv naming Jane Doe by email (two leads: L1 and its merged duplicate L3) and
lead L4 by id (a quarantined row). Every column of every table and view outside the raw schema
is searched for their lead ids, their addresses and their keyed email hash.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.conftest import FIXTURES, build_warehouse, copy_warehouse, keyed_hash, query

ERASED_IDS = ("L1", "L3", "L4")
KEPT_ID = "L2"
REQUESTS = (
    "request_id,lead_id,email,requested_at\n"
    "R1,,  JANE.DOE@acme.com ,2025-06-01\n"
    "R2,L4,,2025-06-02\n"
)


def _traces(db_path: Path, pattern: str) -> list[str]:
    """Schema.table.column holding a value that matches `pattern`, outside the raw schema."""
    found = []
    with duckdb.connect(str(db_path)) as con:
        columns = con.execute(
            """select table_schema, table_name, column_name
               from information_schema.columns
               where table_schema not in ('raw', 'information_schema', 'pg_catalog')
               order by 1, 2, 3"""
        ).fetchall()
        for schema, table, column in columns:
            hits = con.execute(
                f'select count(*) from "{schema}"."{table}"'
                f' where regexp_matches(lower(cast("{column}" as varchar)), ?)',
                [pattern],
            ).fetchone()[0]
            if hits:
                found.append(f"{schema}.{table}.{column}")
    return found


def _pattern() -> str:
    ids = "|".join(i.lower() for i in ERASED_IDS)
    return rf"(^|[^a-z0-9_]){'(' + ids + ')'}($|[^a-z0-9_])|jane|{keyed_hash('jane.doe@acme.com')}"


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("erasure")
    raw = root / "raw"
    shutil.copytree(FIXTURES / "raw_small", raw)
    db_path = root / "lead_funnel.duckdb"
    build_warehouse(raw, db_path)
    before = root / "before.duckdb"
    copy_warehouse(db_path, before)
    (raw / "erasure_requests.csv").write_text(REQUESTS)
    build_warehouse(raw, db_path)
    return before, db_path


def test_the_person_is_everywhere_before_the_request(warehouses):
    before, _ = warehouses
    traces = _traces(before, _pattern())
    assert "marts.dim_leads.lead_id" in traces
    assert "marts.dim_leads.email_hash" in traces
    assert "staging.stg_crm__leads.email" in traces
    assert "audit.audit_quarantined_rows.raw_record" in traces
    assert any(t.startswith("snapshots.") for t in traces), traces


def test_no_trace_remains_outside_raw(warehouses):
    _, after = warehouses
    assert _traces(after, _pattern()) == []
    # the request itself stays in raw, and so do the raw rows
    assert query(after, "select count(*) from raw.erasure_requests") == [(2,)]
    assert query(after, "select count(*) from raw.leads") == [(4,)]


def test_other_people_are_kept(warehouses):
    _, after = warehouses
    assert query(after, "select lead_id from marts.dim_leads") == [(KEPT_ID,)]
    assert re.fullmatch(
        r"[0-9a-f]{64}", query(after, "select email_hash from marts.dim_leads")[0][0]
    )


def test_raw_rows_still_reconcile_with_an_erased_count(warehouses):
    _, after = warehouses
    rows = dict(
        (r[0], r[1:])
        for r in query(
            after,
            """select source_table, raw_rows, staged_rows, quarantined_rows,
                      exact_duplicates_removed, erased_rows, is_reconciled
               from audit.audit_raw_reconciliation""",
        )
    )
    assert all(r[-1] for r in rows.values()), rows
    # leads: L1 and L3 by email, L4 by id; L2 staged
    assert rows["leads"][:5] == (4, 1, 0, 0, 3)
    # no quarantined row of L4 is left
    assert query(
        after, "select count(*) from audit.audit_quarantined_rows where source_table = 'leads'"
    ) == [(0,)]
    # accounts are not people: nothing erased there
    assert rows["accounts"][4] == 0
    # every raw table's erased rows are its raw rows of the erased leads, counted from the files
    for table in ("engagement_events", "lead_status_changes", "opportunities", "sales_activities"):
        with open(FIXTURES / "raw_small" / f"{table}.csv", newline="") as handle:
            expected = sum(
                1 for row in csv.DictReader(handle) if (row["lead_id"] or "").strip() in ERASED_IDS
            )
        assert expected > 0 and rows[table][4] == expected, (table, rows[table], expected)


def test_the_summary_counts_the_erased_rows(warehouses, tmp_path: Path):
    from lead_funnel.summary import summarize

    _, after = warehouses
    db = copy_warehouse(after, tmp_path / "after.duckdb")
    ((erased,),) = query(db, "select sum(erased_rows) from audit.audit_raw_reconciliation")
    assert erased > 0
    assert re.search(rf"\+ {erased:,} erased$", summarize(db), re.MULTILINE)
    assert re.search(r"leads +raw +4 = staged +1 .* \+ erased +3  ok", summarize(db, verbose=True))
