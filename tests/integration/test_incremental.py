"""Incremental builds equal full builds.

`lead-funnel generate --daily 4` writes four daily loads of a few hundred leads (late events,
status changes, a lead merged on each later day). Day 1 is built in full, then days 2, 3 and 4
incrementally into the same warehouse file (the raw folder grows by each day's files, as it
would under a daily extract). Every public mart must then equal, row for row, a full build of
days 1..4 into a fresh warehouse, and building day 4 again must change nothing. score_as_of is
not set there, so the as-of moment is the data's watermark and moves forward with each day.

The same proof runs on a real PostgreSQL server (one for the module), where each day's
`lead-funnel load` replaces the raw tables with days 1..k; and in a copy of the project, a
changed seed upstream of the incremental models makes the next run rebuild them in full (to
the full build's result), after which an unchanged run is incremental again; so does a new
version of the project (a changed macro, a model with a new column). Those pin score_as_of,
so the as-of moment stays put while the data grows.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

from lead_funnel import paths
from lead_funnel.cli import main as cli_main
from lead_funnel.dbt_runner import DbtError, run_dbt
from lead_funnel.generator.daily import days_through
from lead_funnel.load import load
from tests.support.engines import PostgresServer, environment, postgres_bin_dir
from tests.support.isolation import copy_project
from tests.support.parity import differences

pytestmark = pytest.mark.slow

DAYS = 4
LEADS = 400
AS_OF = {"score_as_of": "2026-09-30 00:00:00"}
INCREMENTAL_MODELS = (
    "base_marketing__engagement_events",
    "fct_lead_timeline",
    "int_engagement_events_resolved",
    "int_engagement_events_scored",
    "int_lead_scores_at_each_event",
)
#: The day-by-day DuckDB builds run dbt's tests as a daily refresh does; the builds that only
#: provide rows to compare (the full build, the runs again, PostgreSQL, the seed change) leave
#: the data and unit tests out.
MODELS_ONLY = ["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test"]


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
        result = run_dbt(["build"], raw_dir=raw, duckdb_path=incremental_db, quiet=True)
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
    run_dbt(MODELS_ONLY, raw_dir=raw, duckdb_path=incremental_db, quiet=True)
    again = _rows(incremental_db, marts)
    full_db = work / "full.duckdb"
    run_dbt(MODELS_ONLY, raw_dir=raw, duckdb_path=full_db, quiet=True)
    full = _rows(full_db, marts)
    account = _update_an_account(incremental_db, raw / "accounts" / "day_0005.csv")
    fit_before = _fit_scores(incremental_db, account)
    run_dbt(MODELS_ONLY, raw_dir=raw, duckdb_path=incremental_db, quiet=True)
    account_update = {
        "fit_before": fit_before,
        "fit_after": _fit_scores(incremental_db, account),
        "modes": _modes(incremental_db),
        "incremental": _rows(incremental_db, marts),
    }
    updated_db = work / "full_updated.duckdb"
    run_dbt(MODELS_ONLY, raw_dir=raw, duckdb_path=updated_db, quiet=True)
    account_update["full"] = _rows(updated_db, marts)
    removed = _rewrite_in_place(raw / "engagement_events" / "day_0002.csv", drop=10)
    run_dbt(MODELS_ONLY, raw_dir=raw, duckdb_path=incremental_db, quiet=True)
    with duckdb.connect(str(incremental_db)) as con:
        still_staged = con.execute(
            "select count(*) from staging.base_marketing__engagement_events"
            " where event_id in (select unnest(?))",
            [sorted(removed)],
        ).fetchone()[0]
        reconciled = con.execute(
            "select bool_and(is_reconciled) from audit.audit_raw_reconciliation"
        ).fetchone()[0]
    return {
        "marts": marts,
        "incremental": incremental,
        "again": again,
        "full": full,
        "state": dict(state),
        "statuses": statuses,
        "modes": modes,
        "account_update": account_update,
        "rewritten": {
            "removed": removed,
            "still_staged": still_staged,
            "reconciled": reconciled,
            "modes": _modes(incremental_db),
        },
    }


def _update_an_account(db_path: Path, path: Path) -> str:
    """Writes a new version of the non-software account whose leads have the most scoring
    events, now in software (fit +15 under both models), as a new accounts file."""
    with duckdb.connect(str(db_path)) as con:
        account_id = con.execute(
            "select leads.account_id from marts.fct_lead_score_history as history"
            " inner join staging.stg_crm__leads as leads on history.lead_id = leads.lead_id"
            " inner join staging.stg_crm__accounts as accounts"
            " on leads.account_id = accounts.account_id"
            " where accounts.industry not in ('software', 'financial_services',"
            " 'healthcare', 'manufacturing')"
            " group by leads.account_id order by count(*) desc, leads.account_id limit 1"
        ).fetchone()[0]
    versions = []
    for earlier in sorted(path.parent.glob("day_*.csv")):
        with earlier.open(newline="") as handle:
            reader = csv.DictReader(handle)
            fields = reader.fieldnames
            versions += [row for row in reader if row["account_id"] == account_id]
    row = max(versions, key=lambda version: version["updated_at"])
    row.update(industry="software", updated_at="2026-09-29 23:00:00")
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerow(row)
    return account_id


def _fit_scores(db_path: Path, account_id: str) -> dict[tuple[str, str], float]:
    with duckdb.connect(str(db_path)) as con:
        rows = con.execute(
            "select history.lead_id, history.scoring_model, max(history.fit_score)"
            " from marts.fct_lead_score_history as history"
            " inner join staging.stg_crm__leads as leads on history.lead_id = leads.lead_id"
            " where leads.account_id = ? group by 1, 2",
            [account_id],
        ).fetchall()
    return {(lead_id, model): fit for lead_id, model, fit in rows}


def _rewrite_in_place(path: Path, drop: int) -> set[str]:
    """Rewrites a raw file without its last `drop` rows; returns the event ids found in no
    other file of the folder (those must leave staging)."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *body[:-drop]])
    index = header.index("event_id")
    kept = {row[index] for row in body[:-drop]}
    for other in path.parent.iterdir():
        if other != path:
            with other.open(newline="", encoding="utf-8") as handle:
                kept |= {row[index] for row in list(csv.reader(handle))[1:]}
    removed = {row[index] for row in body[-drop:]} - kept
    assert removed, "the dropped rows' event ids are all in other files"
    return removed


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


