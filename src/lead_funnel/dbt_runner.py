"""Run dbt commands in-process on this project.

dbt's Python entry point is used instead of a subprocess so that one process can build and
then query the warehouse, and so the tests pay dbt's start-up cost once per session.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from lead_funnel import paths


class DbtError(RuntimeError):
    """A dbt command failed; the message carries dbt's own error text.

    ``failed_nodes`` lists (node name, dbt's message) for each node that failed, in run order.
    """

    def __init__(self, message: str, failed_nodes: Sequence[tuple[str, str]] = ()):
        super().__init__(message)
        self.failed_nodes = list(failed_nodes)


#: How a failure outside any model (the on-run-start/on-run-end hooks) is named.
HOOKS = "the raw landing and publish hooks (on-run-start, on-run-end)"

#: Substrings of DuckDB errors caused by the machine's limits, and what to change.
_RESOURCE_ERRORS = (
    (
        ("Out of Memory Error", "could not allocate block", "failed to allocate"),
        "ran out of memory",
        "raise LEAD_FUNNEL_DUCKDB_MEMORY_LIMIT (e.g. 8GB), lower LEAD_FUNNEL_THREADS, "
        "or set LEAD_FUNNEL_TEMP_DIR to a disk with room so DuckDB can spill",
    ),
    (
        ("No space left on device", "max_temp_directory_size", "Could not write file"),
        "ran out of disk space for DuckDB's temporary files",
        "set LEAD_FUNNEL_TEMP_DIR to a folder on a disk with more free space, "
        "or raise LEAD_FUNNEL_DUCKDB_MEMORY_LIMIT so less is spilled",
    ),
)


def explain_resource_failure(failed_nodes: Sequence[tuple[str, str]]) -> str | None:
    """One clear sentence when a run failed on memory or temp disk, naming the first model.

    After such a failure DuckDB invalidates the database and every later node fails with
    "database has been invalidated"; the first failing node is the one that hit the limit.
    """
    for name, message in failed_nodes:
        for needles, what, fix in _RESOURCE_ERRORS:
            if any(needle.lower() in message.lower() for needle in needles):
                limit = os.environ.get("LEAD_FUNNEL_DUCKDB_MEMORY_LIMIT") or "DuckDB's default"
                temp = os.environ.get("LEAD_FUNNEL_TEMP_DIR") or "DuckDB's default"
                where = name if name == HOOKS else f"model {name}"
                return f"{where} {what} (memory limit: {limit}; temp directory: {temp}): {fix}"
    return None


def run_dbt(
    args: Sequence[str],
    *,
    raw_dir: Path | None = None,
    duckdb_path: Path | None = None,
    dbt_vars: Mapping[str, object] | None = None,
    quiet: bool = False,
    progress: bool = False,
):
    """Run one dbt command (e.g. ``["build"]``) against the project and return its result.

    ``raw_dir`` and ``duckdb_path`` are passed to dbt through the same environment variables
    a user would set, so the profile and the landing hook resolve them exactly as in a shell.
    ``quiet`` leaves dbt's errors only; ``progress`` does too and draws a progress bar over
    the nodes instead (see NodeProgress).
    """
    from dbt.cli.main import dbtRunner

    project = paths.project_dir()
    overrides = {}
    if raw_dir is not None:
        overrides["LEAD_FUNNEL_RAW_DIR"] = str(Path(raw_dir).resolve())
    if duckdb_path is not None:
        overrides["LEAD_FUNNEL_DUCKDB_PATH"] = str(Path(duckdb_path).resolve())
    saved = {name: os.environ.get(name) for name in overrides}
    os.environ.update(overrides)
    try:
        paths.duckdb_path().parent.mkdir(parents=True, exist_ok=True)
        cli_args = list(args) + ["--project-dir", str(project), "--profiles-dir", str(project)]
        if dbt_vars:
            cli_args += ["--vars", json.dumps(dict(dbt_vars))]
        if quiet or progress:
            cli_args = ["--quiet", *cli_args]
        bar = NodeProgress(" ".join(args[:1])) if progress else None
        try:
            result = dbtRunner(callbacks=[bar.on_event] if bar else None).invoke(cli_args)
        finally:
            if bar is not None:
                bar.close()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    if not result.success:
        if result.exception:
            message = str(result.exception)
            failed = [(HOOKS, message)]
        else:
            failed = _failed_nodes(result.result)
            message = "; ".join(f"{name}: {text}" for name, text in failed) or "see dbt's log"
        raise DbtError(f"dbt {' '.join(args)} failed: {message}", failed)
    return result


class NodeProgress:
    """A progress bar over the nodes of a dbt command, fed by dbt's events.

    dbt numbers each node it starts ("12 of 701 START ..."); the bar takes the total from
    there and advances when a node finishes. On a terminal it redraws one line; elsewhere it
    prints a line at most every 10 s. The closing line counts what passed, warned, failed,
    errored and was skipped.
    """

    def __init__(self, command: str):
        import sys

        from tqdm import tqdm

        self.command = command or "dbt"
        self.statuses: dict[str, int] = {}
        self.bar = tqdm(
            total=None,
            desc=f"dbt {self.command}: parsing, landing the raw files",
            unit=" nodes",
            file=sys.stderr,
            mininterval=0.5 if sys.stderr.isatty() else 10.0,
            dynamic_ncols=True,
            leave=False,
        )

    def on_event(self, event) -> None:
        name = event.info.name
        if name == "LogStartLine":
            total = getattr(event.data, "total", 0)
            if total and self.bar.total != total:
                self.bar.total = total
                self.bar.set_description(f"dbt {self.command}")
        elif name == "NodeFinished":
            status = str(getattr(event.data.run_result, "status", "") or "done").lower()
            self.statuses[status] = self.statuses.get(status, 0) + 1
            self.bar.update(1)

    def close(self) -> None:
        import sys

        self.bar.close()
        if not self.statuses:
            return
        order = ("success", "pass", "warn", "fail", "error", "skipped")
        parts = [f"{self.statuses[k]:,} {k}" for k in order if self.statuses.get(k)]
        parts += [f"{v:,} {k}" for k, v in sorted(self.statuses.items()) if k not in order]
        elapsed = self.bar.format_dict.get("elapsed", 0.0)
        done = sum(self.statuses.values())
        print(
            f"dbt {self.command}: {done:,} nodes in {elapsed:.0f} s ({', '.join(parts)})",
            file=sys.stderr,
        )


def _failed_nodes(run_results) -> list[tuple[str, str]]:
    """The names and messages of the nodes that failed in a dbt run result, in run order.

    A source is named `<source>.<table>`; a stale one (dbt source freshness) is described by
    its newest row and age, since dbt gives it no message.
    """
    failures = []
    for node_result in getattr(run_results, "results", None) or []:
        status = str(getattr(node_result, "status", "")).lower()
        if status in {"error", "fail", "runtimeerr", "runtime error"}:
            node = node_result.node
            name = node.name
            message = node_result.message
            if getattr(node, "resource_type", None) == "source":
                name = f"{node.source_name}.{node.name}"
                age = getattr(node_result, "age", None)
                if message is None and age is not None:
                    newest = getattr(node_result, "max_loaded_at", None)
                    when = f"{newest:%Y-%m-%d %H:%M}" if newest else "none"
                    message = f"stale: newest row {when}, {age / 86400:.1f} days old"
            failures.append((name, str(message)))
    return failures
