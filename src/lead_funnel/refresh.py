"""The daily publish: build a working copy, check it, and put it in place of the published file.

`lead-funnel refresh` is the one command a scheduler runs. BI tools read the published file
(LEAD_FUNNEL_DUCKDB_PATH); DuckDB lets no reader in while a writer holds a file, so the build
never touches it. Instead, in the versions folder beside it (``<stem>.versions/``):

    refresh.lock             who is refreshing: pid and start time (an flock, released by the OS
                             when the process dies, so a killed run's lock is recognised as stale)
    refresh.log              one line per step of every refresh and rollback
    work/<name>              the working copy: a copy of the published file (incremental models
                             keep their state), or a new file on the first run
    work/tmp/                DuckDB's spill folder for the build (unless LEAD_FUNNEL_TEMP_DIR)
    v0001.duckdb, ...        the last LEAD_FUNNEL_KEEP_VERSIONS (default 3) published versions

Steps: lock, copy, freshness (with --require-fresh or LEAD_FUNNEL_REFRESH_REQUIRE_FRESH=1 only:
`dbt source freshness` on the raw folder; a source past its error_after threshold stops the
refresh before the build, named with its newest row and age), build (`dbt build`, tests and
publish gates included; unit tests, which check the SQL against literal inputs and read no
data, are left to development and CI), gates (the gates' figures against the published
version, and no mart emptied), check (Great Expectations), publish (checkpoint, keep a
version, `os.replace` onto the published file). A reader with an open connection keeps the
file it opened; new connections see the new version; a failed or killed run leaves the
published file as it was, and the next refresh starts over.

`LEAD_FUNNEL_REFRESH_PAUSE_AT=<step>` makes a refresh wait at the start of that step (for
LEAD_FUNNEL_REFRESH_PAUSE_SECONDS, default 600): a testing aid, so a test can kill it there.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

import duckdb

from lead_funnel import paths, schemas

STEPS = ("lock", "copy", "freshness", "build", "gates", "check", "publish")

EXIT_PUBLISHED = 0
EXIT_BUILD_FAILED = 1
EXIT_USAGE = 2
EXIT_GATES = 3
EXIT_CHECK = 4
#: EX_TEMPFAIL (sysexits.h): another refresh or rollback holds the lock; try again later.
EXIT_LOCKED = 75

DEFAULT_KEEP_VERSIONS = 3
KEEP_VERSIONS_ENV = "LEAD_FUNNEL_KEEP_VERSIONS"
PAUSE_ENV = "LEAD_FUNNEL_REFRESH_PAUSE_AT"
PAUSE_SECONDS_ENV = "LEAD_FUNNEL_REFRESH_PAUSE_SECONDS"
REQUIRE_FRESH_ENV = "LEAD_FUNNEL_REFRESH_REQUIRE_FRESH"

#: The refresh history inside every published file, table refresh_history of the audit schema:
#: which version it is, and when and from what it was built. Not a dbt model: dbt leaves it
#: alone, so a copy carries it forward.
HISTORY_NAME = "refresh_history"


def build_args(full_refresh: bool = False) -> list[str]:
    """The dbt command of a refresh: `dbt build` with its data tests and publish gates.

    Unit tests are left out: they check the SQL against literal inputs, read no data and give
    the same answer every day, so they belong to development and CI (`make test` runs them).
    """
    args = ["build", "--exclude-resource-type", "unit_test"]
    return [*args, "--full-refresh"] if full_refresh else args


def history_table() -> str:
    """The refresh history's relation, in the audit schema of lead_funnel.schemas."""
    return schemas.table("audit", HISTORY_NAME)


#: history_table() as the schemas were configured when this module was imported.
HISTORY_TABLE = history_table()

_VERSION_FILE = re.compile(r"^v(\d{4,})\.duckdb$")


class RefreshFailed(Exception):
    """A step stopped the refresh: ``code`` is the exit code, the message says why."""

    def __init__(self, step: str, code: int, message: str):
        super().__init__(message)
        self.step = step
        self.code = code


# --------------------------------------------------------------------------------------------
# Where things live


def versions_dir(published: Path) -> Path:
    """The folder beside the published file holding the lock, the log, the working copy and
    the kept versions: ``warehouse/lead_funnel.versions/`` for ``warehouse/lead_funnel.duckdb``."""
    return published.with_name(published.stem + ".versions")