def test_an_account_update_moves_its_leads_fit_incrementally(builds) -> None:
    update = builds["account_update"]
    before, after = update["fit_before"], update["fit_after"]
    assert before and set(before) == set(after)
    assert all(after[key] == before[key] + 15 for key in before), (before, after)
    for name in INCREMENTAL_MODELS:
        assert update["modes"][name] == "incremental", name
    assert not _mismatches(update["full"], update["incremental"])


def test_an_export_rewritten_in_place_rebuilds_in_full(builds) -> None:
    rewritten = builds["rewritten"]
    assert {name: rewritten["modes"][name] for name in INCREMENTAL_MODELS} == dict.fromkeys(
        INCREMENTAL_MODELS, "full"
    ), "a seen file that changed must force a full rebuild"
    assert rewritten["still_staged"] == 0, sorted(rewritten["removed"])
    assert rewritten["reconciled"] is True


def _mismatches(expected: dict, got: dict) -> list[str]:
    """Row differences of every mart of `expected` against `got`."""
    problems = []
    for name, (columns, rows) in expected.items():
        assert got[name][0] == columns, name
        problems += [f"{name}: {d}" for d in differences(columns, rows, got[name][1])]
    return problems


# --- PostgreSQL ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def postgres_server():
    if postgres_bin_dir() is None:
        pytest.fail("PostgreSQL is not installed: apt-get install postgresql (see README)")
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def _pg_query(settings: dict[str, str], sql: str) -> tuple[list[str], list[tuple]]:
    import psycopg2

    con = psycopg2.connect(
        host=settings["LEAD_FUNNEL_PG_HOST"],
        port=int(settings["LEAD_FUNNEL_PG_PORT"]),
        user=settings["LEAD_FUNNEL_PG_USER"],
        dbname=settings["LEAD_FUNNEL_PG_DATABASE"],
    )
    try:
        with con, con.cursor() as cur:
            cur.execute(sql)
            return [c[0] for c in cur.description], cur.fetchall()
    finally:
        con.close()


