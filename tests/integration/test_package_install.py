"""lead_funnel installed as a dbt package in another project.

A host project in a temporary folder lists lead_funnel as a local package (`packages.yml`),
has a model of its own named dim_accounts, like one of lead_funnel's marts, and is built the
way a host project builds: `dbt deps`, then `dbt build --warn-error`, in subprocesses, on the
hand-made raw fixture with score_as_of pinned through the host's vars. The package's models,
seeds, snapshot, raw landing views, audit tables and incremental state nest under the host's
target schema (`analytics_marts`, `analytics_raw`, ...; the connectors' schemas are used as
given), its
refs stay its own (dbt warns, here fails, when a package node depends on a root project
node), its views name no catalog, and the CLI's readers find its marts with
LEAD_FUNNEL_SCHEMA_PREFIX.
"""

from __future__ import annotations

import json
import os
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from lead_funnel import paths
from lead_funnel.quality import run_check
from lead_funnel.report import build_report
from lead_funnel.summary import summarize
from tests.conftest import FIXTURES, copy_warehouse, query
from tests.support import isolation

pytestmark = pytest.mark.slow

HOST = "host_analytics"
HOST_SCHEMA = "analytics"
AS_OF = "2026-09-30 00:00:00"

#: The schemas lead_funnel's build writes, nested under the host's target schema.
NESTED = (
    "raw",
    "staging",
    "intermediate",
    "marts",
    "seeds",
    "snapshots",
    "audit",
    "incremental_state",
)


@dataclass(frozen=True)
class HostBuild:
    folder: Path
    warehouse: Path
    manifest: dict
    output: str


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


def _host_project(folder: Path) -> Path:
    """A host dbt project in `folder` installing this project by its local path."""
    warehouse = folder / "host_warehouse.duckdb"
    _write(
        folder / "dbt_project.yml",
        f"""
        name: {HOST}
        version: "1.0.0"
        config-version: 2
        profile: {HOST}
        model-paths: ["models"]
        vars:
          lead_funnel:
            score_as_of: "{AS_OF}"
        """,
    )
    _write(
        folder / "packages.yml",
        f"""
        packages:
          - local: {paths.project_dir()}
        """,
    )
    _write(
        folder / "profiles.yml",
        f"""
        {HOST}:
          target: dev
          outputs:
            dev:
              type: duckdb
              path: {warehouse}
              schema: {HOST_SCHEMA}
              threads: 1
        """,
    )
    # The host's own dim_accounts: nothing like lead_funnel's, so a capture would show.
    _write(
        folder / "models" / "dim_accounts.sql",
        "select 'host-1' as host_account_key, 'the host project''s accounts' as note\n",
    )
    _write(
        folder / "models" / "dim_accounts.yml",
        """
        version: 2
        models:
          - name: dim_accounts
            columns:
              - name: host_account_key
                data_tests: [unique, not_null]
        """,
    )
    # The host's own fct_mql_cycles: a name lead_funnel's exposures and semantic models read
    # (their refs are resolved without macros: two-argument refs in their YAML keep them).
    _write(
        folder / "models" / "fct_mql_cycles.sql",
        "select 'host' as host_cycle_key\n",
    )
    # A host model reading the package's mart (two-argument ref) and its own dim_accounts.
    _write(
        folder / "models" / "host_lead_counts.sql",
        """
        select
            (select count(*) from {{ ref('lead_funnel', 'dim_leads') }}) as package_leads,
            (select count(*) from {{ ref('dim_accounts') }}) as host_accounts
        """,
    )
    return warehouse


