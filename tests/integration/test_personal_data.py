"""Personal data typed into free text never leaves staging.

A copy of the hand-made raw fixture gets an email address and a phone number planted in every
text column staging masks (see macros/cross_db/_mask_personal_data.yml), in every row. After
one build, no table or view past staging, and not the HTML report, holds any of them, while
the raw landing views do (so the scan can fail) and the masks reach the marts in their place.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import duckdb
import pytest

from lead_funnel.dbt_runner import run_dbt
from lead_funnel.report import build_report
from tests.conftest import FIXTURES, query

pytestmark = pytest.mark.slow

EMAIL = "Planted.Person@example.org"
PHONE = "+1 415 555 0199"
PLANTED = f"write to {EMAIL} or call {PHONE}"
# Lower-case pieces of the planted values: none may survive anywhere past staging.
NEEDLES = ["planted.person", "example.org", "415 555 0199", "555 0199", "4155550199"]
# The fixture's own lead emails: personal data by design, kept in staging only.
FIXTURE_EMAILS = ["jane.doe@acme.com", "hans@gmail.com"]

# raw table -> the text columns staging masks
MASKED_COLUMNS = {
    "accounts": ["account_name", "industry", "country"],
    "leads": ["job_title", "country", "lead_source"],
    "lead_status_changes": ["reason", "changed_by"],
    "campaigns": ["campaign_name", "channel"],
    "marketing_spend": ["channel"],
    "opportunities": ["stage"],
    "sales_activities": ["activity_type"],
    "engagement_events": ["page_url", "properties"],
}
SCANNED_SCHEMAS = ("intermediate", "marts", "snapshots")


def _planted(column: str, value: str) -> str:
    if column == "properties":
        try:
            payload = json.loads(value) if value else {}
        except json.JSONDecodeError:
            payload = {}
        payload["note"] = PLANTED
        return json.dumps(payload)
    if column == "page_url":
        return f"{value or '/'}?email={EMAIL}&phone={PHONE}"
    return f"{value} {PLANTED}".strip()


def _plant(raw: Path) -> None:
    for table, columns in MASKED_COLUMNS.items():
        path = raw / f"{table}.csv"
        with path.open(newline="") as handle:
            reader = csv.DictReader(handle)
            fieldnames = list(reader.fieldnames or [])
            rows = list(reader)
        for row in rows:
            for column in columns:
                row[column] = _planted(column, row[column])
        with path.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fieldnames, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    # A rejection by sales with a reason, so fct_mql_cycles and rpt_sales_acceptance carry one.
    with (raw / "lead_status_changes.csv").open("a", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerow(
            ["C9", "L1", "sales_rejected", PLANTED, "2025-02-01 09:30:00", f"R1 {PLANTED}"]
        )


@pytest.fixture(scope="module")
def planted_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("personal_data")
    raw = base / "raw"
    shutil.copytree(FIXTURES / "raw_small", raw)
    _plant(raw)
    db_path = base / "lead_funnel.duckdb"
    # Models, seeds and the snapshot only: the data tests are not what this file checks, and
    # without them the build takes half the time.
    run_dbt(
        ["build", "--exclude-resource-type", "test", "unit_test"],
        raw_dir=raw,
        duckdb_path=db_path,
        quiet=True,
    )
    return db_path


def _text_of_every_relation(db_path: Path, schemas: tuple[str, ...]) -> dict[str, str]:
    """Every table and view of `schemas`, all rows and columns as one lower-case text."""
    with duckdb.connect(str(db_path)) as con:
        names = con.execute(
            f"""select table_schema, table_name from information_schema.tables
                where table_schema in ({", ".join("?" for _ in schemas)})
                order by 1, 2""",
            list(schemas),
        ).fetchall()
        return {
            f"{schema}.{name}": " ".join(
                str(row) for row in con.execute(f'select * from "{schema}"."{name}"').fetchall()
            ).lower()
            for schema, name in names
        }


def test_planted_values_are_in_the_raw_landing_views(planted_warehouse: Path) -> None:
    for table, columns in MASKED_COLUMNS.items():
        for column in columns:
            rows = query(
                planted_warehouse,
                f"""select count(*) from raw.{table}
                    where {column} like '%{EMAIL}%' and {column} like '%{PHONE}%'""",
            )
            assert rows[0][0] > 0, f"{table}.{column}"


def test_nothing_planted_past_staging(planted_warehouse: Path) -> None:
    texts = _text_of_every_relation(planted_warehouse, SCANNED_SCHEMAS)
    assert {name.split(".")[0] for name in texts} == set(SCANNED_SCHEMAS)
    assert "marts.dim_leads" in texts and "marts.rpt_sales_acceptance" in texts
    leaks = {
        name: needle
        for name, text in texts.items()
        for needle in NEEDLES + FIXTURE_EMAILS
        if needle in text
    }
    assert leaks == {}


def test_masks_reach_the_marts_in_place_of_the_planted_values(planted_warehouse: Path) -> None:
    masked = "write to [email] or call [phone]"
    titles = {r[0] for r in query(planted_warehouse, "select job_title from marts.dim_leads")}
    assert titles == {f"VP Marketing {masked}", f"Student {masked}"}
    details = {
        r[0]
        for r in query(
            planted_warehouse,
            "select detail from marts.fct_lead_timeline where source_record_id = 'C9'",
        )
    }
    assert details == {masked}
    reasons = {
        r[0]
        for r in query(
            planted_warehouse, "select distinct rejection_reason from marts.rpt_sales_acceptance"
        )
    }
    assert masked in reasons
    cycles = query(
        planted_warehouse,
        f"select count(*) from marts.fct_mql_cycles where rejection_reason = '{masked}'",
    )
    assert cycles[0][0] > 0


def test_the_report_holds_nothing_planted(planted_warehouse: Path) -> None:
    html = build_report(planted_warehouse).lower()
    assert "<html" in html
    assert [needle for needle in NEEDLES + FIXTURE_EMAILS if needle in html] == []
