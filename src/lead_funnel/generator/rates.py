"""Funnel rates measured from a generated ground truth, to calibrate profiles against benchmarks."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path


def _ts(value: str) -> datetime | None:
    return datetime.strptime(value, "%Y-%m-%d %H:%M:%S") if value else None


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def measure_rates(out_dir: Path) -> dict[str, float | int | None]:
    """Stage-to-stage rates of the clean simulated funnel (per surviving lead and per cycle).

    MQL-based rates count marketing hand-off cycles only (not inferred sales-sourced cycles);
    SQL -> opportunity and opportunity -> won count every cycle; won rate is over closed ones.
    """
    truth = Path(out_dir) / "ground_truth"
    with open(truth / "leads_truth.csv", encoding="utf-8", newline="") as fh:
        survivors = sum(1 for row in csv.DictReader(fh) if row["is_merged_duplicate"] == "false")
    mql_leads: set[str] = set()
    mql = accepted = sql_from_mql = 0
    sql = opp = won = lost = 0
    fast = fast_sql = slow = slow_sql = 0
    with open(truth / "mql_cycles_truth.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            has_sql = bool(row["sales_qualified_at"])
            if row["is_inferred_mql"] == "false":
                mql += 1
                mql_leads.add(row["lead_id"])
                accepted += bool(row["sales_accepted_at"])
                sql_from_mql += has_sql
                touched = _ts(row["first_touched_at"])
                if touched is not None:
                    minutes = (touched - _ts(row["marketing_qualified_at"])).total_seconds() / 60
                    if minutes <= 5:
                        fast += 1
                        fast_sql += has_sql
                    elif minutes > 30:
                        slow += 1
                        slow_sql += has_sql
            sql += has_sql
            opp += bool(row["opportunity_created_at"])
            won += bool(row["closed_won_at"])
            lost += bool(row["closed_lost_at"])
    return {
        "leads": survivors,
        "mql_cycles": mql,
        "lead_to_mql": _share(len(mql_leads), survivors),
        "mql_acceptance": _share(accepted, mql),
        "mql_to_sql": _share(sql_from_mql, mql),
        "sql_to_opportunity": _share(opp, sql),
        "opportunity_to_won": _share(won, won + lost),
        "mql_to_sql_touched_within_5_min": _share(fast_sql, fast),
        "mql_to_sql_touched_after_30_min": _share(slow_sql, slow),
    }
