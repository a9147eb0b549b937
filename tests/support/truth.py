"""Independent computations of the funnel marts from the generator's ground truth.

Everything here reads only `ground_truth/*.csv` (what the generator simulated) and, for
spend, the raw spend file; none of it reads the warehouse. The tests compare these numbers
with the marts.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

CYCLE_MOMENTS = (
    "marketing_qualified_at",
    "first_touched_at",
    "sales_accepted_at",
    "sales_rejected_at",
    "recycled_at",
    "sales_qualified_at",
    "disqualified_at",
    "opportunity_created_at",
    "closed_won_at",
    "closed_lost_at",
)


def ts(value: str) -> datetime | None:
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S") if value else None


def as_text(value) -> str:
    """A warehouse value written the way the ground-truth CSV files write it."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def month(moment: datetime) -> datetime:
    return datetime(moment.year, moment.month, 1)


@dataclass
class Cycle:
    """One simulated MQL cycle of a surviving lead, with the funnel's "reached" rules."""

    row: dict

    def __getattr__(self, name: str):
        if name in CYCLE_MOMENTS:
            return ts(self.row[name])
        raise AttributeError(name)

    @property
    def lead_id(self) -> str:
        return self.row["lead_id"]

    @property
    def number(self) -> int:
        return int(self.row["cycle_number"])

    @property
    def inferred(self) -> bool:
        return self.row["is_inferred_mql"] == "true"

    @property
    def contradictory(self) -> bool:
        return self.row["is_contradictory"] == "true"

    @property
    def sal_reached_at(self) -> datetime | None:
        for moment in (
            self.sales_accepted_at,
            self.sales_qualified_at,
            self.opportunity_created_at,
            self.closed_won_at,
        ):
            if moment is not None:
                return moment
        return None

    @property
    def sql_reached_at(self) -> datetime | None:
        for moment in (self.sales_qualified_at, self.opportunity_created_at, self.closed_won_at):
            if moment is not None:
                return moment
        return None

    @property
    def opportunity_reached_at(self) -> datetime | None:
        return self.opportunity_created_at or self.closed_won_at

    @property
    def response_minutes(self) -> float | None:
        if self.first_touched_at is None:
            return None
        return (self.first_touched_at - self.marketing_qualified_at).total_seconds() / 60.0


class Truth:
    """The ground truth of one generated dataset."""

    def __init__(self, raw_dir: Path):
        self.raw_dir = Path(raw_dir)
        folder = self.raw_dir / "ground_truth"
        with open(folder / "leads_truth.csv", encoding="utf-8", newline="") as fh:
            self.leads = [r for r in csv.DictReader(fh) if r["is_merged_duplicate"] == "false"]
        with open(folder / "mql_cycles_truth.csv", encoding="utf-8", newline="") as fh:
            self.cycles = [Cycle(r) for r in csv.DictReader(fh)]
        self.real_cycles = [c for c in self.cycles if not c.inferred]

    def lead_created_at(self) -> dict[str, datetime]:
        return {r["lead_id"]: ts(r["created_at"]) for r in self.leads}


