"""Benchmarks of the scoring layer: wall time and peak memory, printed, never asserted.

The staging layer is built once; then the scoring models are rebuilt `runs` times, each in
its own `dbt run` process under `/usr/bin/time -v`, so the figures are the wall time and the
maximum resident set size of exactly that work. Optionally the plain-Python reference scores
the same staged data in this process, for a side-by-side ratio on one machine in one run.

`dense_copy` turns a raw folder into one with the same engagement events on a tenth of the
leads (every ten leads' events moved onto the first of them), so the cost per event can be
compared at equal total events with ten times the events per lead: a linear scoring layer
costs about the same per event on both.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from lead_funnel import paths, schemas

#: Built once with staging: what the scoring layer reads but does not own.
UPSTREAM_MODELS = (
    "staging",
    "audit",
    "int_leads_resolved",
    "int_data_watermark",
    "int_lifecycle_events_resolved",
    "int_lead_account_matches",
    "int_product_signals_fired",
    "int_lead_pql_moments",
)

SCORING_MODELS = (
    "int_lead_fit_attributes_derived",
    "int_lead_fit_scored",
    "int_engagement_events_resolved",
    "int_scoring_resets",
    "int_scoring_accumulators",
    "int_lead_suppression_periods",
    "int_lead_current_segments",
    "int_engagement_events_scored",
    "int_lead_scores_at_each_event",
    "int_lead_mql_moments",
    "fct_lead_scores",
    "fct_lead_score_history",
    "fct_lead_score_components",
)


@dataclass
class Measurement:
    """One timed run: wall seconds, peak resident memory in MiB and dbt's seconds per model."""

    seconds: float
    max_rss_mib: float
    model_seconds: dict[str, float] = field(default_factory=dict)


def _dbt_executable() -> str:
    candidate = Path(sys.executable).with_name("dbt")
    return str(candidate) if candidate.exists() else "dbt"


def _timed_dbt(args: list[str], env: dict[str, str], dbt_vars: str) -> Measurement:
    """One dbt command in a child process under /usr/bin/time -v.

    A child process, not dbt's in-process runner: DuckDB allows one writing process per file,
    and each run's peak memory must be its own.
    """
    project = paths.project_dir()
    command = [
        "/usr/bin/time",
        "-v",
        _dbt_executable(),
        "--quiet",
        *args,
        "--project-dir",
        str(project),
        "--profiles-dir",
        str(project),
        "--vars",
        dbt_vars,
    ]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"dbt {args[0]} failed:\n{done.stdout}\n{done.stderr}")
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    rss = int(match.group(1)) / 1024 if match else float("nan")
    return Measurement(seconds, rss, _model_seconds(env))


def _run_results(target: Path) -> list[tuple[str, float]]:
    """(unique_id, dbt's execution seconds) of every node of the last command in `target`."""
    results = Path(target) / "run_results.json"
    if not results.is_file():
        return []
    nodes = json.loads(results.read_text())["results"]
    return [(node["unique_id"], node["execution_time"]) for node in nodes]


def _model_seconds(env: dict[str, str]) -> dict[str, float]:
    """dbt's execution seconds per model of the last command."""
    target = Path(env.get("DBT_TARGET_PATH") or paths.project_dir() / "target")
    return {
        unique_id.split(".")[-1]: round(seconds, 2)
        for unique_id, seconds in _run_results(target)
        if unique_id.startswith("model.")
    }


