"""Scheduling the daily refresh with Dagster (install the `orchestration` extra).

`dagster dev -m lead_funnel.orchestration` shows the dbt assets, the asset checks and the daily
schedule (lead_funnel.orchestration.definitions). `defs` is built when first read, not on
import: building reads dbt's manifest and parses the project when it changed, which must
happen where the caller points dbt's target path, not wherever the package is imported.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "defs":
        from lead_funnel.orchestration.definitions import build_definitions

        defs = build_definitions()
        globals()["defs"] = defs
        return defs
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), "defs"})
