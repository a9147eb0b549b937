"""Incremental builds equal full builds.

`lead-funnel generate --daily 4` writes four daily loads of a few hundred leads (late events,
status changes, a lead merged on each later day). Day 1 is built in full, then days 2, 3 and 4
incrementally into the same warehouse file (the raw folder grows by each day's files, as it
would under a daily extract). Every public mart must then equal, row for row, a full build of
days 1..4 into a fresh warehouse, and building day 4 again must change nothing. score_as_of is
pinned, so the as-of moment does not move between the runs.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from lead_funnel.cli import main as cli_main
from lead_funnel.dbt_runner import run_dbt
from lead_funnel.generator.daily import days_through
from tests.conftest import build_warehouse
from tests.support.parity import differences

pytestmark = pytest.mark.slow

DAYS = 4
LEADS = 400
AS_OF = {"score_as_of": "2026-09-30 00:00:00"}
INCREMENTAL_MODELS = ("base_marketing__engagement_events", "fct_lead_timeline")


@pytest.fixture(scope="module")
def daily_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("daily") / "raw"
    argv = ["generate", "--leads", str(LEADS), "--seed", "3", "--out", str(out), "--no-progress"]
    argv += ["--start-date", "2026-07-01", "--end-date", "2026-09-30", "--daily", str(DAYS)]
    assert cli_main(argv) == 0
    return out


def _public_marts() -> list[tuple[str, str]]:
    manifest = run_dbt(["parse"], quiet=True).result
    return sorted(
        (node.schema, node.name)
        for node in manifest.nodes.values()
        if node.resource_type == "model" and str(getattr(node, "access", "")).endswith("public")
    )


def _rows(db_path: Path, marts) -> dict[str, tuple[list[str], list[tuple]]]:
    with duckdb.connect(str(db_path)) as con:
        out = {}
        for schema, name in marts:
            cursor = con.execute(f"select * from {schema}.{name}")
            out[name] = ([c[0] for c in cursor.description], cursor.fetchall())
        return out


@pytest.fixture(scope="module")
def builds(daily_raw: Path, tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("incremental")
    raw = work / "raw"
    incremental_db = work / "incremental.duckdb"
    statuses, modes = {}, {}
    for day in range(1, DAYS + 1):
        days_through(daily_raw, day, raw)
        result = run_dbt(
            ["build"], raw_dir=raw, duckdb_path=incremental_db, dbt_vars=AS_OF, quiet=True
        )
        statuses[day] = {r.node.name: str(r.status).lower() for r in result.result.results}
        with duckdb.connect(str(incremental_db)) as con:
            modes[day] = dict(
                con.execute(
                    "select model_name, last_run_mode from incremental_state.lf_incremental_state"
                ).fetchall()
            )
    marts = _public_marts()
    incremental = _rows(incremental_db, marts)
    with duckdb.connect(str(incremental_db)) as con:
        state = con.execute(
            "select model_name, loaded_through from incremental_state.lf_incremental_state"
        ).fetchall()
    run_dbt(["build"], raw_dir=raw, duckdb_path=incremental_db, dbt_vars=AS_OF, quiet=True)
    again = _rows(incremental_db, marts)
    full_db = build_warehouse(raw, work / "full.duckdb", dbt_vars=AS_OF)
    return {
        "marts": marts,
        "incremental": incremental,
        "again": again,
        "full": _rows(full_db, marts),
        "state": dict(state),
        "statuses": statuses,
        "modes": modes,
    }


def test_daily_loads_bring_late_events_status_changes_and_merges(daily_raw: Path) -> None:
    summary = json.loads((daily_raw / "daily.json").read_text())
    assert [load["loaded_through"] for load in summary["loads"]] == [
        "2026-09-27 00:00:00",
        "2026-09-28 00:00:00",
        "2026-09-29 00:00:00",
        "2026-09-30 00:00:00",
    ]
    with duckdb.connect() as con:
        for day in range(2, DAYS + 1):
            events = f"{daily_raw}/engagement_events/day_{day:04d}.csv"
            start, end = f"2026-09-{25 + day:02d} 00:00:00", f"2026-09-{26 + day:02d} 00:00:00"
            loaded, late = con.execute(
                f"select count(*) filter (where loaded_at <= '{start}' or loaded_at > '{end}'),"
                " count(*) filter (where cast(occurred_at as timestamp)"
                f" < timestamp '{start}' - interval 14 days) from read_csv('{events}',"
                " all_varchar = true)"
            ).fetchone()
            assert loaded == 0, f"day {day}: every loaded_at lies inside the day"
            assert late > 0, f"day {day}: events that occurred weeks ago arrive late"
            # a lead created on an earlier day is merged on this day: its earlier, unmerged
            # version sits in an earlier day's file
            merged = con.execute(
                f"select count(*) from read_csv('{daily_raw}/leads/day_{day:04d}.csv',"
                " all_varchar = true) as today where merged_into_lead_id is not null and"
                f" lead_id in (select lead_id from read_csv('{daily_raw}/leads/day_0001.csv',"
                " all_varchar = true) where merged_into_lead_id is null)"
            ).fetchone()[0]
            assert merged >= 1, f"day {day} merges a lead created before it"
            changes = Path(f"{daily_raw}/lead_status_changes/day_{day:04d}.csv")
            assert changes.is_file(), f"day {day} brings status changes"


def test_days_2_to_4_ran_incrementally(builds) -> None:
    for name in INCREMENTAL_MODELS:
        assert builds["modes"][1][name] == "full", name
    for day in (2, 3, 4):
        for name in INCREMENTAL_MODELS:
            assert builds["statuses"][day][name] == "success", (day, name)
            assert builds["modes"][day][name] == "incremental", (day, name)
    assert set(INCREMENTAL_MODELS) <= set(builds["state"])
    assert builds["state"]["base_marketing__engagement_events"] is not None


def test_incremental_equals_full(builds) -> None:
    assert len(builds["marts"]) >= 20
    problems = []
    for _, name in builds["marts"]:
        columns, full_rows = builds["full"][name]
        inc_columns, inc_rows = builds["incremental"][name]
        assert inc_columns == columns, name
        problems += [f"{name}: {d}" for d in differences(columns, full_rows, inc_rows)]
    assert not problems, "\n".join(problems[:20])
    timeline = builds["full"]["fct_lead_timeline"][1]
    assert len(timeline) > 5000


def test_running_day_4_again_changes_nothing(builds) -> None:
    problems = []
    for _, name in builds["marts"]:
        columns, rows = builds["incremental"][name]
        problems += [f"{name}: {d}" for d in differences(columns, rows, builds["again"][name][1])]
    assert not problems, "\n".join(problems[:20])