def keep_versions() -> int:
    """How many published versions to keep: LEAD_FUNNEL_KEEP_VERSIONS, at least 1."""
    raw = os.environ.get(KEEP_VERSIONS_ENV, "") or str(DEFAULT_KEEP_VERSIONS)
    try:
        keep = int(raw)
    except ValueError:
        keep = 0
    if keep < 1:
        raise RefreshFailed("start", EXIT_USAGE, f"{KEEP_VERSIONS_ENV} must be a whole number >= 1")
    return keep


def kept_versions(published: Path) -> dict[int, Path]:
    """The kept versions of `published`: version number -> file, oldest first."""
    folder = versions_dir(published)
    found = {}
    if folder.is_dir():
        for entry in folder.iterdir():
            match = _VERSION_FILE.match(entry.name)
            if match and entry.is_file():
                found[int(match.group(1))] = entry
    return dict(sorted(found.items()))


def version_file(published: Path, version: int) -> Path:
    return versions_dir(published) / f"v{version:04d}.duckdb"


# --------------------------------------------------------------------------------------------
# The lock


@dataclass(frozen=True)
class LockHolder:
    pid: int | None
    started_at: str
    command: str

    def describe(self) -> str:
        pid = f"pid {self.pid}" if self.pid else "pid unknown"
        return f"{self.command} ({pid}, started {self.started_at or 'at an unknown time'})"


class Locked(Exception):
    def __init__(self, holder: LockHolder):
        super().__init__(holder.describe())
        self.holder = holder


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RefreshLock:
    """One refresh or rollback at a time per published file.

    An exclusive flock on ``refresh.lock``, which names the holder. The OS drops an flock when
    its process dies (kill -9, out of memory), so a lock is never held by a dead process; the
    name a killed run left in the file shows it did not finish, and the next run says so.
    """

    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = None

    def _read(self, fd: int) -> LockHolder | None:
        os.lseek(fd, 0, os.SEEK_SET)
        text = os.read(fd, 4096).decode("utf-8", errors="replace").strip()
        if not text:
            return None
        try:
            data = json.loads(text)
            return LockHolder(
                int(data["pid"]), str(data.get("started_at", "")), str(data["command"])
            )
        except (ValueError, KeyError, TypeError):
            return LockHolder(None, "", "a refresh")

    def acquire(self, command: str, started_at: str) -> LockHolder | None:
        """Take the lock; returns the holder a killed run left behind (a stale lock), if any.
        Raises Locked naming the running holder when the lock is taken."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = None
            for _ in range(20):  # the holder writes its name just after taking the lock
                holder = self._read(fd)
                if holder is not None:
                    break
                time.sleep(0.05)
            os.close(fd)
            raise Locked(holder or LockHolder(None, "", "a refresh")) from None
        stale = self._read(fd)
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        record = {"pid": os.getpid(), "started_at": started_at, "command": command}
        os.write(fd, json.dumps(record).encode())
        os.fsync(fd)
        self._fd = fd
        if stale is not None and stale.pid == os.getpid():
            return None
        return stale

    def release(self) -> None:
        if self._fd is None:
            return
        os.ftruncate(self._fd, 0)
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None


# --------------------------------------------------------------------------------------------
# Files


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _wal(path: Path) -> Path:
    return path.with_name(path.name + ".wal")


def _copy_complete(source: Path, target: Path) -> None:
    """`source` copied to `target` through a partial file, so `target` is whole or absent."""
    partial = target.with_name(target.name + ".partial")
    shutil.copyfile(source, partial)
    _fsync_file(partial)
    os.replace(partial, target)
    _fsync_dir(target.parent)


def _release_dbt_connections() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process after a run.

    DuckDB shares one database instance per file and process; while dbt's stays open the
    working copy is held read-write, and after the rename it would hold the published file.
    """
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # pragma: no cover - dbt-duckdb is a dependency
        return
    with DuckDBConnectionManager._LOCK:
        env = DuckDBConnectionManager._ENV
        if env is not None:
            with contextlib.suppress(Exception):
                env.close()
            DuckDBConnectionManager._ENV = None
    gc.collect()


def _assert_closed_in_process(db: Path) -> None:
    """Fails unless no read-write instance of `db` is open in this process (a read-only
    connection is refused while one is)."""
    try:
        duckdb.connect(str(db), read_only=True).close()
    except duckdb.ConnectionException as exc:
        raise RefreshFailed(
            "publish", EXIT_BUILD_FAILED, f"the working copy {db} is still open: {exc}"
        ) from exc


