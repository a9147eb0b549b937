"""Pure-Python references for the calibration AUC and the MQL routing rules.

`mann_whitney_auc` and `route` are independent of the SQL: the integration tests compare the
marts (rpt_threshold_calibration, fct_mql_handoffs) with them.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
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

    def territory(self, country: str | None, region: str | None) -> str | None:
        by_country = sorted(t["territory"] for t in self.territories if t["country"] == country)
        if country and by_country:
            return by_country[0]
        by_region = sorted(
            t["territory"] for t in self.territories if not t["country"] and t["region"] == region
        )
        return by_region[0] if region and by_region else None

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
            "territory": self.territory(country, region),
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
        return (*facts.values(), best["routing_rule_id"], best["queue"], sla)


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
