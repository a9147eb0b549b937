"""The fault catalogue (docs/faults.md) names only tests that exist, and the resource-failure
message for a full temp disk names the model and the setting."""

from __future__ import annotations

import re
from pathlib import Path

from lead_funnel.dbt_runner import explain_resource_failure

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "docs" / "faults.md"


def test_every_catalogued_test_exists() -> None:
    text = CATALOGUE.read_text(encoding="utf-8")
    pytest_refs = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", text)
    unit_refs = re.findall(r"dbt unit tests? ((?:`\w+`(?:, )?)+)", text)
    assert len(pytest_refs) >= 25
    for path, name in pytest_refs:
        source = (ROOT / path).read_text(encoding="utf-8")
        assert re.search(rf"^def {name}\(", source, re.MULTILINE), f"{path}::{name} is missing"
    yaml_text = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "models").rglob("*.yml"))
    names = [name for group in unit_refs for name in re.findall(r"`(\w+)`", group)]
    assert len(names) >= 5
    for name in names:
        assert re.search(rf"- name: {name}\s*$", yaml_text, re.MULTILINE), f"unit test {name}"


def test_temp_disk_failure_names_the_model_and_the_setting(monkeypatch) -> None:
    monkeypatch.setenv("LEAD_FUNNEL_TEMP_DIR", "/mnt/small")
    monkeypatch.delenv("LEAD_FUNNEL_DUCKDB_MEMORY_LIMIT", raising=False)
    failed = [
        (
            "int_lead_scores_at_each_event",
            'IO Error: Could not write file "/mnt/small/duckdb_temp_storage-0.tmp": '
            "No space left on device",
        ),
        ("fct_lead_scores", "FATAL Error: database has been invalidated"),
    ]
    assert explain_resource_failure(failed) == (
        "model int_lead_scores_at_each_event ran out of disk space for DuckDB's temporary "
        "files (memory limit: DuckDB's default; temp directory: /mnt/small): set "
        "LEAD_FUNNEL_TEMP_DIR to a folder on a disk with more free space, or raise "
        "LEAD_FUNNEL_DUCKDB_MEMORY_LIMIT so less is spilled"
    )
    assert explain_resource_failure([("x", "Binder Error: no such column")]) is None