# --------------------------------------------------------------------------------------------
# Figures


@dataclass
class Figures:
    """What a warehouse file holds: its refresh version, the rows each raw table staged and
    quarantined in its last published build, and the rows of every mart."""

    version: int | None = None
    staged: dict[str, int] = field(default_factory=dict)
    marts: dict[str, int] = field(default_factory=dict)


def _relation_exists(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
            [schema, name],
        ).fetchone()[0]
    )


def read_figures(con: duckdb.DuckDBPyConnection) -> Figures:
    figures = Figures()
    audit = schemas.schema("audit")
    if _relation_exists(con, audit, HISTORY_NAME):
        figures.version = con.execute(f"select max(version) from {history_table()}").fetchone()[0]
    if _relation_exists(con, audit, "published_table_counts"):
        figures.staged = dict(
            con.execute(
                "select source_table, staged_rows from "
                f"{schemas.table('audit', 'published_table_counts')}"
                " qualify row_number() over (partition by source_table"
                " order by build_number desc) = 1"
            ).fetchall()
        )
    marts = con.execute(
        "select table_name from duckdb_tables() where schema_name = ? order by table_name",
        [schemas.schema("marts")],
    ).fetchall()
    for (name,) in marts:
        relation = schemas.table("marts", name)
        figures.marts[name] = con.execute(f"select count(*) from {relation}").fetchone()[0]
    return figures


def published_version(published: Path) -> int | None:
    """The refresh version of a published file (None when no refresh published it)."""
    con = duckdb.connect(str(published), read_only=True)
    try:
        if not _relation_exists(con, schemas.schema("audit"), HISTORY_NAME):
            return None
        return con.execute(f"select max(version) from {history_table()}").fetchone()[0]
    finally:
        con.close()


def _seconds(value: float) -> str:
    if value < 60:
        return f"{value:.1f} s"
    minutes, seconds = divmod(int(round(value)), 60)
    return f"{minutes} min {seconds} s"


# --------------------------------------------------------------------------------------------
# The refresh


@dataclass
class RefreshOutcome:
    """What a refresh did: the exit code, its message, and on success the published version
    and the dbt result (for the Dagster assets)."""

    code: int
    message: str
    published: Path
    version: int | None = None
    step: str | None = None
    dbt_result: object | None = None
    durations: dict[str, float] = field(default_factory=dict)


class _Run:
    def __init__(self, published: Path, err: TextIO):
        self.published = published
        self.folder = versions_dir(published)
        self.err = err
        self.log_file = self.folder / "refresh.log"
        self.durations: dict[str, float] = {}

    def log(self, step: str, message: str) -> None:
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        line = f"{stamp} refresh[{os.getpid()}] {step}: {message}"
        print(line, file=self.err, flush=True)
        with contextlib.suppress(OSError):
            self.folder.mkdir(parents=True, exist_ok=True)
            with open(self.log_file, "a", encoding="utf-8") as fh:
                fh.write(line + "\n")

    @contextlib.contextmanager
    def step(self, name: str, what: str):
        self.log(name, what)
        pause_at = os.environ.get(PAUSE_ENV, "")
        if pause_at == name:
            seconds = float(os.environ.get(PAUSE_SECONDS_ENV, "") or 600)
            self.log(name, f"pausing {seconds:.0f} s here ({PAUSE_ENV}, a testing aid)")
            time.sleep(seconds)
        started = time.perf_counter()
        yield
        self.durations[name] = time.perf_counter() - started


def _gate_reasons(failed_nodes) -> str | None:
    for name, message in failed_nodes:
        if name == "assert_publish_gates_pass" and "publish gate: " in message:
            return message.split("publish gate: ", 1)[1].strip().splitlines()[0].strip()
    return None