def _host_environment(folder: Path) -> dict[str, str]:
    """A host user's environment: none of the tests' redirections, the host's own target and
    log folders, the raw fixture as the raw folder."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in isolation.TEST_ONLY_VARIABLES and name != "LEAD_FUNNEL_SCHEMA_PREFIX"
    }
    env.update(isolation.scratch_environment(folder))
    env["DBT_PROFILES_DIR"] = str(folder)
    env["LEAD_FUNNEL_RAW_DIR"] = str((FIXTURES / "raw_small").resolve())
    return env


def _depends_on(node: dict) -> list[str]:
    """The nodes a manifest node depends on (seeds have none)."""
    return node["depends_on"].get("nodes", [])


def _dbt(args: list[str], folder: Path, env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(isolation.BIN / "dbt"), *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"dbt {' '.join(args)} failed:\n{output[-6000:]}"
    return output


@pytest.fixture(scope="module")
def host_build(tmp_path_factory: pytest.TempPathFactory) -> HostBuild:
    folder = tmp_path_factory.mktemp("host_project")
    warehouse = _host_project(folder)
    env = _host_environment(folder)
    _dbt(["deps"], folder, env)
    output = _dbt(["build", "--warn-error"], folder, env)
    manifest = json.loads((folder / "target" / "manifest.json").read_text())
    return HostBuild(folder, warehouse, manifest, output)


def test_the_package_builds_under_the_hosts_target_schema(host_build: HostBuild) -> None:
    schemas = {
        row[0]
        for row in query(
            host_build.warehouse,
            "select schema_name from duckdb_tables()"
            " union select schema_name from duckdb_views() where not internal",
        )
    }
    nested = {f"{HOST_SCHEMA}_{name}" for name in NESTED}
    assert nested <= schemas
    # None of the root project's bare schemas: a second target's build would not collide.
    assert not set(NESTED) & schemas
    # Every model and seed of the package is in a nested schema.
    package_nodes = [
        node
        for node in host_build.manifest["nodes"].values()
        if node["package_name"] == "lead_funnel"
        and node["resource_type"] in {"model", "seed", "snapshot"}
    ]
    assert package_nodes
    assert {node["schema"] for node in package_nodes} <= nested
    # Publish state and incremental state, written by the package's macros, nest too.
    recorded = query(
        host_build.warehouse,
        f"select source_table, staged_rows from {HOST_SCHEMA}_audit.published_table_counts"
        " where source_table = 'leads'",
    )
    assert recorded == [("leads", 3)]
    tracked = query(
        host_build.warehouse,
        f"select count(*) from {HOST_SCHEMA}_incremental_state.lf_incremental_state",
    )
    assert tracked[0][0] > 0


def test_the_package_marts_hold_the_fixture_under_the_host_schema(
    host_build: HostBuild,
) -> None:
    marts = f"{HOST_SCHEMA}_marts"
    assert query(
        host_build.warehouse,
        f"select lead_id, survivor_lead_id, current_stage from {marts}.dim_leads order by 1",
    ) == [("L1", "L1", "won"), ("L2", "L2", "lead"), ("L3", "L1", "won")]
    scores = query(
        host_build.warehouse,
        f"select lead_id, lead_grade, round(lead_score, 3), marketing_qualified_at::varchar,"
        f" scored_as_of::varchar from {marts}.fct_lead_scores"
        " where scoring_model = 'default' order by lead_id",
    )
    assert scores == [
        ("L1", "A2", 84.001, "2025-02-01 08:10:00", AS_OF),
        ("L2", "D4", 0.0, None, AS_OF),
    ]
    # The host's model read the package's mart and its own dim_accounts.
    assert query(
        host_build.warehouse,
        f"select package_leads, host_accounts from {HOST_SCHEMA}.host_lead_counts",
    ) == [(3, 1)]


def test_internal_refs_are_not_captured_by_the_hosts_model_of_the_same_name(
    host_build: HostBuild,
) -> None:
    nodes = host_build.manifest["nodes"]
    host_model = f"model.{HOST}.dim_accounts"
    package_model = "model.lead_funnel.dim_accounts"
    dependents = {
        unique_id
        for unique_id, node in nodes.items()
        if node["package_name"] == "lead_funnel" and host_model in _depends_on(node)
    }
    assert dependents == set()
    # The mart and the tests naming dim_accounts (relationships, unique) use the package's.
    readers = {unique_id for unique_id, node in nodes.items() if package_model in _depends_on(node)}
    assert "model.lead_funnel.fct_account_scores" in readers
    assert any(r.startswith("test.lead_funnel.relationships_fct_account_scores") for r in readers)
    assert any(r.startswith("test.lead_funnel.unique_dim_accounts") for r in readers)
    # The package's exposures and semantic models read its fct_mql_cycles, not the host's.
    others = {**host_build.manifest["exposures"], **host_build.manifest["semantic_models"]}
    cycle_readers = {
        unique_id
        for unique_id, node in others.items()
        if "model.lead_funnel.fct_mql_cycles" in _depends_on(node)
    }
    assert "semantic_model.lead_funnel.mql_cycles" in cycle_readers
    assert "exposure.lead_funnel.funnel_dashboard" in cycle_readers
    assert not any(f"model.{HOST}.fct_mql_cycles" in _depends_on(node) for node in others.values())
    # The host's own dim_accounts is untouched and the package's has the fixture's accounts.
    assert query(host_build.warehouse, f"select * from {HOST_SCHEMA}.dim_accounts") == [
        ("host-1", "the host project's accounts")
    ]
    marts = f"{HOST_SCHEMA}_marts"
    assert query(
        host_build.warehouse, f"select account_id from {marts}.dim_accounts order by 1"
    ) == [("A1",), ("A2",)]
    assert query(
        host_build.warehouse,
        f"select count(*), count(accounts.account_id) from {marts}.fct_account_scores as scores"
        f" left join {marts}.dim_accounts as accounts on scores.account_id = accounts.account_id",
    ) == [(4, 4)]


def test_views_name_no_catalog_and_read_in_a_copy(host_build: HostBuild, tmp_path: Path) -> None:
    catalog = host_build.warehouse.stem
    views = query(
        host_build.warehouse,
        "select schema_name, sql from duckdb_views()"
        f" where not internal and schema_name like '{HOST_SCHEMA}\\_%' escape '\\'",
    )
    assert views
    assert [schema for schema, sql in views if f"{catalog}." in sql.lower()] == []
    copy = copy_warehouse(host_build.warehouse, tmp_path / "renamed.duckdb")
    assert query(copy, f"select count(*) from {HOST_SCHEMA}_staging.stg_crm__leads") == [(3,)]


def test_the_cli_readers_find_the_marts_with_the_schema_prefix(
    host_build: HostBuild, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEAD_FUNNEL_SCHEMA_PREFIX", HOST_SCHEMA)
    summary = summarize(host_build.warehouse)
    assert f"  {HOST_SCHEMA}_marts" in summary
    assert "Funnel health (default scoring model" in summary
    assert f"select * from {HOST_SCHEMA}_audit.audit_raw_reconciliation" in summary
    report = build_report(host_build.warehouse)
    assert "Not built" not in report
    assert f"scored as of {AS_OF}" in report
    result = run_check(db_path=host_build.warehouse, docs_dir=tmp_path / "docs", scope="marts")
    assert result.success, result.summary()
    evaluated = {suite.name: suite.evaluated for suite in result.suites}
    assert evaluated["mart_dim_leads"] > 0
    assert evaluated["mart_funnel_health"] > 0