def bench_scoring(
    raw_dir: Path, db_path: Path, runs: int, as_of: str, reference: bool
) -> dict[str, object]:
    """Build staging once, then time the scoring layer `runs` times; optionally the reference."""
    dbt_vars = f'{{"score_as_of": "{as_of}"}}'
    env = _build_env(raw_dir, db_path, Path(db_path).resolve().parent / "target")
    _timed_dbt(["seed"], env, dbt_vars)
    staging = _timed_dbt(["run", "--select", *UPSTREAM_MODELS], env, dbt_vars)
    print(
        f"staging built in {staging.seconds:.1f} s, peak {staging.max_rss_mib:.0f} MiB",
        flush=True,
    )
    measurements = []
    for run in range(runs):
        # --full-refresh: the scoring layer's per-event models are incremental, and a run
        # again on the same rows would touch no lead
        measurements.append(
            _timed_dbt(["run", "--full-refresh", "--select", *SCORING_MODELS], env, dbt_vars)
        )
        last = measurements[-1]
        slowest = sorted(last.model_seconds.items(), key=lambda item: -item[1])[:5]
        print(
            f"scoring run {run + 1}: {last.seconds:.1f} s, peak {last.max_rss_mib:.0f} MiB; "
            + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in slowest),
            flush=True,
        )

    with duckdb.connect(str(db_path), read_only=True) as con:
        n_events = _count(con, "staging", "stg_marketing__engagement_events")
        n_leads = _count(con, "staging", "stg_crm__leads")
        n_history = _count(con, "marts", "fct_lead_score_history")
    result: dict[str, object] = {
        "leads": n_leads,
        "events": n_events,
        "history_rows": n_history,
        "staging_seconds": round(staging.seconds, 2),
        "staging_max_rss_mib": round(staging.max_rss_mib, 1),
        "runs": [(round(m.seconds, 2), round(m.max_rss_mib, 1)) for m in measurements],
        "median_seconds": statistics.median(m.seconds for m in measurements),
        "max_rss_mib": max(m.max_rss_mib for m in measurements),
        "median_model_seconds": {
            name: statistics.median(m.model_seconds.get(name, 0.0) for m in measurements)
            for name in SCORING_MODELS
        },
    }
    if reference:
        result["reference_seconds"] = _time_reference(db_path, as_of)
    return result


def _time_reference(db_path: Path, as_of: str) -> dict[str, float]:
    """Seconds the plain-Python reference takes to score the staged data, per scoring model."""
    from lead_funnel.scoring import reference as ref

    with duckdb.connect(str(db_path), read_only=True) as con:
        lead_rows = con.execute(
            f"""
            select l.lead_id, l.job_title, l.email_domain, l.country, a.industry,
                   a.employee_count, a.annual_revenue, a.country, a.account_domain,
                   l.created_at, l.merged_into_lead_id
            from {schemas.table("staging", "stg_crm__leads")} as l
            left join {schemas.table("staging", "stg_crm__accounts")} as a
                on l.account_id = a.account_id
            """
        ).fetchall()
        event_rows = con.execute(
            f"""
            select event_id, event_type, occurred_at, properties, lead_id
            from {schemas.table("staging", "stg_marketing__engagement_events")}
            """
        ).fetchall()
        change_rows = con.execute(
            "select changed_at, status, lead_id"
            f" from {schemas.table('staging', 'stg_crm__lead_status_changes')}"
        ).fetchall()
    leads = [
        ref.LeadRecord(
            ref.LeadProfile(
                lead_id=r[0],
                job_title=r[1],
                email_domain=r[2],
                country=r[3],
                industry=r[4],
                employee_count=None if r[5] is None else float(r[5]),
                annual_revenue=None if r[6] is None else float(r[6]),
                account_country=r[7],
                account_domain=r[8],
            ),
            created_at=r[9],
            merged_into_lead_id=r[10],
        )
        for r in lead_rows
    ]
    events = [ref.Event(r[0], r[1], r[2], r[3], r[4]) for r in event_rows]
    changes = [ref.StatusChange(r[0], r[1], lead_id=r[2]) for r in change_rows]
    rules = ref.load_rules()
    at = datetime.strptime(as_of, "%Y-%m-%d %H:%M:%S")
    timings = {}
    for model in sorted(rules.models):
        started = time.perf_counter()
        ref.score_population(rules, model, leads, events, at, changes)
        timings[model] = round(time.perf_counter() - started, 2)
    return timings