def refresh(
    raw_dir: Path,
    *,
    published: Path | None = None,
    dbt_vars: Mapping[str, object] | None = None,
    full_refresh: bool = False,
    allow_shrink: bool = False,
    docs_dir: Path | None = None,
    require_fresh: bool | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> RefreshOutcome:
    """Build, check and publish the warehouse; see the module docstring for the steps."""
    out = out or sys.stdout
    err = err or sys.stderr
    published = Path(published or paths.duckdb_path()).resolve()
    raw_dir = Path(raw_dir).resolve()
    run = _Run(published, err)
    lock = RefreshLock(run.folder / "refresh.lock")
    started = time.perf_counter()
    started_at = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    work_dir = run.folder / "work"
    work = work_dir / published.name

    if require_fresh is None:
        require_fresh = os.environ.get(REQUIRE_FRESH_ENV, "").strip().lower() in {
            "1", "true", "yes", "on",
        }  # fmt: skip
    try:
        keep = keep_versions()
        if os.environ.get("LEAD_FUNNEL_TARGET", "duckdb") != "duckdb":
            raise RefreshFailed(
                "start", EXIT_USAGE, "refresh publishes a DuckDB file: unset LEAD_FUNNEL_TARGET"
            )
        if not raw_dir.is_dir():
            raise RefreshFailed("start", EXIT_USAGE, f"raw folder {raw_dir} does not exist")
        with run.step("lock", f"taking {lock.path}"):
            try:
                stale = lock.acquire("lead-funnel refresh", started_at)
            except Locked as exc:
                raise RefreshFailed(
                    "lock",
                    EXIT_LOCKED,
                    f"another refresh is running: {exc.holder.describe()}; not starting a "
                    "second one",
                ) from None
            if stale is not None:
                gone = stale.pid is None or not _pid_alive(stale.pid)
                run.log(
                    "lock",
                    f"taking over the stale lock of {stale.describe()}, which ended without "
                    f"releasing it{' (process gone)' if gone else ''}",
                )
        try:
            return _refresh_locked(
                run, raw_dir, work, keep, dbt_vars, full_refresh, allow_shrink, docs_dir,
                require_fresh, started, started_at, out,
            )  # fmt: skip
        finally:
            lock.release()
    except RefreshFailed as exc:
        message = f"not published ({exc.step}): {exc}"
        if exc.step in STEPS[1:]:
            message += f". {published} is unchanged"
            if work.exists():
                message += f"; the failed working copy is kept at {work} until the next refresh"
        run.log(exc.step, message)
        return RefreshOutcome(exc.code, message, published, step=exc.step, durations=run.durations)


def _refresh_locked(
    run: _Run,
    raw_dir: Path,
    work: Path,
    keep: int,
    dbt_vars: Mapping[str, object] | None,
    full_refresh: bool,
    allow_shrink: bool,
    docs_dir: Path | None,
    require_fresh: bool,
    started: float,
    started_at: str,
    out: TextIO,
) -> RefreshOutcome:
    published = run.published
    work_dir = work.parent

    with run.step("copy", f"working copy {work}"):
        if work_dir.exists():
            run.log("copy", f"removing the working copy left by an earlier refresh: {work_dir}")
            shutil.rmtree(work_dir)
        work_dir.mkdir(parents=True)
        if published.is_file():
            shutil.copyfile(published, work)
            if _wal(published).is_file():
                shutil.copyfile(_wal(published), _wal(work))
            try:
                con = duckdb.connect(str(work))
                try:
                    con.execute("checkpoint")
                    before = read_figures(con)
                finally:
                    con.close()
            except duckdb.Error as exc:
                raise RefreshFailed(
                    "copy", EXIT_BUILD_FAILED, f"cannot read the published file {published}: {exc}"
                ) from None
            version = f"version {before.version}" if before.version else "not from a refresh"
            run.log(
                "copy",
                f"copied {published} ({version}, {sum(before.marts.values()):,} mart rows)",
            )
        else:
            before = Figures()
            run.log("copy", f"no published file at {published} yet: building a new one")

    if require_fresh:
        with run.step("freshness", f"dbt source freshness on {raw_dir}"):
            _require_fresh(run, raw_dir, work, dbt_vars)

    with run.step("build", f"dbt build on {raw_dir} into the working copy"):
        from lead_funnel.dbt_runner import DbtError, explain_resource_failure, run_dbt

        dbt_args = build_args(full_refresh)
        build_vars = dict(dbt_vars or {})
        if allow_shrink:
            build_vars["allow_shrink"] = True
        spill = work_dir / "tmp"
        saved_temp = os.environ.get("LEAD_FUNNEL_TEMP_DIR")
        if not saved_temp:
            spill.mkdir()
            os.environ["LEAD_FUNNEL_TEMP_DIR"] = str(spill)
        try:
            dbt_result = run_dbt(dbt_args, raw_dir=raw_dir, duckdb_path=work, dbt_vars=build_vars)
        except DbtError as exc:
            reasons = _gate_reasons(exc.failed_nodes)
            if reasons:
                raise RefreshFailed("gates", EXIT_GATES, f"publish gates: {reasons}") from None
            explained = explain_resource_failure(exc.failed_nodes)
            raise RefreshFailed("build", EXIT_BUILD_FAILED, explained or str(exc)) from None
        finally:
            _release_dbt_connections()
            if not saved_temp:
                os.environ.pop("LEAD_FUNNEL_TEMP_DIR", None)

    with run.step("gates", "publish gates against the published version"):
        con = duckdb.connect(str(work), read_only=True)
        try:
            gates = con.execute(
                "select source_table, staged_rows, quarantined_rows, last_published_rows,"
                f" gate_failure from {schemas.table('audit', 'audit_publish_gates')}"
                " order by source_table"
            ).fetchall()
            after = read_figures(con)
        finally:
            con.close()
        failures = [row[4] for row in gates if row[4]]
        for table, staged, quarantined, last, _ in gates:
            was = f"{last:,}" if last is not None else "none"
            run.log(
                "gates",
                f"{table}: {staged:,} rows staged (published: {was}), {quarantined:,} quarantined",
            )
        if not allow_shrink:
            for mart, rows in before.marts.items():
                if rows > 0 and after.marts.get(mart, 0) == 0:
                    failures.append(
                        f"mart {mart}: no rows, the published version had {rows:,}; publish a "
                        "deliberate reload with --allow-shrink"
                    )
        if failures:
            raise RefreshFailed("gates", EXIT_GATES, "publish gates: " + "; ".join(failures))

    with run.step("check", "Great Expectations on the raw files and the working copy's marts"):
        from lead_funnel.quality import run_check

        result = run_check(raw_dir=raw_dir, db_path=work, docs_dir=docs_dir)
        verdict = result.summary().splitlines()
        run.log("check", next((line for line in verdict if line.startswith("Check ")), ""))
        if not result.success:
            shown = result.critical_failures[:5]
            details = "; ".join(f"{f.label}: {f.detail}" for f in shown)
            more = len(result.critical_failures) - len(shown)
            raise RefreshFailed(
                "check",
                EXIT_CHECK,
                f"quality check: {len(result.critical_failures)} critical expectations not "
                f"met: {details}{f' (and {more} more)' if more > 0 else ''}"
                + (f"; Data Docs: {result.docs_index}" if result.docs_index else ""),
            )

    kept = kept_versions(published)
    version = max([before.version or 0, *kept]) + 1
    with run.step("publish", f"version {version} onto {published}"):
        con = duckdb.connect(str(work))
        try:
            con.execute(
                f"create table if not exists {history_table()} (version bigint, "
                "started_at varchar, published_at varchar, raw_dir varchar, dbt_vars varchar, "
                "full_refresh boolean)"
            )
            con.execute(
                f"insert into {history_table()} values (?, ?, ?, ?, ?, ?)",
                [
                    version,
                    started_at,
                    datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
                    str(raw_dir),
                    json.dumps(dict(dbt_vars or {}), sort_keys=True, default=str),
                    full_refresh,
                ],
            )
            con.execute("checkpoint")
        finally:
            con.close()
        _assert_closed_in_process(work)
        if _wal(work).exists():
            raise RefreshFailed("publish", EXIT_BUILD_FAILED, f"{_wal(work)} left after checkpoint")
        if _wal(published).exists():
            raise RefreshFailed(
                "publish",
                EXIT_BUILD_FAILED,
                f"{_wal(published)} exists: something writes to the published file; "
                "only refresh and rollback should",
            )
        _fsync_file(work)
        _copy_complete(work, version_file(published, version))
        os.replace(work, published)
        _fsync_dir(published.parent)
        shutil.rmtree(work.parent, ignore_errors=True)
        kept = kept_versions(published)
        for old in sorted(kept)[:-keep]:
            kept.pop(old).unlink()
        run.log("publish", f"published version {version}; kept {_names(kept)}")

    total = time.perf_counter() - started
    lines = [
        f"Published {published}: version {version} (refresh took {_seconds(total)})",
        _raw_line(raw_dir, gates),
        _marts_line(before, after),
        f"  versions kept in {versions_dir(published)}: {_names(kept)};"
        " undo with lead-funnel rollback",
        "  steps: " + ", ".join(f"{name} {_seconds(s)}" for name, s in run.durations.items()),
    ]
    print("\n".join(lines), file=out, flush=True)
    return RefreshOutcome(
        EXIT_PUBLISHED, lines[0], published, version, dbt_result=dbt_result,
        durations=run.durations,
    )  # fmt: skip


def _require_fresh(
    run: _Run, raw_dir: Path, work: Path, dbt_vars: Mapping[str, object] | None
) -> None:
    """Stops the refresh (a gate) when a raw source is past its freshness error threshold."""
    from lead_funnel.dbt_runner import DbtError, run_dbt

    try:
        result = run_dbt(
            ["source", "freshness"], raw_dir=raw_dir, duckdb_path=work,
            dbt_vars=dict(dbt_vars or {}), quiet=True,
        )  # fmt: skip
    except DbtError as exc:
        stale = [f"{name}: {message}" for name, message in exc.failed_nodes]
        raise RefreshFailed(
            "freshness",
            EXIT_GATES,
            f"source freshness: {len(stale)} source(s) past their error threshold: "
            + ("; ".join(stale) or str(exc)),
        ) from None
    finally:
        _release_dbt_connections()
    sources = [r for r in result.result.results if r.node.resource_type == "source"]
    warned = [
        f"{r.node.source_name}.{r.node.name}" for r in sources if str(r.status).lower() == "warn"
    ]
    run.log(
        "freshness",
        f"{len(sources)} sources checked, none past its error threshold"
        + (f"; late (warn): {', '.join(warned)}" if warned else ""),
    )


def _names(kept: Mapping[int, Path]) -> str:
    return ", ".join(f"v{version}" for version in kept) or "none"


def _raw_line(raw_dir: Path, gates) -> str:
    staged = sum(row[1] for row in gates)
    quarantined = sum(row[2] for row in gates)
    share = quarantined / (staged + quarantined) if staged + quarantined else 0.0
    return (
        f"  raw {raw_dir}: {len(gates)} tables, {staged:,} rows staged, "
        f"{quarantined:,} quarantined ({share:.1%})"
    )


def _marts_line(before: Figures, after: Figures) -> str:
    line = f"  marts: {len(after.marts)} tables, {sum(after.marts.values()):,} rows"
    if "fct_lead_scores" in after.marts:
        line += f"; fct_lead_scores {after.marts['fct_lead_scores']:,} rows"
        if "fct_lead_scores" in before.marts:
            line += f" (was {before.marts['fct_lead_scores']:,})"
    return line


# --------------------------------------------------------------------------------------------
# Rollback


def rollback(
    published: Path | None = None, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Put the kept version before the published one back in place (atomically); exit code."""
    out = out or sys.stdout
    err = err or sys.stderr
    published = Path(published or paths.duckdb_path()).resolve()
    run = _Run(published, err)
    lock = RefreshLock(run.folder / "refresh.lock")
    started_at = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    if not published.is_file():
        print(f"lead-funnel rollback: no published file at {published}", file=err)
        return EXIT_USAGE
    try:
        lock.acquire("lead-funnel rollback", started_at)
    except Locked as exc:
        print(
            f"lead-funnel rollback: a refresh is running: {exc.holder.describe()}; "
            "try again when it has finished",
            file=err,
        )
        return EXIT_LOCKED
    try:
        try:
            current = published_version(published)
        except duckdb.Error as exc:
            print(f"lead-funnel rollback: cannot read {published}: {exc}", file=err)
            return EXIT_BUILD_FAILED
        kept = kept_versions(published)
        earlier = [v for v in kept if current is None or v < current]
        if not earlier:
            print(
                f"lead-funnel rollback: no version before version {current} is kept in "
                f"{run.folder} (kept: {_names(kept)})",
                file=err,
            )
            return EXIT_USAGE
        target = earlier[-1]
        staged = published.with_name(f".{published.name}.rollback")
        _copy_complete(kept[target], staged)
        os.replace(staged, published)
        _fsync_dir(published.parent)
        was = f"version {current}" if current is not None else "a file no refresh published"
        message = f"Rolled back {published} from {was} to version {target}"
        run.log("rollback", message)
        print(f"{message}; kept: {_names(kept)}", file=out)
        return EXIT_PUBLISHED
    finally:
        lock.release()
