"""Lead merges: cycles and chains longer than var merge_max_depth are cut, nothing vanishes.

The hand-made raw fixture gets extra leads merged in cycles and long chains, and events on
some of them; the project is built once with merge_max_depth 5. Expected survivors were
worked out by hand from the merge pointers below.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from lead_funnel.dbt_runner import run_dbt
from tests.conftest import FIXTURES, query

pytestmark = pytest.mark.slow

MAX_DEPTH = 5
SELECTED = [
    "+dim_leads",
    "+fct_lead_timeline",
    "+fct_lead_scores",
    "+audit_raw_reconciliation",
]

# lead -> the lead it is merged into (None: not merged)
MERGES = {
    # a 2-cycle
    "L20": "L21",
    "L21": "L20",
    # a 3-cycle, and a lead merged into one of its members
    "L30": "L31",
    "L31": "L32",
    "L32": "L30",
    "L33": "L30",
    # a chain 5 hops deep (the limit): L40 -> ... -> L45
    "L40": "L41",
    "L41": "L42",
    "L42": "L43",
    "L43": "L44",
    "L44": "L45",
    "L45": None,
    # a chain 6 hops deep: L50 -> ... -> L56
    "L50": "L51",
    "L51": "L52",
    "L52": "L53",
    "L53": "L54",
    "L54": "L55",
    "L55": "L56",
    "L56": None,
    # a lead merged into itself
    "L60": "L60",
}

EXPECTED_SURVIVORS = {
    # the fixture's own leads: L3 merged into L1
    "L1": "L1",
    "L2": "L2",
    "L3": "L1",
    # cycle members stay their own survivors; L33 resolves to the member it names
    "L20": "L20",
    "L21": "L21",
    "L30": "L30",
    "L31": "L31",
    "L32": "L32",
    "L33": "L30",
    # within the limit the whole chain resolves to its end
    **{f"L4{i}": "L45" for i in range(6)},
    # beyond it the first lead keeps itself; the rest, 5 hops or fewer from L56, resolve
    "L50": "L50",
    **{f"L5{i}": "L56" for i in range(1, 7)},
    "L60": "L60",
}

EXPECTED_MERGE_REJECTIONS = {
    "L20": "merge_cycle",
    "L21": "merge_cycle",
    "L30": "merge_cycle",
    "L31": "merge_cycle",
    "L32": "merge_cycle",
    "L60": "merge_cycle",
    "L50": "merge_chain_too_deep",
}

# event -> (lead that did it, lead it must be scored and shown under)
EVENTS = {
    "E20": ("L20", "L20"),
    "E21": ("L21", "L21"),
    "E31": ("L31", "L31"),
    "E33": ("L33", "L30"),
    "E40": ("L40", "L45"),
    "E50": ("L50", "L50"),
    "E51": ("L51", "L56"),
}


def _append_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open(newline="") as handle:
        columns = next(csv.reader(handle))
    with path.open("a", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in columns})


@pytest.fixture(scope="module")
def merge_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("merge_chains")
    raw = base / "raw"
    shutil.copytree(FIXTURES / "raw_small", raw)
    _append_rows(
        raw / "leads.csv",
        [
            {
                "lead_id": lead_id,
                "account_id": "A2",
                "email": f"{lead_id.lower()}@globex.io",
                "job_title": "Engineer",
                "country": "DE",
                "lead_source": "webinar",
                "campaign_id": "CMP2",
                "created_at": "2025-02-03 08:00:00",
                "updated_at": "2025-02-03 08:00:00",
                "merged_into_lead_id": target or "",
            }
            for lead_id, target in MERGES.items()
        ],
    )
    _append_rows(
        raw / "engagement_events.csv",
        [
            {
                "event_id": event_id,
                "lead_id": lead_id,
                "event_type": "form_submit",
                "occurred_at": "2025-02-06 10:00:00",
                "campaign_id": "CMP2",
                "page_url": "/contact",
                "properties": "{}",
                "loaded_at": "2025-02-06 10:05:00",
            }
            for event_id, (lead_id, _) in EVENTS.items()
        ],
    )
    db_path = base / "lead_funnel.duckdb"
    # Only what the assertions read, with its tests: a full build would take twice as long.
    run_dbt(
        ["build", "--indirect-selection", "cautious", "--select", *SELECTED],
        raw_dir=raw,
        duckdb_path=db_path,
        dbt_vars={"merge_max_depth": MAX_DEPTH},
        quiet=True,
    )
    return db_path


def test_survivors_of_cycles_and_long_chains(merge_warehouse: Path) -> None:
    rows = query(
        merge_warehouse, "select lead_id, survivor_lead_id from intermediate.int_leads_resolved"
    )
    assert dict(rows) == EXPECTED_SURVIVORS


def test_merge_depth_never_exceeds_the_limit(merge_warehouse: Path) -> None:
    rows = dict(
        query(merge_warehouse, "select lead_id, merge_depth from intermediate.int_leads_resolved")
    )
    assert rows["L40"] == MAX_DEPTH
    assert rows["L51"] == MAX_DEPTH
    assert rows["L44"] == 1
    assert rows["L33"] == 1
    assert rows["L50"] == 0
    assert rows["L20"] == 0
    assert max(rows.values()) == MAX_DEPTH


def test_cut_merges_are_recorded_on_the_staged_lead(merge_warehouse: Path) -> None:
    rows = query(
        merge_warehouse,
        """select lead_id, merge_rejection_reason, merged_into_lead_id, raw_record
           from staging.base_crm__leads where merge_rejection_reason is not null""",
    )
    assert {r[0]: r[1] for r in rows} == EXPECTED_MERGE_REJECTIONS
    for lead_id, _, merged_into, raw_record in rows:
        # The merge is cut, the raw pointer is kept for the record.
        assert merged_into is None
        assert f"merged_into_lead_id={MERGES[lead_id]}" in raw_record
    # The leads themselves are staged, unmerged.
    staged = dict(query(merge_warehouse, "select lead_id, is_merged from staging.stg_crm__leads"))
    for lead_id in EXPECTED_MERGE_REJECTIONS:
        assert staged[lead_id] is False
    assert staged["L33"] is True
    assert staged["L51"] is True


def test_no_lead_vanishes_and_raw_rows_reconcile(merge_warehouse: Path) -> None:
    dim = dict(query(merge_warehouse, "select lead_id, survivor_lead_id from marts.dim_leads"))
    assert dim == EXPECTED_SURVIVORS
    survivors = {
        r[0]
        for r in query(merge_warehouse, "select lead_id from marts.dim_leads where is_survivor")
    }
    assert survivors == set(EXPECTED_SURVIVORS.values())
    reconciliation = query(
        merge_warehouse,
        """select raw_rows, staged_rows, quarantined_rows, exact_duplicates_removed, is_reconciled
           from audit.audit_raw_reconciliation where source_table = 'leads'""",
    )
    # the fixture's 4 raw leads (3 staged, 1 quarantined) plus every lead added here, staged
    assert reconciliation == [(4 + len(MERGES), 3 + len(MERGES), 1, 0, True)]


def test_events_stay_on_the_lead_that_survives(merge_warehouse: Path) -> None:
    timeline = dict(
        query(
            merge_warehouse,
            f"""select source_record_id, lead_id from marts.fct_lead_timeline
                where source_record_id in ({", ".join(f"'{e}'" for e in EVENTS)})""",
        )
    )
    assert timeline == {event_id: survivor for event_id, (_, survivor) in EVENTS.items()}
    scored = dict(
        query(
            merge_warehouse,
            """select lead_id, engagement_score from marts.fct_lead_scores
               where scoring_model = 'default'""",
        )
    )
    for _, survivor in EVENTS.values():
        assert scored[survivor] > 0, survivor
    # Leads merged away have no score row of their own.
    assert "L33" not in scored
    assert "L40" not in scored