def _pg_rows(settings: dict[str, str], marts) -> dict[str, tuple[list[str], list[tuple]]]:
    return {name: _pg_query(settings, f"select * from {schema}.{name}") for schema, name in marts}


@pytest.fixture(scope="module")
def postgres_builds(daily_raw: Path, postgres_server, tmp_path_factory: pytest.TempPathFactory):
    """Days 1..4 loaded and built one by one into one database, then days 1..4 loaded and
    built in full into a second database of the same server."""
    marts = _public_marts()
    raw = tmp_path_factory.mktemp("incremental_pg") / "raw"
    settings = postgres_server.settings()
    modes = {}
    with environment({**settings, "LEAD_FUNNEL_TARGET": "postgres"}):
        for day in range(1, DAYS + 1):
            days_through(daily_raw, day, raw)
            load("postgres", raw)
            run_dbt(MODELS_ONLY, raw_dir=raw, dbt_vars=AS_OF, quiet=True)
            modes[day] = dict(
                _pg_query(
                    settings,
                    "select model_name, last_run_mode from incremental_state.lf_incremental_state",
                )[1]
            )
        incremental = _pg_rows(settings, marts)
        # the freshness query runs on PostgreSQL too; the loads ended on 2026-09-30
        with pytest.raises(DbtError) as stale:
            run_dbt(["source", "freshness"], raw_dir=raw, quiet=True)
    postgres_server.create_database("lead_funnel_full")
    full_settings = postgres_server.settings("lead_funnel_full")
    with environment({**full_settings, "LEAD_FUNNEL_TARGET": "postgres"}):
        load("postgres", raw)
        run_dbt(MODELS_ONLY, raw_dir=raw, dbt_vars=AS_OF, quiet=True)
        full = _pg_rows(full_settings, marts)
    return {
        "modes": modes,
        "incremental": incremental,
        "full": full,
        "stale": stale.value.failed_nodes,
    }


@pytest.mark.engines
def test_postgres_days_2_to_4_ran_incrementally(postgres_builds) -> None:
    for name in INCREMENTAL_MODELS:
        assert postgres_builds["modes"][1][name] == "full", name
        for day in (2, 3, 4):
            assert postgres_builds["modes"][day][name] == "incremental", (day, name)


@pytest.mark.engines
def test_postgres_incremental_equals_full(postgres_builds) -> None:
    assert len(postgres_builds["full"]) >= 20
    problems = _mismatches(postgres_builds["full"], postgres_builds["incremental"])
    assert not problems, "\n".join(problems[:20])
    assert len(postgres_builds["full"]["fct_lead_timeline"][1]) > 5000


@pytest.mark.engines
def test_postgres_source_freshness_names_the_stale_sources(postgres_builds) -> None:
    stale = dict(postgres_builds["stale"])
    assert sorted(stale) == [
        "crm.accounts",
        "crm.lead_status_changes",
        "crm.leads",
        "crm.opportunities",
        "marketing.engagement_events",
        "marketing.marketing_spend",
        "product.product_usage_events",
        "sales.sales_activities",
    ]
    assert stale["marketing.engagement_events"].startswith("stale: newest row 2026-09-")


# --- a changed seed ---------------------------------------------------------------------------