def dense_copy(raw_dir: Path, out_dir: Path, factor: int = 10) -> Path:
    """A copy of `raw_dir` whose engagement events sit on every `factor`-th lead only.

    Leads are numbered in lead_id order; the events of leads k*factor .. k*factor+factor-1 move
    to the earliest-created lead of that group (so no event precedes its lead's creation): the
    total number of events stays and events per active lead grow by `factor`. Other tables
    are linked unchanged (Parquet or CSV, files or folders).
    """
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for entry in raw_dir.iterdir():
        if entry.name.startswith("engagement_events") or entry.name == "ground_truth":
            continue
        target = out_dir / entry.name
        if not target.exists():
            target.symlink_to(entry.resolve())
    sources = sorted(raw_dir.glob("engagement_events*"))
    leads = sorted(raw_dir.glob("leads*"))
    if not sources or not leads:
        raise FileNotFoundError(f"{raw_dir} lacks engagement_events or leads")

    def scan(path: Path) -> str:
        if path.is_dir():
            files = sorted(path.iterdir())
            kind = "parquet" if files and files[0].suffix == ".parquet" else "csv"
            path = path / f"*.{kind}"
        else:
            kind = "parquet" if path.suffix == ".parquet" else "csv"
        if kind == "parquet":
            return f"read_parquet('{path}')"
        return f"read_csv('{path}', all_varchar=true, header=true)"

    with duckdb.connect() as con:
        con.execute(
            f"""
            copy (
                with leads as (
                    select
                        lead_id,
                        min(try_cast(created_at as timestamp)) as created_at
                    from {scan(leads[0])}
                    group by lead_id
                ),
                numbered as (
                    select
                        lead_id,
                        created_at,
                        (row_number() over (order by lead_id) - 1) // {factor} as grp
                    from leads
                ),
                -- the group's earliest-created lead: every moved event still follows its creation
                targets as (
                    select numbered.lead_id, first_of_group.lead_id as dense_lead_id
                    from numbered
                    inner join (
                        select grp, arg_min(lead_id, (created_at, lead_id)) as lead_id
                        from numbered
                        where created_at is not null
                        group by grp
                    ) as first_of_group on numbered.grp = first_of_group.grp
                )
                select events.* replace (coalesce(targets.dense_lead_id, events.lead_id) as lead_id)
                from {scan(sources[0])} as events
                left join targets on events.lead_id = targets.lead_id
            ) to '{out_dir / "engagement_events.parquet"}' (format parquet)
            """
        )
    return out_dir


# --- the whole build: `lead-funnel bench --full` ---------------------------------------------


def _node_seconds(target: Path) -> dict[str, float]:
    """dbt's execution seconds of the last command per resource type (model, test, seed, ...)."""
    totals: dict[str, float] = {}
    for unique_id, seconds in _run_results(target):
        kind = unique_id.split(".")[0]
        totals[kind] = totals.get(kind, 0.0) + seconds
    return totals


def _compiled_model_sql(target: Path) -> list[tuple[str, str]]:
    """The SQL dbt ran for each model of the last command (target/run), in run order."""
    results = json.loads((target / "run_results.json").read_text())["results"]
    manifest = json.loads((target / "manifest.json").read_text())["nodes"]
    statements = []
    for node in results:
        unique_id = node["unique_id"]
        if not unique_id.startswith("model."):
            continue
        path = manifest[unique_id]["original_file_path"]
        package = manifest[unique_id]["package_name"]
        run_file = target / "run" / package / path
        if run_file.is_file():
            statements.append((unique_id.split(".")[-1], run_file.read_text()))
    return statements


def _run_compiled(db_path: Path, statements: list[tuple[str, str]]) -> float:
    """Runs the models' compiled SQL directly, in order, in one connection; wall seconds.

    `db_path` is a copy of the warehouse the statements were compiled for, under the same file
    name (the statements name its catalog). dbt builds a relation as `<name>__dbt_tmp` and then
    renames it; the direct run leaves the temporary relations, and later statements read the
    copy's relations, which hold the same rows.
    """
    limit = os.environ.get("LEAD_FUNNEL_DUCKDB_MEMORY_LIMIT")
    with duckdb.connect(str(db_path)) as con:
        if limit:
            con.execute(f"set memory_limit = '{limit}'")
        started = time.perf_counter()
        for _, sql in statements:
            con.execute(sql)
        return time.perf_counter() - started


