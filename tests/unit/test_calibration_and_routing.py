"""Pure-Python references for the calibration AUC, the MQL routing rules and the owners.

`mann_whitney_auc`, `Router.route` and `assign_owners` are independent of the SQL: the
integration tests compare the marts (rpt_threshold_calibration, fct_mql_handoffs) with them.
`assign_owners` walks the MQLs one by one, as a person dealing them out would.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def mann_whitney_auc(scores: Sequence[float], labels: Sequence[int]) -> float | None:
    """P(score of a random positive > score of a random negative), ties counted half."""
    positives = sorted(s for s, y in zip(scores, labels, strict=True) if y)
    negatives = sorted(s for s, y in zip(scores, labels, strict=True) if not y)
    if not positives or not negatives:
        return None
    wins = 0.0
    lo = hi = 0  # negatives below, and at or below, the current positive score
    for score in positives:
        while lo < len(negatives) and negatives[lo] < score:
            lo += 1
        hi = max(hi, lo)
        while hi < len(negatives) and negatives[hi] <= score:
            hi += 1
        wins += lo + 0.5 * (hi - lo)
    return wins / (len(positives) * len(negatives))


def _rows(name: str) -> list[dict[str, str]]:
    with open(SEEDS / "routing" / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


class Router:
    """The routing rules of seeds/routing/, applied to one MQL."""

    def __init__(
        self,
        territories: list[dict[str, str]] | None = None,
        bands: list[dict[str, str]] | None = None,
        segments: list[dict[str, str]] | None = None,
        rules: list[dict[str, str]] | None = None,
        default_sla_hours: int = 24,
    ):
        self.territories = territories or _rows("routing_territories.csv")
        self.bands = bands or _rows("routing_score_bands.csv")
        self.segments = {
            r["employee_band"]: r["segment"] for r in (segments or _rows("routing_segments.csv"))
        }
        self.rules = rules or _rows("routing_rules.csv")
        self.default_sla_hours = default_sla_hours

    def territory_rows(
        self, country: str | None, region: str | None
    ) -> tuple[str | None, str | None]:
        """(country territory, region territory); the first by name where several rows match."""
        by_country = sorted(t["territory"] for t in self.territories if t["country"] == country)
        by_region = sorted(
            t["territory"] for t in self.territories if not t["country"] and t["region"] == region
        )
        return (
            by_country[0] if country and by_country else None,
            by_region[0] if region and by_region else None,
        )

    def territory(self, country: str | None, region: str | None) -> str | None:
        """The lead's most specific territory."""
        by_country, by_region = self.territory_rows(country, region)
        return by_country or by_region

    def routed_territory(self, country: str | None, region: str | None) -> str | None:
        """Country territory, else region territory, each only when some rule names it."""
        named = {r["territory"] for r in self.rules if r["territory"]}
        return next((t for t in self.territory_rows(country, region) if t in named), None)

    def score_band(self, score: float | None) -> str | None:
        if score is None:
            return None
        for band in self.bands:
            low, high = band["min_score"], band["max_score"]
            if (not low or score >= float(low)) and (not high or score < float(high)):
                return band["score_band"]
        return None

    def route(
        self,
        country: str | None,
        region: str | None,
        employee_band: str | None,
        score: float | None,
    ) -> tuple[str | None, str | None, str | None, str, str, int]:
        """(territory, score band, segment, rule id, queue, sla hours)."""
        facts = {
            "territory": self.routed_territory(country, region),
            "score_band": self.score_band(score),
            "segment": self.segments.get(employee_band or ""),
        }
        matching = [
            r
            for r in self.rules
            if all(not r[k] or r[k] == facts[k] for k in ("territory", "score_band", "segment"))
        ]
        best = min(
            matching,
            key=lambda r: (-sum(bool(r[k]) for k in facts), r["routing_rule_id"]),
        )
        sla = int(best["sla_hours"]) if best["sla_hours"] else self.default_sla_hours
        facts["territory"] = self.territory(country, region)
        return (*facts.values(), best["routing_rule_id"], best["queue"], sla)

    def rule(self, rule_id: str) -> dict[str, str]:
        return next(r for r in self.rules if r["routing_rule_id"] == rule_id)


@dataclass(frozen=True)
class Rep:
    queue: str
    rep_id: str
    weight: int
    active_from: date | None
    active_to: date | None
    time_zone: str
    capacity: int | None

    def active(self, day: date) -> bool:
        return (
            self.weight > 0
            and (self.active_from is None or self.active_from <= day)
            and (self.active_to is None or day <= self.active_to)
        )