#: An event type the generator injects as unknown mess; added to the seed, its events are
#: staged instead of quarantined.
ADDED_EVENT_TYPE = "video_play,web,Played a video on the website\n"


def _modes(db_path: Path) -> dict[str, str]:
    with duckdb.connect(str(db_path)) as con:
        return dict(
            con.execute(
                "select model_name, last_run_mode from incremental_state.lf_incremental_state"
            ).fetchall()
        )


def _video_plays(db_path: Path) -> tuple[int, int]:
    """(quarantined as unknown, staged) engagement events of type video_play."""
    with duckdb.connect(str(db_path)) as con:
        return con.execute(
            "select count(*) filter (where rejection_reason = 'unknown_event_type'),"
            " count(*) filter (where rejection_reason is null)"
            " from staging.base_marketing__engagement_events where event_type = 'video_play'"
        ).fetchone()


def _copy_built_through_day_2(daily_raw: Path, tmp_path_factory, name: str):
    """A copy of the project whose warehouse holds day 1 built in full and day 2 incrementally.

    Returns its folder, the copy, its raw folder, its warehouse file, the dbt arguments of its
    runs (made with LEAD_FUNNEL_PROJECT_DIR naming the copy) and the public marts.
    """
    work = tmp_path_factory.mktemp(name)
    project = copy_project(work, paths.project_dir())
    raw, db = work / "raw", work / "incremental.duckdb"
    args = [*MODELS_ONLY, "--target-path", str(work / "target")]
    with environment({"LEAD_FUNNEL_PROJECT_DIR": str(project)}):
        for day in (1, 2):
            days_through(daily_raw, day, raw)
            run_dbt(args, raw_dir=raw, duckdb_path=db, dbt_vars=AS_OF, quiet=True)
    return work, project, raw, db, args, _public_marts()


@pytest.fixture(scope="module")
def seed_change(daily_raw: Path, tmp_path_factory: pytest.TempPathFactory):
    work, project, raw, db, args, marts = _copy_built_through_day_2(
        daily_raw, tmp_path_factory, "seed_change"
    )
    out = {}
    with environment({"LEAD_FUNNEL_PROJECT_DIR": str(project)}):
        out["before"] = (_modes(db), _video_plays(db))
        with (project / "seeds" / "engagement_event_types.csv").open("a") as handle:
            handle.write(ADDED_EVENT_TYPE)
        run_dbt(args, raw_dir=raw, duckdb_path=db, dbt_vars=AS_OF, quiet=True)
        out["changed"] = (_modes(db), _video_plays(db), _rows(db, marts))
        run_dbt(args, raw_dir=raw, duckdb_path=db, dbt_vars=AS_OF, quiet=True)
        out["unchanged"] = (_modes(db), _rows(db, marts))
        full_db = work / "full.duckdb"
        run_dbt(args, raw_dir=raw, duckdb_path=full_db, dbt_vars=AS_OF, quiet=True)
        out["full"] = (_video_plays(full_db), _rows(full_db, marts))
    return out


def test_a_changed_seed_rebuilds_in_full_and_equals_a_full_build(seed_change) -> None:
    modes, (quarantined, staged) = seed_change["before"]
    assert {name: modes[name] for name in INCREMENTAL_MODELS} == dict.fromkeys(
        INCREMENTAL_MODELS, "incremental"
    )
    assert quarantined > 0 and staged == 0, "video_play is unknown to the original seed"
    modes, plays, rows = seed_change["changed"]
    assert {name: modes[name] for name in INCREMENTAL_MODELS} == dict.fromkeys(
        INCREMENTAL_MODELS, "full"
    )
    assert plays[0] == 0 and plays[1] > 0, "the new seed row stages video_play events"
    full_plays, full_rows = seed_change["full"]
    assert plays == full_plays
    problems = _mismatches(full_rows, rows)
    assert not problems, "\n".join(problems[:20])


