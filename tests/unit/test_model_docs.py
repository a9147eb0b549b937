"""Every public model and each of its columns is described, and every model has a primary-key
test: unique + not_null on one column, or lf_unique_combination on the key's columns.

Read from the manifest of `dbt parse` (descriptions there have their doc blocks rendered), so a
description that is only `{{ doc('...') }}` of an empty or missing block fails too.
"""

from __future__ import annotations

from collections import defaultdict

from tests.unit.conftest import model_path, models_of


def _public_models(manifest: dict) -> dict[str, dict]:
    return {
        unique_id: node
        for unique_id, node in models_of(manifest).items()
        if node.get("access") == "public"
    }


def test_there_are_public_models(manifest: dict) -> None:
    assert len(_public_models(manifest)) >= 20


def test_every_public_model_and_column_is_described(manifest: dict) -> None:
    missing = []
    for node in _public_models(manifest).values():
        if not (node.get("description") or "").strip():
            missing.append(f"{model_path(node)}: model {node['name']}")
        assert node["columns"], f"{node['name']} lists no columns"
        for column in node["columns"].values():
            if not (column.get("description") or "").strip():
                missing.append(f"{model_path(node)}: {node['name']}.{column['name']}")
    assert not missing, "undescribed:\n  " + "\n  ".join(sorted(missing))


def _primary_key_tests(manifest: dict) -> dict[str, set[str]]:
    """Per model, how its key is tested: 'column:<name>' when one column has both unique and
    not_null, 'combination' for lf_unique_combination."""
    column_tests: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    keys: dict[str, set[str]] = defaultdict(set)
    for node in manifest["nodes"].values():
        metadata = node.get("test_metadata")
        attached = node.get("attached_node")
        if node["resource_type"] != "test" or not metadata or not attached:
            continue
        if metadata["name"] == "lf_unique_combination":
            keys[attached].add("combination")
        elif metadata["name"] in ("unique", "not_null") and node.get("column_name"):
            column_tests[attached][node["column_name"]].add(metadata["name"])
    for model, columns in column_tests.items():
        for column, names in columns.items():
            if names >= {"unique", "not_null"}:
                keys[model].add(f"column:{column}")
    return keys


def test_every_model_has_a_primary_key_test(manifest: dict) -> None:
    keys = _primary_key_tests(manifest)
    without = [
        f"{model_path(node)}: {node['name']}"
        for unique_id, node in models_of(manifest).items()
        if not keys.get(unique_id)
    ]
    assert not without, "no primary-key test:\n  " + "\n  ".join(sorted(without))