def roster(rows: list[dict[str, str]] | None = None) -> list[Rep]:
    """The reps of seed routing_reps."""
    return [
        Rep(
            r["queue"],
            r["rep_id"],
            int(r["weight"]),
            date.fromisoformat(r["active_from"]) if r["active_from"] else None,
            date.fromisoformat(r["active_to"]) if r["active_to"] else None,
            r["time_zone"],
            int(r["capacity_per_day"]) if r["capacity_per_day"] else None,
        )
        for r in (rows or _rows("routing_reps.csv"))
    ]


def assign_owners(
    mqls: list[tuple[str, str, int, datetime, str, str | None]], reps: list[Rep]
) -> dict[tuple[str, str, int], tuple[str | None, str]]:
    """(lead, model, cycle) -> (owner, routing status) for MQLs (lead, model, cycle, MQL moment,
    queue, the rule's named owner).

    A named owner keeps the MQL when the roster lists them active that day or not at all. The
    rest are dealt, per scoring model and queue in MQL order, along the day's pattern of active
    reps (a rep of weight w holds w slots at (j + 0.5) / w); the cursor runs on across days. An
    MQL that would take its rep past the day's capacity waits; at the end of the day the
    waiting MQLs go, in order, to the reps with spare capacity (a rep's k-th spare slot at
    (k + phase) / w, the phase rotating by day), then past capacity.
    """
    listed = {r.rep_id for r in reps}
    owners: dict[tuple[str, str, int], tuple[str | None, str]] = {}
    queues: dict[tuple[str, str], list[tuple[datetime, str, int, date]]] = defaultdict(list)
    for lead, model, cycle, at, queue, named in mqls:
        day = at.date()
        if named and (named not in listed or any(r.active(day) for r in reps if r.rep_id == named)):
            owners[(lead, model, cycle)] = (named, "assigned_named_owner")
        else:
            queues[(model, queue)].append((at, lead, cycle, day))
    for (model, queue), items in queues.items():
        items.sort()
        by_day: dict[date, list[tuple[int, str, int]]] = defaultdict(list)
        for n, (_, lead, cycle, day) in enumerate(items):
            by_day[day].append((n, lead, cycle))
        for day, day_items in by_day.items():
            active = sorted(
                (r for r in reps if r.queue == queue and r.active(day)), key=lambda r: r.rep_id
            )
            if not active:
                for _, lead, cycle in day_items:
                    owners[(lead, model, cycle)] = (None, "unassigned_no_rep")
                continue
            pattern = [
                rep
                for _, _, rep in sorted(
                    ((j + 0.5) / r.weight, r.rep_id, r) for r in active for j in range(r.weight)
                )
            ]
            taken: dict[str, int] = defaultdict(int)
            waiting = []
            for n, lead, cycle in day_items:
                rep = pattern[n % len(pattern)]
                if rep.capacity is None or taken[rep.rep_id] < rep.capacity:
                    taken[rep.rep_id] += 1
                    owners[(lead, model, cycle)] = (rep.rep_id, "assigned_round_robin")
                else:
                    waiting.append((lead, cycle))
            day_number = (day - date(2000, 1, 1)).days
            slots = []
            for index, r in enumerate(active):
                phase = ((index + day_number) % len(active) + 0.5) / len(active)
                spare = None if r.capacity is None else max(r.capacity - taken[r.rep_id], 0)
                for k in range(len(day_items)):
                    within = spare is None or k < spare
                    position = (k if within else k - spare) + phase
                    slots.append((0 if within else 1, position / r.weight, r.rep_id, within))
            slots.sort()
            for (lead, cycle), (_, _, rep_id, within) in zip(waiting, slots, strict=False):
                status = "assigned_round_robin" if within else "assigned_over_capacity"
                owners[(lead, model, cycle)] = (rep_id, status)
    return owners


def test_auc_hand_worked():
    # positives 3, 2 (tie with a negative); negatives 2, 1: pairs 3>2, 3>1, 2=2 (half), 2>1
    assert mann_whitney_auc([3, 2, 2, 1], [1, 1, 0, 0]) == pytest.approx(3.5 / 4)
    assert mann_whitney_auc([1, 1, 1], [1, 0, 0]) == pytest.approx(0.5)
    assert mann_whitney_auc([0, 10], [1, 0]) == 0.0
    assert mann_whitney_auc([5, 5], [1, 1]) is None