def test_a_run_with_unchanged_seeds_stays_incremental(seed_change) -> None:
    modes, rows = seed_change["unchanged"]
    assert {name: modes[name] for name in INCREMENTAL_MODELS} == dict.fromkeys(
        INCREMENTAL_MODELS, "incremental"
    )
    problems = _mismatches(seed_change["full"][1], rows)
    assert not problems, "\n".join(problems[:20])


# --- a new version of the project --------------------------------------------------------------

#: A new version of a macro the scoring models use: scores rounded to 2 digits, not 10.
ROUND_BEFORE = "round({{ expression }}, {{ digits }})"
ROUND_AFTER = "round({{ expression }}, {{ digits }} - 8)"
#: A new version of an incremental model with one more column.
RESOLVED_BEFORE = "select * from resolved"
RESOLVED_AFTER = "select *, 'v2' as code_version from resolved"


def _finer_than_cents(db_path: Path) -> int:
    """History rows whose lead_score has more than two decimals."""
    with duckdb.connect(str(db_path)) as con:
        return con.execute(
            "select count(*) from marts.fct_lead_score_history"
            " where abs(lead_score - round(lead_score, 2)) > 1e-12"
        ).fetchone()[0]


@pytest.fixture(scope="module")
def code_change(daily_raw: Path, tmp_path_factory: pytest.TempPathFactory):
    work, project, raw, db, args, marts = _copy_built_through_day_2(
        daily_raw, tmp_path_factory, "code_change"
    )
    out = {}
    with environment({"LEAD_FUNNEL_PROJECT_DIR": str(project)}):
        out["before"] = (_modes(db), _finer_than_cents(db))
        scoring_dir = project / "models" / "intermediate" / "scoring"
        for path, before, after in (
            (project / "macros" / "cross_db" / "safe_cast.sql", ROUND_BEFORE, ROUND_AFTER),
            (scoring_dir / "int_engagement_events_resolved.sql", RESOLVED_BEFORE, RESOLVED_AFTER),
        ):
            text = path.read_text()
            assert text.count(before) == 1, path
            path.write_text(text.replace(before, after))
        run_dbt(args, raw_dir=raw, duckdb_path=db, dbt_vars=AS_OF, quiet=True)
        with duckdb.connect(str(db)) as con:
            versions = con.execute(
                "select count(*), count(*) filter (where code_version = 'v2')"
                " from intermediate.int_engagement_events_resolved"
            ).fetchone()
        out["changed"] = (_modes(db), _finer_than_cents(db), versions, _rows(db, marts))
        full_db = work / "full.duckdb"
        run_dbt(args, raw_dir=raw, duckdb_path=full_db, dbt_vars=AS_OF, quiet=True)
        out["full"] = _rows(full_db, marts)
    return out


def test_a_new_version_of_a_macro_or_a_model_rebuilds_in_full(code_change) -> None:
    """A changed macro (not the model's own file) and a new column rebuild the stored rows.

    Without the macros in the fingerprint the run would stay incremental and keep the old
    rounding on every untouched lead; without on_schema_change syncing the columns, dbt would
    stop on the new column.
    """
    modes, finer = code_change["before"]
    assert {name: modes[name] for name in INCREMENTAL_MODELS} == dict.fromkeys(
        INCREMENTAL_MODELS, "incremental"
    )
    assert finer > 0, "scores rounded to 10 digits have more than two decimals"
    modes, finer, (rows, new_version_rows), marts = code_change["changed"]
    assert {name: modes[name] for name in INCREMENTAL_MODELS} == dict.fromkeys(
        INCREMENTAL_MODELS, "full"
    )
    assert finer == 0, "every stored score is rounded by the new macro"
    assert rows > 0 and new_version_rows == rows, "every stored row has the new column"
    problems = _mismatches(code_change["full"], marts)
    assert not problems, "\n".join(problems[:20])
