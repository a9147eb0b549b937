"""The DAG runs one way and stays cheap to query, read from the manifest of `dbt parse`:

- no model under models/intermediate depends on a model under models/marts;
- staging models (base and staged) read only sources, seeds, base models and the audit models;
  audit models read only sources, seeds and staging;
- every base model reads exactly one source table (besides the erasure requests), and its
  staged model has the same name after the prefix (base_crm__leads -> stg_crm__leads), as var
  raw_contract says;
- no chain of more than MAX_VIEW_CHAIN consecutive views (a view over a view over ... is
  recomputed by every reader: a hub in such a chain is materialised as a table).
"""

from __future__ import annotations

import functools

import yaml

from lead_funnel.paths import project_dir
from tests.unit.conftest import model_path, models_of

MAX_VIEW_CHAIN = 4


def _layer(node: dict) -> str:
    """staging/base, staging, audit, intermediate, marts, ... from the model's folder."""
    parts = model_path(node).split("/")
    if parts[1] == "staging" and len(parts) > 2 and parts[2] == "base":
        return "staging/base"
    return parts[1]


def _model_parents(node: dict, models: dict[str, dict]) -> list[dict]:
    return [models[parent] for parent in node["depends_on"]["nodes"] if parent in models]


def test_intermediate_models_never_read_marts(manifest: dict) -> None:
    models = models_of(manifest)
    wrong = [
        f"{model_path(node)} reads {parent['name']} ({model_path(parent)})"
        for node in models.values()
        if _layer(node) == "intermediate"
        for parent in _model_parents(node, models)
        if _layer(parent) == "marts"
    ]
    assert not wrong, "intermediate reads a mart:\n  " + "\n  ".join(sorted(wrong))


def test_staging_and_audit_read_only_what_lies_below_them(manifest: dict) -> None:
    models = models_of(manifest)
    allowed = {
        "staging/base": {"staging/base"},
        "staging": {"staging/base", "audit"},
        "audit": {"staging/base", "staging"},
    }
    wrong = []
    for node in models.values():
        layer = _layer(node)
        if layer not in allowed:
            continue
        for parent_id in node["depends_on"]["nodes"]:
            kind = parent_id.split(".")[0]
            if kind in ("source", "seed"):
                continue
            parent = models.get(parent_id)
            if parent is None or _layer(parent) not in allowed[layer]:
                wrong.append(f"{model_path(node)} reads {parent_id}")
    assert not wrong, "reads above its layer:\n  " + "\n  ".join(sorted(wrong))


ERASURE_SOURCE = "source.lead_funnel.privacy.erasure_requests"


def test_base_models_map_one_to_one_to_source_tables(manifest: dict) -> None:
    """base_<source>__<entity> reads the one table <entity> (or <source>_<entity>) of source
    <source>, and stg_<source>__<entity> reads the base model; var raw_contract agrees."""
    models = models_of(manifest)
    by_name = {node["name"]: node for node in models.values()}
    base_of_table = {}
    for node in (n for n in models.values() if _layer(n) == "staging/base"):
        # besides its raw table, a lead-keyed base model reads the erasure requests
        sources = [
            p
            for p in node["depends_on"]["nodes"]
            if p.startswith("source.") and p != ERASURE_SOURCE
        ]
        assert len(sources) == 1, f"{node['name']} reads {sources}: one source table expected"
        source = manifest["sources"][sources[0]]
        table = source["name"]
        assert table not in base_of_table, f"{table} read by {base_of_table[table]} too"
        base_of_table[table] = node["name"]
        entities = {table, table.removeprefix(source["source_name"] + "_")}
        assert node["name"] in {f"base_{source['source_name']}__{e}" for e in entities}, (
            f"{node['name']} reads {source['source_name']}.{table}: name it after the table"
        )
        staged = by_name.get("stg_" + node["name"].removeprefix("base_"))
        assert staged is not None, f"{node['name']} has no staged model of the same name"
        assert node["unique_id"] in staged["depends_on"]["nodes"], staged["name"]
    assert len(base_of_table) >= 9

    project = yaml.safe_load((project_dir() / "dbt_project.yml").read_text(encoding="utf-8"))
    contract = project["vars"]["raw_contract"]
    assert set(contract) == set(base_of_table)
    for table, spec in contract.items():
        assert spec["base_model"] == base_of_table[table], table
        assert spec["staged_model"] == "stg_" + spec["base_model"].removeprefix("base_"), table


def test_no_long_chains_of_views(manifest: dict) -> None:
    models = models_of(manifest)
    children: dict[str, list[str]] = {unique_id: [] for unique_id in models}
    for unique_id, node in models.items():
        for parent in node["depends_on"]["nodes"]:
            if parent in models:
                children[parent].append(unique_id)

    def is_view(unique_id: str) -> bool:
        return models[unique_id]["config"]["materialized"] == "view"

    @functools.cache
    def longest_from(unique_id: str) -> tuple[str, ...]:
        """The longest run of consecutive views that starts at this view."""
        below = [longest_from(child) for child in children[unique_id] if is_view(child)]
        return (unique_id, *max(below, key=len, default=()))

    too_long = {
        longest_from(unique_id)
        for unique_id in models
        if is_view(unique_id) and len(longest_from(unique_id)) > MAX_VIEW_CHAIN
    }
    described = sorted(
        " -> ".join(f"{models[u]['name']} ({model_path(models[u])})" for u in chain)
        for chain in too_long
    )
    assert not described, f"chains of more than {MAX_VIEW_CHAIN} views:\n  " + "\n  ".join(
        described
    )
