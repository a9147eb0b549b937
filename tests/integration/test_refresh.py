"""`lead-funnel refresh` and `rollback`: the published file is replaced only by a whole, checked
build, atomically; readers keep what they opened; a failed, killed or out-of-memory run leaves
the published file as it was and the next refresh succeeds.

The refreshes run as real subprocesses of the CLI, killed with SIGKILL where a test says so.
The slow tests below share one published folder and run in file order, like a scheduler's
days: a first publish, three runs killed at different steps, an out-of-memory run, a publish
with a reader attached, a rollback, a refused publish.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest

from lead_funnel import refresh as refresh_module
from lead_funnel.refresh import (
    EXIT_LOCKED,
    HISTORY_TABLE,
    Locked,
    RefreshLock,
    kept_versions,
    versions_dir,
)
from tests.conftest import FIXTURES, copy_warehouse, query

LEADS = 200
SEED = 7
SRC = Path(refresh_module.__file__).resolve().parents[1]


# --------------------------------------------------------------------------------------------
# helpers


def _env(**settings: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(SRC), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    for name in ("LEAD_FUNNEL_REFRESH_PAUSE_AT", "LEAD_FUNNEL_DUCKDB_MEMORY_LIMIT"):
        env.pop(name, None)
    env.update(settings)
    return env


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "lead_funnel.cli", *args]


class Refresh:
    """A `lead-funnel refresh` subprocess whose output goes to files the test can poll."""

    def __init__(self, folder: Path, name: str, args: list[str], **settings: str):
        self.out_path = folder / f"{name}.out"
        self.err_path = folder / f"{name}.err"
        self._out = open(self.out_path, "w")  # noqa: SIM115 - closed in wait()/kill()
        self._err = open(self.err_path, "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            _cli("refresh", *args), stdout=self._out, stderr=self._err, env=_env(**settings)
        )

    def text(self) -> tuple[str, str]:
        return self.out_path.read_text(), self.err_path.read_text()

    def wait_for(self, pattern: str, timeout: float = 600) -> re.Match:
        """Polls the output until `pattern` appears; fails if the process ends first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            out, err = self.text()
            found = re.search(pattern, out + err)
            if found:
                return found
            assert self.proc.poll() is None, f"refresh ended early:\n{out[-3000:]}\n{err[-3000:]}"
            time.sleep(0.2)
        raise AssertionError(f"no {pattern!r} within {timeout} s")

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=60)
        self._close()

    def wait(self, timeout: float = 1200) -> tuple[int, str, str]:
        code = self.proc.wait(timeout=timeout)
        self._close()
        return (code, *self.text())

    def _close(self) -> None:
        self._out.close()
        self._err.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _count(db: Path, relation: str) -> int:
    """Rows of `relation`, read in another process (this one may hold the file open)."""
    code = (
        "import duckdb, sys\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "print(con.execute(f'select count(*) from {sys.argv[2]}').fetchone()[0])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(db), relation],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return int(done.stdout)


