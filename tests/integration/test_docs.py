"""`dbt docs generate` builds the lineage site with every public mart documented."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lead_funnel.dbt_runner import run_dbt
from tests.conftest import GENERATED_AS_OF

pytestmark = pytest.mark.slow


def test_docs_generate_documents_public_marts(
    generated_raw: Path, generated_warehouse: Path, tmp_path: Path
) -> None:
    target = tmp_path / "docs_target"
    run_dbt(
        ["docs", "generate", "--target-path", str(target)],
        raw_dir=generated_raw,
        duckdb_path=generated_warehouse,
        dbt_vars={"score_as_of": GENERATED_AS_OF},
        quiet=True,
    )
    assert (target / "index.html").is_file()
    catalog = json.loads((target / "catalog.json").read_text())
    manifest = json.loads((target / "manifest.json").read_text())
    public = {
        node["name"]: node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node.get("access") == "public"
    }
    for name in ("fct_lead_scores", "fct_mql_cycles", "rpt_funnel_conversion", "dim_leads"):
        node = public[name]
        assert node["description"]
        catalog_columns = catalog["nodes"][node["unique_id"]]["columns"]
        documented = {c for c, spec in node["columns"].items() if spec["description"]}
        assert {c.lower() for c in catalog_columns} == documented, name
    assert {e["name"] for e in manifest["exposures"].values()}