def test_routing_seed_cases():
    router = Router()
    # hot US enterprise: the three-field rule wins
    assert router.route("US", "north_america", "1000-4999", 85.0)[3:] == (
        "us_hot_enterprise",
        "us_enterprise_ae",
        1,
    )
    # exactly 80 is hot (lower bound inclusive); 79.99 is warm
    assert router.route("US", "north_america", "1-49", 80.0)[3] == "us_hot"
    assert router.route("US", "north_america", "1-49", 79.99)[3] == "us_any"
    # US warm enterprise: us_any and enterprise_any tie on one field; the first id wins
    assert router.route("US", "north_america", "5000+", 70.0)[3:5] == (
        "enterprise_any",
        "enterprise_ae_pool",
    )
    # Germany: the country row (dach) beats the region row (emea)
    assert router.route("DE", "emea", "50-199", 65.0)[:4] == ("dach", "warm", "smb", "dach_any")
    # France by region; Brazil has no territory rule; no data at all: the fallback queue
    assert router.route("FR", "emea", "200-999", 90.0)[3] == "emea_hot"
    # Canada: no rule names its country territory, so the region's rules route it
    assert router.route("CA", "north_america", "50-199", 65.0)[:5] == (
        "canada",
        "warm",
        "smb",
        "north_america_any",
        "na_sdr_pool",
    )
    assert router.route("BR", "latin_america", "50-199", 65.0)[3:] == (
        "fallback",
        "inside_sales_pool",
        24,
    )
    assert router.route(None, None, None, None) == (
        None,
        None,
        None,
        "fallback",
        "inside_sales_pool",
        24,
    )


def test_owner_assignment_hand_worked():
    """The case of the dbt unit test routing_weighted_round_robin_capacity_and_rotation."""

    def rep(rep_id, weight, capacity, active_from=None, queue="q"):
        return Rep(queue, rep_id, weight, active_from, None, "UTC", capacity)

    reps = [
        rep("A", 2, 2),
        rep("B", 1, 1),
        rep("C", 1, None, date(2025, 1, 2)),
        rep("D", 1, None, queue="other"),
    ]
    times = {
        "M1": "2025-01-01 08:00",
        "M2": "2025-01-01 09:00",
        "M3": "2025-01-01 09:00",
        "M4": "2025-01-01 12:00",
        "M5": "2025-01-01 23:59",
        "N1": "2025-01-02 00:00",
        "N2": "2025-01-02 10:00",
        "N3": "2025-01-02 11:00",
        "P1": "2025-01-03 01:00",
        "P2": "2025-01-03 02:00",
        "P3": "2025-01-03 03:00",
        "P4": "2025-01-03 04:00",
        "P5": "2025-01-03 05:00",
    }
    mqls = [(lead, "m", 1, datetime.fromisoformat(at), "q", None) for lead, at in times.items()]
    mqls.append(("N1", "n", 1, datetime(2025, 1, 2, 8), "q", None))
    owners = assign_owners(mqls, reps)
    rr, over = "assigned_round_robin", "assigned_over_capacity"
    expected = {
        "M1": ("A", rr),
        "M2": ("B", rr),
        "M3": ("A", rr),
        "M4": ("A", over),
        "M5": ("A", over),
        "N1": ("B", rr),
        "N2": ("C", rr),
        "N3": ("A", rr),
        "P1": ("A", rr),
        "P2": ("B", rr),
        "P3": ("C", rr),
        "P4": ("A", rr),
        "P5": ("C", rr),
    }
    assert {lead: owners[(lead, "m", 1)] for lead in times} == expected
    assert owners[("N1", "n", 1)] == ("A", rr)
    # a named owner: kept when active or not in the roster, else the queue's round robin;
    # a queue without an active rep leaves the MQL unassigned
    named = [
        ("X1", "m", 1, datetime(2025, 1, 1, 8), "q", "Z"),
        ("X2", "m", 1, datetime(2025, 1, 1, 8), "q", "C"),
        ("X3", "m", 1, datetime(2025, 1, 2, 8), "q", "C"),
        ("X4", "m", 1, datetime(2025, 1, 2, 8), "empty", None),
    ]
    owners = assign_owners(named, reps)
    assert owners[("X1", "m", 1)] == ("Z", "assigned_named_owner")
    assert owners[("X2", "m", 1)] == ("A", rr)
    assert owners[("X3", "m", 1)] == ("C", "assigned_named_owner")
    assert owners[("X4", "m", 1)] == (None, "unassigned_no_rep")
