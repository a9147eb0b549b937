"""The raw-data contract, read from dbt_project.yml so dbt and Python share one definition."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import yaml

from lead_funnel.paths import project_dir


@dataclass(frozen=True)
class RawTable:
    """One raw table of the contract: its required and optional columns, in order."""

    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


@lru_cache(maxsize=1)
def raw_tables() -> dict[str, RawTable]:
    """All raw tables of the contract, keyed by table name."""
    with open(project_dir() / "dbt_project.yml", encoding="utf-8") as fh:
        project = yaml.safe_load(fh)
    spec = project["vars"]["raw_contract"]
    return {
        name: RawTable(name, tuple(cols["required"]), tuple(cols.get("optional") or ()))
        for name, cols in spec.items()
    }
