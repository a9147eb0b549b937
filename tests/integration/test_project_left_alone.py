"""The tests leave a user's project alone: their builds never touch its target/ or logs/.

A user's project is a copy of this one with a warehouse built the way a user builds it
(`lead-funnel build`, dbt's default target/ and logs/). The tests' own helper then builds
another warehouse on that same project; afterwards the user's target/, logs/ and warehouse/
are unchanged, and the user's `mf query` and `dbt docs generate` still work on their
warehouse. Before the tests moved their files out, a helper's build overwrote
target/semantic_manifest.json with its own database name and the user's `mf query` failed
with `Catalog "..." does not exist` until the next `dbt parse`.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from lead_funnel import paths
from lead_funnel.dbt_runner import run_dbt
from tests.conftest import FIXTURES, copy_warehouse, query
from tests.support import isolation

#: Any metric of models/semantic/_metrics.yml.
METRIC = "mqls"


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def _metric_names() -> set[str]:
    import yaml

    spec = yaml.safe_load((paths.project_dir() / "models/semantic/_metrics.yml").read_text())
    return {metric["name"] for metric in spec["metrics"]}


def test_the_session_redirects_dbt_away_from_the_project(dbt_scratch: Path) -> None:
    assert os.environ["DBT_TARGET_PATH"] == str(dbt_scratch / "target")
    assert os.environ["DBT_LOG_PATH"] == str(dbt_scratch / "logs")
    for name in ("DBT_TARGET_PATH", "DBT_LOG_PATH"):
        assert not Path(os.environ[name]).is_relative_to(paths.project_dir())


def test_a_users_warehouse_survives_the_test_helpers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert METRIC in _metric_names()
    user = isolation.copy_project(tmp_path, paths.project_dir())
    raw = tmp_path / "exports"
    shutil.copytree(FIXTURES / "raw_small", raw)
    env = isolation.user_environment(user, LEAD_FUNNEL_RAW_DIR=str(raw))
    _run([str(isolation.BIN / "lead-funnel"), "build"], user, env)
    warehouse = user / "warehouse" / "lead_funnel.duckdb"
    assert warehouse.is_file()
    assert (user / "target" / "semantic_manifest.json").is_file()
    assert (user / "logs" / "dbt.log").is_file()
    before = isolation.snapshot(user)

    # The tests' helpers, in this process, on the user's project but on another warehouse:
    # a build runs the raw landing hook and writes every artefact and a log.
    monkeypatch.setenv("LEAD_FUNNEL_PROJECT_DIR", str(user))
    run_dbt(
        ["build", "--select", "metricflow_time_spine"],
        raw_dir=raw,
        duckdb_path=tmp_path / "other" / "good.duckdb",
        quiet=True,
    )
    monkeypatch.delenv("LEAD_FUNNEL_PROJECT_DIR")

    assert isolation.changes(before, isolation.snapshot(user)) == []

    # The user's own tools still read the user's warehouse.
    out = tmp_path / "metric.csv"
    isolation.run_mf(
        ["query", "--metrics", METRIC, "--group-by", "metric_time", "--csv", str(out)], user, env
    )
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    (expected,) = query(
        warehouse,
        "select count(*) from marts.fct_mql_cycles"
        " where scoring_model = 'default' and not is_inferred_mql",
    )[0]
    assert sum(int(row[METRIC] or 0) for row in rows) == expected > 0
    _run([str(isolation.BIN / "dbt"), "docs", "generate"], user, env)
    catalog = json.loads((user / "target" / "catalog.json").read_text())
    assert {node["metadata"]["database"] for node in catalog["nodes"].values()} == {"lead_funnel"}


def test_unit_tests_pass_when_dbt_runs_from_another_folder(
    small_warehouse: Path, tmp_path: Path
) -> None:
    """Schedulers start dbt from any folder: a unit test whose model reads a seed when it
    compiles (the lifecycle stages) must not look for the seed's file in the working folder."""
    db = copy_warehouse(small_warehouse, tmp_path / "lead_funnel.duckdb")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = dict(
        os.environ,
        LEAD_FUNNEL_DUCKDB_PATH=str(db),
        LEAD_FUNNEL_RAW_DIR=str(FIXTURES / "raw_small"),
        DBT_TARGET_PATH=str(tmp_path / "target"),
        DBT_LOG_PATH=str(tmp_path / "logs"),
    )
    project = str(paths.project_dir())
    done = _run(
        [str(isolation.BIN / "dbt"), "test", "--select", "int_mql_cycles_started,test_type:unit"]
        + ["--project-dir", project, "--profiles-dir", project],
        elsewhere,
        env,
    )
    assert "PASS recycles_open_new_cycles_and_sales_without_mql_is_inferred" in done.stdout.replace(
        "int_mql_cycles_started::", ""
    ), done.stdout
