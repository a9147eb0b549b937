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
    """A dbt command failed; the message carries dbt's own error text."""


def run_dbt(
    args: Sequence[str],
    *,
    raw_dir: Path | None = None,
    duckdb_path: Path | None = None,
    dbt_vars: Mapping[str, object] | None = None,
    quiet: bool = False,
):
    """Run one dbt command (e.g. ``["build"]``) against the project and return its result.

    ``raw_dir`` and ``duckdb_path`` are passed to dbt through the same environment variables
    a user would set, so the profile and the landing hook resolve them exactly as in a shell.
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
        if quiet:
            cli_args = ["--quiet", *cli_args]
        result = dbtRunner().invoke(cli_args)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    if not result.success:
        message = str(result.exception) if result.exception else _failed_nodes(result.result)
        raise DbtError(f"dbt {' '.join(args)} failed: {message}")
    return result


def _failed_nodes(run_results) -> str:
    """The names and messages of the nodes that failed in a dbt run result."""
    failures = []
    for node_result in getattr(run_results, "results", None) or []:
        status = str(getattr(node_result, "status", "")).lower()
        if status in {"error", "fail", "runtimeerr"}:
            failures.append(f"{node_result.node.name}: {node_result.message}")
    return "; ".join(failures) or "see dbt's log above"
