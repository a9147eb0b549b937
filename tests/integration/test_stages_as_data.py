"""Funnel stages defined once: seeds alone add a stage, and CRM spellings are mapped.

A copy of the project gets a `meeting_held` stage (status meeting_held, between SAL and SQL)
by editing its seed CSVs only: lifecycle_stages, lead_statuses and crm_status_mapping (the
Salesforce-style spelling "Meeting Held"). Built on a hand-made raw fixture, the stage must
appear in fct_mql_cycles (stage_entered_at), fct_lead_stage_history, fct_funnel_daily,
rpt_funnel_conversion (stage_counts) and rpt_stage_velocity with the counts worked out below.
The same fixture built with the shipped seeds maps the Salesforce and HubSpot spellings and
quarantines only "Meeting Held", which the shipped seeds do not know.

The fixture (MQLs from CRM statuses: var mql_source crm; every lead created 2025-01-01):

| lead | statuses (raw spelling)                                                     | opportunity |
|------|-----------------------------------------------------------------------------|-------------|
| L1   | marketing_qualified 01-05, Working - Contacted 01-06, Meeting Held 01-08,   | O1 opened   |
|      | sales_qualified 01-10                                                       | 01-12, won  |
|      |                                                                             | 01-20       |
| L2   | marketingqualifiedlead 01-05, sales_accepted 01-07, " meeting held " 01-09, |             |
|      | Closed - Not Converted 01-15                                                |             |
| L3   | marketing_qualified 01-05, SAL 01-06, Closed - Converted 01-12              |             |
| L4   | MQL 01-05                                                                   |             |
| L5   | marketing_qualified 01-05, MEETING HELD 01-07                               |             |

One MQL cycle each (January cohort). Reached (a skipped stage counts as passed): SAL L1 L2 L3
L5 (L5 through its meeting) = 4; meeting held L1 L2 L5 and L3 (through its SQL) = 4; SQL L1 L3
= 2; opportunity and won L1 = 1. Entered (the stage itself): meeting held L1 L2 L5 = 3.
SAL -> meeting held hours: L1 48, L2 48, L3 144 (to its SQL), L5 0: n 4, mean 60, median 48.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from lead_funnel import paths
from tests.conftest import build_warehouse, query

SCORE_AS_OF = "2025-06-30 00:00:00"
BUILD_VARS = {"score_as_of": SCORE_AS_OF, "mql_source": "crm"}

# Left out of the project copy: build output, environments and local data.
NOT_COPIED = {".git", ".venv", "target", "logs", "warehouse", "data", "reports", "dbt_packages"}

RAW_TABLES = {
    "accounts": (
        "account_id,account_name,domain,industry,employee_count,annual_revenue,country,"
        "created_at,updated_at",
        ["A1,Acme Corp,acme.com,software,250,25000000,US,2024-12-01 09:00:00,2024-12-01 09:00:00"],
    ),
    "campaigns": ("campaign_id,campaign_name,channel", ["CMP1,Search Q1,paid_search"]),
    "leads": (
        "lead_id,account_id,email,first_name,last_name,job_title,country,lead_source,"
        "campaign_id,created_at,updated_at,merged_into_lead_id",
        [
            f"L{i},A1,person{i}@acme.com,P{i},Q{i},VP Marketing,US,paid_search,CMP1,"
            "2025-01-01 09:00:00,2025-01-01 09:00:00,"
            for i in range(1, 6)
        ],
    ),
    "lead_status_changes": (
        "change_id,lead_id,status,reason,changed_at,changed_by",
        [
            "C1,L1,marketing_qualified,,2025-01-05 10:00:00,marketing_automation",
            "C2,L1,Working - Contacted,,2025-01-06 10:00:00,R1",
            "C3,L1,Meeting Held,,2025-01-08 10:00:00,R1",
            "C4,L1,sales_qualified,,2025-01-10 10:00:00,R1",
            "C5,L2,marketingqualifiedlead,,2025-01-05 10:00:00,marketing_automation",
            "C6,L2,sales_accepted,,2025-01-07 10:00:00,R2",
            "C7,L2, meeting held ,,2025-01-09 10:00:00,R2",
            "C8,L2,Closed - Not Converted,no budget,2025-01-15 10:00:00,R2",
            "C9,L3,marketing_qualified,,2025-01-05 10:00:00,marketing_automation",
            "C10,L3,SAL,,2025-01-06 10:00:00,R1",
            "C11,L3,Closed - Converted,,2025-01-12 10:00:00,R1",
            "C12,L4,MQL,,2025-01-05 10:00:00,marketing_automation",
            "C13,L5,marketing_qualified,,2025-01-05 10:00:00,marketing_automation",
            "C14,L5,MEETING HELD,,2025-01-07 10:00:00,R2",
        ],
    ),
    "opportunities": (
        "opportunity_id,account_id,lead_id,created_at,stage,amount,closed_at,is_won",
        ["O1,A1,L1,2025-01-12 10:00:00,closed_won,1000,2025-01-20 10:00:00,true"],
    ),
    "engagement_events": (
        "event_id,lead_id,event_type,occurred_at,campaign_id,page_url,properties,loaded_at",
        [],
    ),
    "sales_activities": ("activity_id,lead_id,rep_id,activity_type,occurred_at", []),
    "marketing_spend": ("spend_date,channel,campaign_id,amount", []),
    "product_usage_events": ("event_id,lead_id,event_type,occurred_at", []),
}

MEETING_HELD = {
    "stage": "meeting_held",
    "label": "Meetings held",
    "entered_by": "meeting_held",
    "moment_column": "meeting_held_at",
    "is_funnel_stage": "true",
    "cycle_role": "sales",
    "count_column": "",
    "velocity_from": "sal",
    "description": "The first sales meeting took place",
}


def _write_raw(raw_dir: Path) -> Path:
    raw_dir.mkdir(parents=True)
    for table, (header, rows) in RAW_TABLES.items():
        (raw_dir / f"{table}.csv").write_text("\n".join([header, *rows]) + "\n")
    return raw_dir


def _copy_project(target: Path) -> Path:
    source = paths.project_dir()
    shutil.copytree(
        source,
        target,
        ignore=lambda folder, names: [
            name
            for name in names
            if (Path(folder) == source and name in NOT_COPIED) or name == "__pycache__"
        ],
    )
    return target


def _add_meeting_held(project: Path) -> None:
    """The new stage through the seed CSVs alone, right after sal (the later stages move up)."""
    stages_csv = project / "seeds" / "lifecycle_stages.csv"
    with stages_csv.open(newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        stages = list(reader)
    sal_order = next(int(row["stage_order"]) for row in stages if row["stage"] == "sal")
    for row in stages:
        if int(row["stage_order"]) > sal_order:
            row["stage_order"] = str(int(row["stage_order"]) + 1)
    stages.append({**MEETING_HELD, "stage_order": str(sal_order + 1)})
    stages.sort(key=lambda row: int(row["stage_order"]))
    with stages_csv.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(stages)
    with (project / "seeds" / "lead_statuses.csv").open("a") as handle:
        handle.write("meeting_held,A sales meeting with the lead took place\n")
    with (project / "seeds" / "crm_status_mapping.csv").open("a") as handle:
        handle.write("salesforce,Meeting Held,meeting_held,Custom status: the meeting took place\n")


@pytest.fixture(scope="module")
def stages_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _write_raw(tmp_path_factory.mktemp("stages_raw") / "raw")


@pytest.fixture(scope="module")
def meeting_held_warehouse(stages_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture built by a project copy whose seeds add meeting_held (no SQL or YAML edits)."""
    work = tmp_path_factory.mktemp("stages_project")
    project = _copy_project(work / "project")
    _add_meeting_held(project)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LEAD_FUNNEL_PROJECT_DIR", str(project))
        patch.setenv("DBT_TARGET_PATH", str(work / "target"))
        patch.setenv("DBT_LOG_PATH", str(work / "logs"))
        db_path = build_warehouse(stages_raw, work / "warehouse" / "stages.duckdb", BUILD_VARS)
        # The Great Expectations funnel suite reads the copy's seed too.
        from lead_funnel.quality.suites import funnel_cohort_frame_sql, funnel_count_columns

        columns = funnel_count_columns()
        frame_sql = funnel_cohort_frame_sql()
    assert columns == [
        "leads",
        "mqls",
        "sals",
        "stage_meeting_held",
        "sqls",
        "opportunities",
        "wins",
    ]
    (work / "frame.sql").write_text(frame_sql)
    return db_path


