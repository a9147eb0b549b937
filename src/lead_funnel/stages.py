"""The lifecycle stages, read from seed lifecycle_stages so dbt and Python share one definition."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from lead_funnel.paths import project_dir

_TRUE = {"true", "t", "1", "yes"}


@dataclass(frozen=True)
class LifecycleStage:
    """One row of seed lifecycle_stages (the seed's YAML describes every column)."""

    stage: str
    stage_order: int
    label: str
    entered_by: str
    moment_column: str
    is_funnel_stage: bool
    cycle_role: str
    count_column: str
    velocity_from: str
    description: str


def lifecycle_stages() -> tuple[LifecycleStage, ...]:
    """Every stage of the project's seed, in stage_order (read afresh: the file is small)."""
    return _read_stages(project_dir() / "seeds" / "lifecycle_stages.csv")


def _read_stages(path: Path) -> tuple[LifecycleStage, ...]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    stages = [
        LifecycleStage(
            stage=row["stage"].strip(),
            stage_order=int(row["stage_order"]),
            label=(row.get("label") or row["stage"]).strip(),
            entered_by=(row.get("entered_by") or "").strip(),
            moment_column=(row.get("moment_column") or "").strip(),
            is_funnel_stage=(row.get("is_funnel_stage") or "").strip().lower() in _TRUE,
            cycle_role=(row.get("cycle_role") or "").strip(),
            count_column=(row.get("count_column") or "").strip(),
            velocity_from=(row.get("velocity_from") or "").strip(),
            description=(row.get("description") or "").strip(),
        )
        for row in rows
    ]
    return tuple(sorted(stages, key=lambda stage: stage.stage_order))


def funnel_stages() -> tuple[LifecycleStage, ...]:
    """The funnel stages (is_funnel_stage) in order: lead, mql, sal, sql, opportunity, won."""
    return tuple(stage for stage in lifecycle_stages() if stage.is_funnel_stage)