def _build_env(raw_dir: Path, db_path: Path, target: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["LEAD_FUNNEL_RAW_DIR"] = str(Path(raw_dir).resolve())
    env["LEAD_FUNNEL_DUCKDB_PATH"] = str(Path(db_path).resolve())
    env["DBT_TARGET_PATH"] = str(target)
    env["DBT_LOG_PATH"] = str(target / "logs")
    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    return env


def _fresh_file(path: Path) -> Path:
    for stale in (path, path.with_name(path.name + ".wal")):
        stale.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _remove_db(path: Path) -> None:
    """A measured copy's file, its WAL and its spill folder, so the next copy has the disk."""
    import shutil

    _fresh_file(path)
    shutil.rmtree(path.with_name(path.name + ".tmp"), ignore_errors=True)


def _copy_db(source: Path, target: Path) -> Path:
    import shutil

    shutil.copyfile(source, _fresh_file(target))
    return target


def _count(con: duckdb.DuckDBPyConnection, layer: str, name: str) -> int:
    return con.execute(f"select count(*) from {schemas.table(layer, name)}").fetchone()[0]


def _counts(db_path: Path) -> tuple[int, int]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        leads = _count(con, "staging", "stg_crm__leads")
        return leads, _count(con, "staging", "stg_marketing__engagement_events")


def bench_full(
    daily_dir: Path,
    workdir: Path,
    runs: int,
    parts: Sequence[str] = ("full", "overhead", "incremental"),
) -> dict[str, object]:
    """The whole `dbt build` (tests included) on the two daily loads of `daily_dir`, timed.

    `parts` chooses among:
    - full: `runs` builds of days 1..2 into a new file each; wall time, peak RSS and the share
      of dbt's node seconds spent in data tests;
    - overhead (needs full): `dbt run --full-refresh` (models only) on a copy of a full build
      against running the very SQL it ran directly, in order, in one connection;
    - incremental: a file built from day 1 (once, and kept for the next bench; that build is
      timed and reported too) is copied and built again with day 2 added (one day of new
      data, late events, status changes, a merge), `runs` times, with the dbt command of
      `lead-funnel refresh` (data tests and gates, no unit tests).
    The as-of moment is the data's watermark (score_as_of unset), as in a daily refresh.
    Disk: one warehouse file and one copy at a time (a copy is removed once measured, the full
    build's file before the incremental part): at the peak about three times the file's size.
    """
    from lead_funnel.generator.daily import days_through

    workdir = Path(workdir)
    result: dict[str, object] = {
        "memory_limit": os.environ.get("LEAD_FUNNEL_DUCKDB_MEMORY_LIMIT") or "DuckDB's default"
    }
    if "full" in parts:
        all_raw = days_through(daily_dir, 2, workdir / "raw_all")
        built = workdir / "full" / "lead_funnel.duckdb"
        result["full_build"] = _bench_full_builds(all_raw, built, workdir, runs)
        result["leads"], result["events"] = _counts(built)
        if "overhead" in parts:
            result["dbt_overhead"] = _bench_overhead(all_raw, built, workdir)
        _remove_db(built)
    if "incremental" in parts:
        incremental = _bench_incremental(daily_dir, workdir, runs)
        result.update({key: incremental.pop(key) for key in ("leads", "events")})
        if "full_build" in result:
            incremental["share_of_full"] = round(
                incremental["median_seconds"] / result["full_build"]["median_seconds"], 3
            )
        result["incremental_build"] = incremental
    return result


def _bench_full_builds(all_raw: Path, built: Path, workdir: Path, runs: int) -> dict[str, object]:
    full = []
    for run in range(runs):
        db = _fresh_file(built)
        target = workdir / "target_full"
        measured = _timed_dbt(["build"], _build_env(all_raw, db, target), "{}")
        seconds = _node_seconds(target)
        test_share = seconds.get("test", 0.0) / max(sum(seconds.values()), 1e-9)
        full.append((measured, test_share))
        print(
            f"full build {run + 1}: {measured.seconds:.1f} s, peak {measured.max_rss_mib:.0f} MiB,"
            f" data tests {100 * test_share:.0f}% of dbt's node seconds",
            flush=True,
        )
    return {
        "runs": [(round(m.seconds, 1), round(m.max_rss_mib)) for m, _ in full],
        "median_seconds": round(statistics.median(m.seconds for m, _ in full), 1),
        "max_rss_mib": round(max(m.max_rss_mib for m, _ in full)),
        "median_data_test_share": round(statistics.median(s for _, s in full), 3),
    }


def _bench_overhead(all_raw: Path, built: Path, workdir: Path) -> dict[str, object]:
    target = workdir / "target_run"
    under_dbt = _copy_db(built, workdir / "overhead_dbt" / "lead_funnel.duckdb")
    dbt_run = _timed_dbt(["run", "--full-refresh"], _build_env(all_raw, under_dbt, target), "{}")
    _remove_db(under_dbt)
    direct_db = _copy_db(built, workdir / "overhead_direct" / "lead_funnel.duckdb")
    direct = _run_compiled(direct_db, _compiled_model_sql(target))
    _remove_db(direct_db)
    print(
        f"dbt run --full-refresh {dbt_run.seconds:.1f} s; its compiled SQL run directly "
        f"{direct:.1f} s",
        flush=True,
    )
    return {
        "dbt_run_seconds": round(dbt_run.seconds, 1),
        "direct_seconds": round(direct, 1),
        "overhead_share": round(dbt_run.seconds / direct - 1, 3),
    }


def _bench_incremental(daily_dir: Path, workdir: Path, runs: int) -> dict[str, object]:
    from lead_funnel.generator.daily import days_through
    from lead_funnel.refresh import build_args

    inc_raw = workdir / "inc" / "raw"
    base = workdir / "inc" / "base" / "lead_funnel.duckdb"
    day_1_build: object = "reused from an earlier bench"
    if not base.is_file():
        days_through(daily_dir, 1, inc_raw)
        measured = _timed_dbt(["build"], _build_env(inc_raw, base, workdir / "target_base"), "{}")
        day_1_build = (round(measured.seconds, 1), round(measured.max_rss_mib))
        print(
            f"day 1 build (the incremental runs' base): {measured.seconds:.1f} s, "
            f"peak {measured.max_rss_mib:.0f} MiB",
            flush=True,
        )
    days_through(daily_dir, 2, inc_raw)
    incremental = []
    run_db = workdir / "inc" / "run" / "lead_funnel.duckdb"
    for run in range(runs):
        db = _copy_db(base, run_db)
        measured = _timed_dbt(build_args(), _build_env(inc_raw, db, workdir / "target_inc"), "{}")
        incremental.append(measured)
        print(
            f"incremental build {run + 1} (day 2 onto day 1): {measured.seconds:.1f} s, "
            f"peak {measured.max_rss_mib:.0f} MiB",
            flush=True,
        )
    with duckdb.connect(str(run_db)) as con:
        modes = dict(
            con.execute(
                "select model_name, last_run_mode"
                f" from {schemas.table('incremental_state', 'lf_incremental_state')}"
            ).fetchall()
        )
    leads, events = _counts(run_db)
    _remove_db(run_db)
    return {
        "leads": leads,
        "events": events,
        "day_1_build": day_1_build,
        "runs": [(round(m.seconds, 1), round(m.max_rss_mib)) for m in incremental],
        "median_seconds": round(statistics.median(m.seconds for m in incremental), 1),
        "max_rss_mib": round(max(m.max_rss_mib for m in incremental)),
        "last_run_modes": modes,
    }
