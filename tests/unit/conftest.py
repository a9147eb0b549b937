"""Shared fixture of the unit tests that read the dbt project's structure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lead_funnel.dbt_runner import run_dbt


@pytest.fixture(scope="session")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The project's manifest from `dbt parse`, written to a temporary target path (never the
    project's target/ or logs/); nothing is built and no warehouse is opened."""
    work = tmp_path_factory.mktemp("dbt_parse")
    run_dbt(
        ["parse", "--target-path", str(work / "target"), "--log-path", str(work / "logs")],
        duckdb_path=work / "parse.duckdb",
        quiet=True,
    )
    return json.loads((work / "target" / "manifest.json").read_text(encoding="utf-8"))


def models_of(manifest: dict) -> dict[str, dict]:
    """The project's models, keyed by unique_id."""
    return {
        unique_id: node
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "model" and node["package_name"] == "lead_funnel"
    }


def model_path(node: dict) -> str:
    """The model's file, relative to the project, with forward slashes."""
    return Path(node["original_file_path"]).as_posix()