@pytest.fixture(scope="module")
def shipped_warehouse(stages_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same fixture built with the shipped seeds."""
    work = tmp_path_factory.mktemp("stages_shipped")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_TARGET_PATH", str(work / "target"))
        patch.setenv("DBT_LOG_PATH", str(work / "logs"))
        return build_warehouse(stages_raw, work / "stages.duckdb", BUILD_VARS)


def test_a_seeded_stage_appears_in_the_cycles_and_the_stage_history(
    meeting_held_warehouse: Path,
) -> None:
    db = meeting_held_warehouse
    entered = query(
        db,
        """select lead_id, stage_entered_at['meeting_held'], sales_accepted_at, sales_qualified_at
           from marts.fct_mql_cycles where scoring_model = 'default' order by lead_id""",
    )
    assert [(row[0], str(row[1]) if row[1] else None) for row in entered] == [
        ("L1", "2025-01-08 10:00:00"),
        ("L2", "2025-01-09 10:00:00"),
        ("L3", None),
        ("L4", None),
        ("L5", "2025-01-07 10:00:00"),
    ]
    # CRM spellings became lifecycle statuses: Working - Contacted (L1), SAL (L3) accepted;
    # Closed - Converted (L3) qualified.
    assert [(row[0], row[2] is not None, row[3] is not None) for row in entered] == [
        ("L1", True, True),
        ("L2", True, False),
        ("L3", True, True),
        ("L4", False, False),
        ("L5", False, False),
    ]
    history = query(
        db,
        """select lead_id, stage, stage_order from marts.fct_lead_stage_history
           where scoring_model = 'default' and lead_id = 'L1' order by entry_sequence""",
    )
    assert history == [
        ("L1", "lead", 1),
        ("L1", "mql", 2),
        ("L1", "sal", 3),
        ("L1", "meeting_held", 4),
        ("L1", "sql", 7),
        ("L1", "opportunity", 9),
        ("L1", "won", 10),
    ]
    assert query(
        db,
        """select count(*) from marts.fct_lead_stage_history
           where scoring_model = 'default' and stage = 'meeting_held'""",
    ) == [(3,)]
    assert query(
        db,
        """select sum(leads_entering), max(stage_order) from marts.fct_funnel_daily
           where scoring_model = 'default' and stage = 'meeting_held'""",
    ) == [(3, 4)]
    # L2's meeting is its current stage until the disqualification.
    assert query(
        db, "select current_stage from marts.dim_leads where lead_id in ('L2', 'L5') order by 1"
    ) == [("disqualified",), ("meeting_held",)]


def test_a_seeded_stage_is_counted_in_conversion_and_velocity(
    meeting_held_warehouse: Path,
) -> None:
    db = meeting_held_warehouse
    cohort = query(
        db,
        """select mqls, sals, stage_counts['meeting_held'], sqls, opportunities, wins,
                  stage_counts_in_window['meeting_held'], stage_counts['sal'] = sals
           from marts.rpt_funnel_conversion
           where scoring_model = 'default' and view_type = 'mql_cohort'
             and slice_dimension = 'all' and period_month = date '2025-01-01'""",
    )
    assert cohort == [(5, 4, 4, 2, 1, 1, 4, True)]
    leads = query(
        db,
        """select leads, stage_counts['lead'], stage_counts['meeting_held']
           from marts.rpt_funnel_conversion
           where scoring_model = 'default' and view_type = 'lead_cohort'
             and slice_dimension = 'all' and period_month = date '2025-01-01'""",
    )
    assert leads == [(5, 5, 4)]
    # The cohort frame of the Great Expectations funnel suite, as the copy's seed defines it.
    frame_sql = (db.parent.parent / "frame.sql").read_text()
    frame = query(
        db,
        f"""select sals, stage_meeting_held, sqls from ({frame_sql}) as frame
            where scoring_model = 'default' and view_type = 'mql_cohort'
              and slice_dimension = 'all'""",
    )
    assert frame == [(4, 4, 2)]
    pairs = query(
        db,
        """select stage_pair_order, from_stage, to_stage, n, mean_hours, median_hours
           from marts.rpt_stage_velocity
           where scoring_model = 'default' and period_month is null and slice_dimension = 'all'
           order by stage_pair_order""",
    )
    assert [row[:3] for row in pairs] == [
        (1, "lead", "mql"),
        (3, "mql", "sal"),
        (4, "sal", "meeting_held"),
        (5, "mql", "sql"),
        (6, "sql", "opportunity"),
        (7, "opportunity", "won"),
        (8, "mql", "won"),
    ]  # pair 2, mql -> first_touch, has no rows: the fixture has no sales touches
    meeting = next(row for row in pairs if row[2] == "meeting_held")
    assert meeting[3:] == (4, pytest.approx(60.0), pytest.approx(48.0))


def test_shipped_seeds_map_crm_spellings_and_quarantine_unknown_statuses(
    shipped_warehouse: Path,
) -> None:
    db = shipped_warehouse
    staged = dict(query(db, "select change_id, status from staging.stg_crm__lead_status_changes"))
    assert {change: staged.get(change) for change in ("C2", "C5", "C8", "C10", "C11", "C12")} == {
        "C2": "sales_accepted",  # Salesforce Working - Contacted
        "C5": "marketing_qualified",  # HubSpot marketingqualifiedlead
        "C8": "disqualified",  # Salesforce Closed - Not Converted
        "C10": "sales_accepted",  # SAL
        "C11": "sales_qualified",  # Salesforce Closed - Converted
        "C12": "marketing_qualified",  # MQL
    }
    quarantined = query(
        db,
        """select record_key, rejection_reason from audit.audit_quarantined_rows
           where source_table = 'lead_status_changes' order by record_key""",
    )
    # Only the meetings: the shipped seeds have no meeting_held status.
    assert quarantined == [
        ("C14", "unknown_status"),
        ("C3", "unknown_status"),
        ("C7", "unknown_status"),
    ]
    # The shipped funnel: L5's meeting is gone, so it never reached SAL.
    assert query(
        db,
        """select mqls, sals, sqls, opportunities, wins, map_keys(stage_counts)
           from marts.rpt_funnel_conversion
           where scoring_model = 'default' and view_type = 'mql_cohort'
             and slice_dimension = 'all'""",
    ) == [(5, 3, 2, 1, 1, ["lead", "mql", "sal", "sql", "opportunity", "won"])]