def _add_lead(raw_dir: Path, lead_id: str) -> None:
    """One more lead, a copy of the first one under a new id (and a new e-mail address)."""
    with open(raw_dir / "leads.csv", newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields = reader.fieldnames
        first = next(reader)
    first.update(lead_id=lead_id, email=f"{lead_id.lower()}@example.org")
    with open(raw_dir / "leads.csv", "a", newline="", encoding="utf-8") as fh:
        # as the generator writes: every field quoted but empty ones, lines ending in \n
        line = ",".join(f'"{first[name]}"' if first[name] else "" for name in fields)
        fh.write(line + "\n")


def _make_version(path: Path, version: int, leads: int) -> None:
    """A small warehouse file as a refresh would publish it: a history row and `leads` leads."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema audit")
        con.execute(f"create table {HISTORY_TABLE} (version bigint)")
        con.execute(f"insert into {HISTORY_TABLE} select range from range(1, {version + 1})")
        con.execute("create schema marts")
        con.execute(f"create table marts.leads as select range as lead_id from range({leads})")


_HOLD_LOCK = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from lead_funnel.refresh import RefreshLock\n"
    "RefreshLock(Path(sys.argv[1])).acquire('lead-funnel refresh', '2026-12-01 06:00:00 UTC')\n"
    "print('held', flush=True)\n"
    "time.sleep(600)\n"
)


def _hold_lock(lock_path: Path) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLD_LOCK, str(lock_path)],
        stdout=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    assert proc.stdout.readline().strip() == "held"
    return proc


# --------------------------------------------------------------------------------------------
# quick tests: the lock, versions and rollback on real DuckDB files, without dbt


def test_lock_names_the_running_holder_and_takes_over_a_killed_one(tmp_path: Path):
    lock_path = tmp_path / "refresh.lock"
    holder = _hold_lock(lock_path)
    try:
        with pytest.raises(Locked) as refused:
            RefreshLock(lock_path).acquire("lead-funnel refresh", "now")
        assert refused.value.holder.pid == holder.pid
        assert refused.value.holder.started_at == "2026-12-01 06:00:00 UTC"
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    # the killed holder's flock is gone with it; its name in the file shows it did not finish
    lock = RefreshLock(lock_path)
    stale = lock.acquire("lead-funnel refresh", "later")
    assert stale is not None and stale.pid == holder.pid
    lock.release()
    # a lock released on the way out leaves nothing to take over
    again = RefreshLock(lock_path)
    assert again.acquire("lead-funnel refresh", "later still") is None
    again.release()


def test_a_second_refresh_exits_75_naming_the_first(tmp_path: Path):
    published = tmp_path / "lead_funnel.duckdb"
    holder = _hold_lock(versions_dir(published) / "refresh.lock")
    try:
        started = time.monotonic()
        done = subprocess.run(
            _cli(
                "refresh", "--raw-dir", str(FIXTURES / "raw_small"), "--duckdb-path", str(published)
            ),
            capture_output=True,
            text=True,
            env=_env(),
            timeout=120,
        )
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert done.returncode == EXIT_LOCKED == 75, done.stderr
    assert (
        f"another refresh is running: lead-funnel refresh (pid {holder.pid}, started "
        "2026-12-01 06:00:00 UTC); not starting a second one" in done.stderr
    )
    assert time.monotonic() - started < 60  # it did not wait for the lock (nor run dbt)
    assert not published.exists()


def test_rollback_restores_the_previous_version_atomically(tmp_path: Path):
    published = tmp_path / "lead_funnel.duckdb"
    folder = versions_dir(published)
    folder.mkdir()
    for version, leads in ((1, 10), (2, 20), (3, 30)):
        _make_version(folder / f"v{version:04d}.duckdb", version, leads)
    shutil.copyfile(folder / "v0003.duckdb", published)
    assert list(kept_versions(published)) == [1, 2, 3]

    reader = duckdb.connect(str(published), read_only=True)
    try:
        done = subprocess.run(
            _cli("rollback", "--duckdb-path", str(published)),
            capture_output=True,
            text=True,
            env=_env(),
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == (
            f"Rolled back {published} from version 3 to version 2; kept: v1, v2, v3"
        )
        # the open reader keeps the file it opened; a new connection sees version 2
        assert reader.execute("select count(*) from marts.leads").fetchone()[0] == 30
        assert _count(published, "marts.leads") == 20
    finally:
        reader.close()
    assert "from version 3 to version 2" in (folder / "refresh.log").read_text()

    done = subprocess.run(
        _cli("rollback", "--duckdb-path", str(published)),
        capture_output=True,
        text=True,
        env=_env(),
    )
    assert done.returncode == 0 and "from version 2 to version 1" in done.stdout
    assert _count(published, "marts.leads") == 10
    done = subprocess.run(
        _cli("rollback", "--duckdb-path", str(published)),
        capture_output=True,
        text=True,
        env=_env(),
    )
    assert done.returncode == 2
    assert "no version before version 1 is kept" in done.stderr
    assert _count(published, "marts.leads") == 10


def test_rollback_waits_for_no_refresh(tmp_path: Path):
    published = tmp_path / "lead_funnel.duckdb"
    _make_version(published, 2, 5)
    holder = _hold_lock(versions_dir(published) / "refresh.lock")
    try:
        done = subprocess.run(
            _cli("rollback", "--duckdb-path", str(published)),
            capture_output=True,
            text=True,
            env=_env(),
            timeout=120,
        )
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    assert done.returncode == 75
    assert f"a refresh is running: lead-funnel refresh (pid {holder.pid}" in done.stderr


def test_keep_versions_must_be_a_positive_number(tmp_path: Path):
    done = subprocess.run(
        _cli(
            "refresh",
            "--raw-dir",
            str(FIXTURES / "raw_small"),
            "--duckdb-path",
            str(tmp_path / "w.duckdb"),
        ),
        capture_output=True,
        text=True,
        env=_env(LEAD_FUNNEL_KEEP_VERSIONS="0"),
        timeout=120,
    )
    assert done.returncode == 2
    assert "LEAD_FUNNEL_KEEP_VERSIONS must be a whole number >= 1" in done.stderr


# --------------------------------------------------------------------------------------------
# views without the catalog


@pytest.mark.slow
def test_every_view_resolves_in_a_copy_under_another_name(small_warehouse: Path, tmp_path: Path):
    copy = copy_warehouse(small_warehouse, tmp_path / "a_copy_for_analysts.duckdb")
    with duckdb.connect(str(copy), read_only=True) as con:
        views = con.execute(
            "select schema_name, view_name, sql from duckdb_views() where not internal"
        ).fetchall()
        # every layer's views, and none names the catalog of the file it was built in
        assert {schema for schema, _, _ in views} >= {"raw", "staging", "intermediate"}
        assert len(views) >= 20
        catalog = small_warehouse.stem
        assert not [name for _, name, sql in views if f"{catalog}." in sql]
        for schema, name, _ in views:
            con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()
        leads = con.execute("select count(*) from staging.stg_crm__leads").fetchone()[0]
    # four leads in the fixture, one quarantined ('not a date'): the copy reads what was built
    assert leads == query(small_warehouse, "select count(*) from staging.stg_crm__leads")[0][0] == 3


# --------------------------------------------------------------------------------------------
# a scheduler's days


@pytest.fixture(scope="module")
def day(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One published folder, its raw files (generated) and a place for the outputs."""
    from lead_funnel.generator import generate

    root = tmp_path_factory.mktemp("refresh")
    raw = root / "raw"
    generate(LEADS, SEED, raw, profile="default", progress=False)
    published = root / "warehouse" / "lead_funnel.duckdb"
    return {
        "root": root,
        "raw": raw,
        "published": published,
        "args": [
            "--raw-dir",
            str(raw),
            "--duckdb-path",
            str(published),
            "--docs-dir",
            str(root / "docs"),
        ],
        "killed": [],
    }


def _unchanged(day: dict, digest: str) -> None:
    published = day["published"]
    assert _digest(published) == digest
    assert not Path(str(published) + ".wal").exists()
    assert _count(published, "staging.stg_crm__leads") == day["leads"]
    assert _count(published, "marts.fct_lead_scores") == day["scores"]


@pytest.mark.slow
def test_first_refresh_publishes_version_1(day: dict):
    code, out, err = Refresh(day["root"], "first", day["args"]).wait()
    assert code == 0, out[-3000:] + err[-3000:]
    published = day["published"]
    day["leads"] = _count(published, "staging.stg_crm__leads")
    day["scores"] = _count(published, "marts.fct_lead_scores")
    assert day["leads"] == LEADS
    assert day["scores"] == 2 * LEADS  # one row per lead and scoring model (two models)
    summary = out[out.index("Published ") :].splitlines()
    assert summary[0].startswith(f"Published {published}: version 1 (refresh took ")
    with duckdb.connect(str(published), read_only=True) as con:
        marts = con.execute(
            "select count(*) from duckdb_tables() where schema_name = 'marts'"
        ).fetchone()[0]
    assert summary[2].startswith(f"  marts: {marts} tables, ")
    assert summary[2].endswith("; fct_lead_scores 400 rows")
    assert summary[3] == (
        f"  versions kept in {versions_dir(published)}: v1; undo with lead-funnel rollback"
    )
    for step in ("lock", "copy", "build", "gates", "check", "publish"):
        assert f"] {step}: " in err
    assert "no published file at" in err
    assert list(kept_versions(published)) == [1]
    assert _digest(kept_versions(published)[1]) == _digest(published)
    assert not (versions_dir(published) / "work").exists()
    with duckdb.connect(str(published), read_only=True) as con:
        history = con.execute(f"select version, raw_dir from {HISTORY_TABLE}").fetchall()
        views = con.execute(
            "select schema_name, view_name from duckdb_views() where not internal"
        ).fetchall()
        for schema, name in views:  # the published file is not named like the working copy's folder
            con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()
    assert history == [(1, str(day["raw"].resolve()))]
    day["digest"] = _digest(published)


@pytest.mark.slow
def test_kill_during_dbt_build_leaves_the_published_file_readable(day: dict):
    published = day["published"]
    first = Refresh(day["root"], "killed_build", day["args"])
    first.wait_for(r"\d+ of \d+ OK created sql table model", timeout=900)
    # while dbt writes the working copy, readers and a second refresh see the published file
    assert _count(published, "marts.fct_lead_scores") == day["scores"]
    second = subprocess.run(
        _cli("refresh", *day["args"]), capture_output=True, text=True, env=_env(), timeout=120
    )
    assert second.returncode == 75
    started = json.loads((versions_dir(published) / "refresh.lock").read_text())["started_at"]
    assert (
        f"another refresh is running: lead-funnel refresh (pid {first.proc.pid}, started "
        f"{started})" in second.stderr
    )
    first.kill()
    day["killed"].append(first.proc.pid)
    _unchanged(day, day["digest"])


@pytest.mark.slow
@pytest.mark.parametrize("step", ["check", "publish"])
def test_kill_at_a_later_step_leaves_the_published_file_unchanged(day: dict, step: str):
    run = Refresh(day["root"], f"killed_{step}", day["args"], LEAD_FUNNEL_REFRESH_PAUSE_AT=step)
    run.wait_for(rf"\] {step}: pausing \d+ s here \(LEAD_FUNNEL_REFRESH_PAUSE_AT", timeout=900)
    out, err = run.text()
    previous = day["killed"][-1]
    assert f"taking over the stale lock of lead-funnel refresh (pid {previous}, started " in err
    assert "(process gone)" in err
    assert "removing the working copy left by an earlier refresh" in err
    assert _count(day["published"], "marts.fct_lead_scores") == day["scores"]
    run.kill()
    day["killed"].append(run.proc.pid)
    _unchanged(day, day["digest"])
    assert list(kept_versions(day["published"])) == [1]


@pytest.mark.slow
def test_out_of_memory_stops_the_refresh_with_one_clear_message(day: dict):
    code, out, err = Refresh(
        day["root"], "oom", day["args"], LEAD_FUNNEL_DUCKDB_MEMORY_LIMIT="40MB"
    ).wait()
    assert code == 1, err[-3000:]
    spill = versions_dir(day["published"]) / "work" / "tmp"
    assert re.search(
        r"lead-funnel refresh: not published \(build\): (model \w+|the raw landing and publish "
        r"hooks \(on-run-start, on-run-end\)) ran out of memory \(memory limit: 40MB; temp "
        r"directory: " + re.escape(str(spill)) + r"\): raise LEAD_FUNNEL_DUCKDB_MEMORY_LIMIT",
        err,
    ), err[-3000:]
    assert f"{day['published']} is unchanged" in err
    _unchanged(day, day["digest"])


@pytest.mark.slow
def test_next_refresh_publishes_new_data_while_a_reader_stays_connected(day: dict):
    published = day["published"]
    _add_lead(day["raw"], "L09999999")
    reader = duckdb.connect(str(published), read_only=True)
    try:
        assert reader.execute("select count(*) from staging.stg_crm__leads").fetchone()[0] == LEADS
        run = Refresh(day["root"], "second", day["args"])
        run.wait_for(r"\d+ of \d+ OK created sql table model", timeout=900)
        # new connections are let in during the build
        assert _count(published, "staging.stg_crm__leads") == LEADS
        code, out, err = run.wait()
        assert code == 0, out[-3000:] + err[-3000:]
        assert f"Published {published}: version 2 (refresh took " in out
        assert "fct_lead_scores 402 rows (was 400)" in out
        # the open reader keeps the version it opened ...
        assert reader.execute("select count(*) from staging.stg_crm__leads").fetchone()[0] == LEADS
        assert reader.execute(f"select max(version) from {HISTORY_TABLE}").fetchone()[0] == 1
    finally:
        reader.close()
    # ... and every connection opened after the publish reads the new one
    assert _count(published, "staging.stg_crm__leads") == LEADS + 1
    assert _count(published, "marts.fct_lead_scores") == 2 * (LEADS + 1)
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute(f"select max(version) from {HISTORY_TABLE}").fetchone()[0] == 2
        assert con.execute(
            "select staged_rows from audit.published_table_counts where source_table = 'leads'"
            " order by build_number"
        ).fetchall() == [(LEADS,), (LEADS + 1,)]
    assert list(kept_versions(published)) == [1, 2]
    day["v2_digest"] = _digest(published)


@pytest.mark.slow
def test_rollback_puts_version_1_back(day: dict):
    published = day["published"]
    done = subprocess.run(
        _cli("rollback", "--duckdb-path", str(published)),
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout.strip() == f"Rolled back {published} from version 2 to version 1; kept: v1, v2"
    )
    assert _digest(published) == day["digest"]
    assert _count(published, "staging.stg_crm__leads") == LEADS


@pytest.mark.slow
def test_a_gate_refuses_an_empty_export_with_its_figure(day: dict):
    published = day["published"]
    events = _count(published, "staging.stg_marketing__engagement_events")
    assert events > 1000
    with open(day["raw"] / "engagement_events.csv", encoding="utf-8") as fh:
        header = fh.readline()
    (day["raw"] / "engagement_events.csv").write_text(header, encoding="utf-8")
    code, out, err = Refresh(day["root"], "gated", day["args"]).wait()
    assert code == 3, err[-3000:]
    assert (
        "lead-funnel refresh: not published (gates): publish gates: raw table engagement_events: "
        f"no rows staged, the last published build had {events} (a missing or empty export?)"
    ) in err
    assert _digest(published) == day["digest"]
    assert list(kept_versions(published)) == [1, 2]


@pytest.mark.slow
def test_a_failed_quality_check_publishes_nothing(tmp_path: Path):
    """The hand-made fixture builds (its bad rows are quarantined) but fails the critical
    expectations on the raw files: on a first run nothing is published at all."""
    published = tmp_path / "lead_funnel.duckdb"
    args = ["--raw-dir", str(FIXTURES / "raw_small"), "--duckdb-path", str(published)]
    code, out, err = Refresh(
        tmp_path, "check", [*args, "--docs-dir", str(tmp_path / "docs")]
    ).wait()
    assert code == 4, err[-3000:]
    assert re.search(
        r"lead-funnel refresh: not published \(check\): quality check: 10 critical expectations "
        r"not met: raw_accounts: expect_column_values_to_match_regex\(employee_count\): 25\.00% "
        r"of 4 rows unexpected",
        err,
    ), err[-3000:]
    assert not published.exists()
    assert kept_versions(published) == {}
    assert (versions_dir(published) / "work" / published.name).is_file()  # kept to inspect


@pytest.mark.slow
def test_stale_sources_stop_a_refresh_that_requires_fresh_data(tmp_path: Path):
    from lead_funnel.cli import main as cli_main

    # daily loads generated today pass the gate: the refresh goes on to the build
    fresh = tmp_path / "fresh"
    argv = ["generate", "--leads", "1500", "--seed", "7", "--out", str(fresh), "--no-progress"]
    assert cli_main([*argv, "--daily", "2"]) == 0
    published = tmp_path / "warehouse" / "lead_funnel.duckdb"
    args = ["--raw-dir", str(fresh), "--duckdb-path", str(published), "--require-fresh"]
    run = Refresh(tmp_path, "fresh", args, LEAD_FUNNEL_REFRESH_PAUSE_AT="build")
    try:
        run.wait_for(r"\] freshness: 9 sources checked, none past its error threshold")
        run.wait_for(r"\] build: pausing")
    finally:
        run.kill()
    assert not published.exists()

    # the same data ending 30 days ago: stopped before the build, every stale source named
    ended = (datetime.now(timezone.utc) - timedelta(days=30)).strftime("%Y-%m-%d")
    raw = tmp_path / "raw"
    argv = ["generate", "--leads", "100", "--seed", "3", "--out", str(raw), "--no-progress"]
    assert cli_main([*argv, "--end-date", ended]) == 0
    args = ["--raw-dir", str(raw), "--duckdb-path", str(published)]
    code, out, err = Refresh(tmp_path, "stale", args, LEAD_FUNNEL_REFRESH_REQUIRE_FRESH="1").wait()
    assert code == 3, out[-3000:] + err[-3000:]
    message = err.strip().splitlines()[-1]
    assert message.startswith(
        "lead-funnel refresh: not published (freshness): source freshness: 8 source(s) past "
        "their error threshold: "
    ), message
    for source in ("crm.leads", "marketing.engagement_events", "sales.sales_activities"):
        found = re.search(
            rf"{re.escape(source)}: stale: newest row [\d-]+ [\d:]+, ([\d.]+) days old", message
        )
        assert found and 14 < float(found.group(1)) < 400, (source, message)
    assert f"{published} is unchanged" in message
    assert "] build: " not in err, "a stale raw folder is not built"
    assert not published.exists()
