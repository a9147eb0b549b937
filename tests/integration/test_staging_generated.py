"""Staging on generated data: every kind of injected mess ends quarantined or repaired in
exactly the number the generator recorded in ground_truth/mess.json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import query

pytestmark = pytest.mark.slow


def _mess(raw: Path) -> dict:
    return json.loads((raw / "ground_truth" / "mess.json").read_text())


def test_quarantine_counts_equal_injected_mess(generated_raw: Path, generated_warehouse: Path):
    mess = _mess(generated_raw)["tables"]
    found = {
        (table, reason): count
        for table, reason, count in query(
            generated_warehouse,
            "select source_table, rejection_reason, count(*) "
            "from audit.audit_quarantined_rows group by 1, 2",
        )
    }
    expected = {}
    for reason in (
        "conflicting_duplicate_id",
        "future_timestamp",
        "unknown_event_type",
        "unknown_lead",
        "unreadable_timestamp",
    ):
        expected[("engagement_events", reason)] = mess["engagement_events"]["mess"][reason]
    expected[("marketing_spend", "negative_amount")] = mess["marketing_spend"]["mess"][
        "negative_amount"
    ]
    assert all(count > 0 for count in expected.values())
    assert found == expected


def test_every_raw_row_is_accounted_for(generated_raw: Path, generated_warehouse: Path):
    mess = _mess(generated_raw)["tables"]
    rows = query(
        generated_warehouse,
        "select source_table, raw_rows, staged_rows, quarantined_rows, exact_duplicates_removed "
        "from audit.audit_raw_reconciliation",
    )
    for table, raw, staged, quarantined, duplicates in rows:
        assert raw == mess[table]["rows"], table
        assert raw == staged + quarantined + duplicates, table
    duplicates = {r[0]: r[4] for r in rows}
    assert duplicates["engagement_events"] == mess["engagement_events"]["mess"]["exact_duplicate"]


def test_repairs_keep_rows(generated_raw: Path, generated_warehouse: Path):
    mess = _mess(generated_raw)["tables"]
    leads = mess["leads"]["mess"]
    ((repaired, merged),) = query(
        generated_warehouse,
        "select count(*) filter (where was_email_repaired), count(*) filter (where is_merged) "
        "from staging.stg_crm__leads",
    )
    # Padded emails and the merged duplicates (the survivor's address in upper case) are repaired.
    assert repaired == leads["padded_email"] + leads["merged_duplicate"]
    assert merged == leads["merged_duplicate"]
    (late,) = query(
        generated_warehouse,
        "select count(*) from staging.stg_marketing__engagement_events "
        "where loaded_at >= occurred_at + interval '2 days'",
    )[0]
    assert late == mess["engagement_events"]["mess"]["late_arriving"]
    (upper_or_padded,) = query(
        generated_warehouse,
        "select count(*) from staging.stg_crm__leads where email <> lower(trim(email))",
    )[0]
    assert upper_or_padded == 0
