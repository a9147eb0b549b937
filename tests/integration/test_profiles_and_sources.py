"""Profiles the sources describe are flagged by rpt_funnel_health, and the marts work when
MQLs come from the CRM with no engagement events at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from lead_funnel.generator import generate
from tests.conftest import GENERATED_AS_OF, GENERATED_PERIOD, build_warehouse, query
from tests.support import truth as T

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("profile", "status", "diagnosis_start"),
    [("junk", "below", "Below 10%"), ("strict", "above", "Above 30%")],
)
def test_profiles_are_flagged_as_the_sources_describe(
    profile: str, status: str, diagnosis_start: str, tmp_path: Path
):
    raw = tmp_path / "raw"
    generate(3000, 5, raw, profile=profile, progress=False, **GENERATED_PERIOD)
    db = build_warehouse(raw, tmp_path / "wh.duckdb", {"score_as_of": GENERATED_AS_OF})
    ((rate, got_status, alarm, diagnosis),) = query(
        db,
        """select measured_rate, status, is_alarm, diagnosis from marts.rpt_funnel_health
           where scoring_model = 'default' and metric = 'mql_to_sql_rate'
             and source_file like '004%'""",
    )
    assert (got_status, alarm) == (status, True), rate
    assert diagnosis.startswith(diagnosis_start)
    expected = T.health_rates(T.Truth(raw), T.ts(GENERATED_AS_OF))["mql_to_sql_rate"]
    assert rate == pytest.approx(expected, abs=1e-9)


def test_crm_mql_source_without_engagement_events(tmp_path: Path):
    raw = tmp_path / "raw"
    generate(1500, 21, raw, profile="default", progress=False, **GENERATED_PERIOD)
    (raw / "engagement_events.csv").unlink()
    db = build_warehouse(
        raw, tmp_path / "crm.duckdb", {"score_as_of": GENERATED_AS_OF, "mql_source": "crm"}
    )
    truth = T.Truth(raw)
    assert query(db, "select count(*) from staging.stg_marketing__engagement_events") == [(0,)]
    rows = query(
        db,
        """select lead_id, cycle_number, is_inferred_mql, marketing_qualified_at, recycled_at,
                  sales_qualified_at, closed_won_at, mql_trigger
           from marts.fct_mql_cycles where scoring_model = 'default'""",
    )
    found = {(r[0], r[1]): tuple(T.as_text(v) for v in r[2:7]) for r in rows}
    expected = {
        (c.lead_id, c.number): (
            c.row["is_inferred_mql"],
            c.row["marketing_qualified_at"],
            c.row["recycled_at"],
            c.row["sales_qualified_at"],
            c.row["closed_won_at"],
        )
        for c in truth.cycles
    }
    assert found == expected
    assert {r[7] for r in rows} <= {"crm", "inferred"}
    (mqls,) = query(
        db,
        """select sum(mqls) from marts.rpt_funnel_conversion
           where view_type = 'mql_cohort' and slice_dimension = 'all'
             and scoring_model = 'default'""",
    )[0]
    assert mqls == len(truth.real_cycles)