def mql_cohort_counts(truth: Truth) -> dict[datetime, tuple[int, int, int, int, int]]:
    """Per MQL month: MQL cycles, and how many reached SAL, SQL, opportunity, won."""
    counts: dict[datetime, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for c in truth.real_cycles:
        row = counts[month(c.marketing_qualified_at)]
        row[0] += 1
        row[1] += c.sal_reached_at is not None
        row[2] += c.sql_reached_at is not None
        row[3] += c.opportunity_reached_at is not None
        row[4] += c.closed_won_at is not None
    return {k: tuple(v) for k, v in counts.items()}


def lead_cohort_counts(truth: Truth) -> dict[datetime, tuple[int, int, int, int, int, int]]:
    """Per creation month: leads, and how many reached MQL, SAL, SQL, opportunity, won."""
    reach: dict[str, list[bool]] = defaultdict(lambda: [False] * 5)
    for c in truth.real_cycles:
        flags = reach[c.lead_id]
        flags[0] = True
        flags[1] |= c.sal_reached_at is not None
        flags[2] |= c.sql_reached_at is not None
        flags[3] |= c.opportunity_reached_at is not None
        flags[4] |= c.closed_won_at is not None
    counts: dict[datetime, list[int]] = defaultdict(lambda: [0] * 6)
    for lead_id, created in truth.lead_created_at().items():
        row = counts[month(created)]
        row[0] += 1
        for i, flag in enumerate(reach.get(lead_id, [False] * 5)):
            row[i + 1] += flag
    return {k: tuple(v) for k, v in counts.items()}


RESPONSE_BUCKETS = (
    ("le_5_min", 5),
    ("le_30_min", 30),
    ("le_1_hour", 60),
    ("le_24_hours", 1440),
)


def response_bucket(minutes: float | None) -> str:
    if minutes is None:
        return "never"
    for name, upper in RESPONSE_BUCKETS:
        if minutes <= upper:
            return name
    return "gt_24_hours"


def speed_to_lead(truth: Truth) -> dict[str, tuple[int, int]]:
    """Per response bucket (and 'all'): MQL cycles and those reaching SQL."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for c in truth.real_cycles:
        for bucket in (response_bucket(c.response_minutes), "all"):
            counts[bucket][0] += 1
            counts[bucket][1] += c.sql_reached_at is not None
    return {k: tuple(v) for k, v in counts.items()}


def velocity_hours(truth: Truth) -> dict[tuple[str, str], list[float]]:
    """Elapsed hours per stage pair over real, non-contradictory cycles."""
    created = truth.lead_created_at()
    pairs: dict[tuple[str, str], list[float]] = defaultdict(list)

    def add(key: tuple[str, str], start: datetime | None, end: datetime | None) -> None:
        if start is not None and end is not None and end >= start:
            pairs[key].append((end - start).total_seconds() / 3600.0)

    for c in truth.real_cycles:
        if c.contradictory:
            continue
        if c.number == 1:
            add(("lead", "mql"), created[c.lead_id], c.marketing_qualified_at)
        add(("mql", "first_touch"), c.marketing_qualified_at, c.first_touched_at)
        add(("mql", "sal"), c.marketing_qualified_at, c.sal_reached_at)
        add(("mql", "sql"), c.marketing_qualified_at, c.sql_reached_at)
        add(("sql", "opportunity"), c.sql_reached_at, c.opportunity_reached_at)
        add(("opportunity", "won"), c.opportunity_reached_at, c.closed_won_at)
        add(("mql", "won"), c.marketing_qualified_at, c.closed_won_at)
    return pairs


def summarize(values: list[float]) -> tuple[int, float, float, float, float]:
    """n, mean, median, p75, p90 with linear interpolation between closest ranks."""
    array = np.asarray(values, dtype=float)
    return (
        len(values),
        float(array.mean()),
        float(np.percentile(array, 50)),
        float(np.percentile(array, 75)),
        float(np.percentile(array, 90)),
    )


def acceptance(truth: Truth) -> dict[str, int]:
    """MQL cycles, accepted, rejected, recycled, re-MQLs (recycled cycles followed by another)."""
    by_lead: dict[str, list[Cycle]] = defaultdict(list)
    for c in truth.cycles:
        by_lead[c.lead_id].append(c)
    re_mqls = 0
    for c in truth.real_cycles:
        if c.recycled_at is not None and any(
            other.number == c.number + 1 for other in by_lead[c.lead_id]
        ):
            re_mqls += 1
    return {
        "mql_cycles": len(truth.real_cycles),
        "accepted": sum(c.sales_accepted_at is not None for c in truth.real_cycles),
        "rejected": sum(c.sales_rejected_at is not None for c in truth.real_cycles),
        "recycled": sum(c.recycled_at is not None for c in truth.real_cycles),
        "re_mqls": re_mqls,
    }


def health_rates(truth: Truth, as_of: datetime, window_days: int = 90) -> dict[str, float]:
    """The rates rpt_funnel_health measures, over mature cohorts."""
    cutoff = as_of - timedelta(days=window_days)
    mature_leads = [r for r in truth.leads if ts(r["created_at"]) <= cutoff]
    with_mql = {c.lead_id for c in truth.real_cycles}
    mature = [c for c in truth.real_cycles if c.marketing_qualified_at <= cutoff]
    sales = [c for c in truth.cycles if (c.sql_reached_at or c.marketing_qualified_at) <= cutoff]
    sqls = sum(c.sql_reached_at is not None for c in sales)
    won = sum(c.closed_won_at is not None for c in sales)
    lost = sum(c.closed_lost_at is not None for c in sales)
    return {
        "lead_to_mql_rate": sum(r["lead_id"] in with_mql for r in mature_leads) / len(mature_leads),
        "mql_acceptance_rate": sum(c.sales_accepted_at is not None for c in mature) / len(mature),
        "mql_to_sql_rate": sum(c.sql_reached_at is not None for c in mature) / len(mature),
        "mql_to_won_rate": sum(c.closed_won_at is not None for c in mature) / len(mature),
        "sql_to_opportunity_rate": sum(c.opportunity_reached_at is not None for c in sales) / sqls,
        "opportunity_to_won_rate": won / (won + lost),
    }
