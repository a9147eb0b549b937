"""MQAs, PQLs, the lead timeline, MQL hand-offs and threshold calibration on generated data.

Expected numbers come from the generator's ground truth (ground_truth/*.csv), from the raw
files, or from plain-Python re-computations (tests/unit/test_calibration_and_routing.py),
never from the mart under test.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from lead_funnel.dbt_runner import run_dbt
from tests.conftest import GENERATED_AS_OF as GENERATED_AS_OF_TEXT
from tests.conftest import copy_warehouse, query
from tests.support import truth as T
from tests.support.sla import SlaClock
from tests.unit.test_calibration_and_routing import Router, mann_whitney_auc

pytestmark = pytest.mark.slow

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
AS_OF = datetime(2026, 9, 30)


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def truth(generated_raw: Path) -> T.Truth:
    return T.Truth(generated_raw)


# ---- PQLs ------------------------------------------------------------------------------------
def _python_pqls(raw: Path, min_signals: int = 2) -> dict[str, tuple[datetime, list[str]]]:
    """PQL moment and signals per lead from the raw usage file, truth sign-ups and the seed."""
    rules = _csv(SEEDS / "product" / "pql_signal_rules.csv")
    signup = {
        r["lead_id"]: T.ts(r["signed_up_at"])
        for r in _csv(raw / "ground_truth" / "product_usage_truth.csv")
    }
    events: dict[str, list[tuple[datetime, str, str]]] = defaultdict(list)
    for r in _csv(raw / "product_usage_events.csv"):
        events[r["lead_id"]].append((T.ts(r["occurred_at"]), r["event_id"], r["event_type"]))
    result = {}
    for lead_id, evs in events.items():
        evs.sort()
        fired = []
        for rule in rules:
            matches = []
            for at, _event_id, kind in evs:
                if kind != rule["event_type"]:
                    continue
                if rule["within_days_of_signup"]:
                    start = signup[lead_id]
                    days = float(rule["within_days_of_signup"])
                    if not (start <= at <= start + timedelta(days=days)):
                        continue
                if rule["session_minutes"]:
                    window = timedelta(minutes=float(rule["session_minutes"]))
                    if not any(k != kind and abs(a - at) <= window for a, _, k in evs):
                        continue
                matches.append(at)
            if len(matches) >= int(rule["min_count"]):
                fired.append((matches[int(rule["min_count"]) - 1], rule["signal_id"]))
        fired.sort()
        if len(fired) >= min_signals:
            result[lead_id] = (fired[min_signals - 1][0], [s for _, s in fired[:min_signals]])
    return result


def test_pqls_and_pql_to_paid_match_the_truth(generated_raw: Path, generated_warehouse: Path):
    expected = _python_pqls(generated_raw)
    upgraded = {
        r["lead_id"]: T.ts(r["upgraded_at"])
        for r in _csv(generated_raw / "ground_truth" / "product_usage_truth.csv")
        if r["upgraded_at"]
    }
    rows = query(
        generated_warehouse,
        "select lead_id, product_qualified_at, pql_signals, is_paid_after_pql from marts.fct_pqls "
        "where is_pql",
    )
    found = {r[0]: (r[1], list(r[2])) for r in rows}
    assert found == expected
    paid_after = {k for k, (at, _) in expected.items() if k in upgraded and upgraded[k] >= at}
    assert {r[0] for r in rows if r[3]} == paid_after
    (row,) = query(
        generated_warehouse,
        "select product_leads, pqls, pqls_paid, pql_to_paid_rate, benchmark_status "
        "from marts.rpt_pql_conversion where period_type = 'all'",
    )
    n_product = len(_csv(generated_raw / "ground_truth" / "product_usage_truth.csv"))
    assert row[:3] == (n_product, len(expected), len(paid_after))
    assert row[3] == pytest.approx(len(paid_after) / len(expected), abs=1e-12)
    assert 0.15 <= row[3] <= 0.25 and row[4] == "within"
    # the paid leads split into PQLs paid after qualifying, PQLs that paid first, and the rest
    paid_first = {k for k in expected if k in upgraded and k not in paid_after}
    (totals,) = query(
        generated_warehouse,
        "select non_pqls, paid_leads, paid_before_pql, non_pqls_paid "
        "from marts.rpt_pql_conversion where period_type = 'all'",
    )
    assert totals == (
        n_product - len(expected),
        len(upgraded),
        len(paid_first),
        len(upgraded) - len(paid_after) - len(paid_first),
    )
    # lists are lists: empty, never null, for leads without a signal or without a PQL
    ((nulls, empty_fired, empty_at_pql),) = query(
        generated_warehouse,
        "select count(*) filter (where signals_fired is null or pql_signals is null), "
        "count(*) filter (where len(signals_fired) = 0), "
        "count(*) filter (where not is_pql and len(pql_signals) = 0) from marts.fct_pqls",
    )
    assert nulls == 0 and empty_fired > 0 and empty_at_pql == n_product - len(expected)


# ---- accounts ----------------------------------------------------------------------------------
def test_mqa_moments_replayed_from_score_history(generated_warehouse: Path):
    """Replay the MQA rule per account over the default model's score history."""
    (rule,) = [
        r
        for r in _csv(SEEDS / "accounts" / "account_qualification_rules.csv")
        if r["scoring_model"] == "default"
    ]
    bar, cap = float(rule["engaged_contact_min_score"]), float(rule["engagement_cap"])
    need, min_score = int(rule["min_engaged_contacts"]), float(rule["min_account_score"])
    fit = dict(
        query(
            generated_warehouse,
            "select account_id, account_fit_score from intermediate.int_account_fit_scored "
            "where scoring_model = 'default'",
        )
    )
    history = query(
        generated_warehouse,
        """select l.account_id, h.lead_id, h.event_id, h.occurred_at,
                  h.engagement_score + h.intent_score + h.negative_score
           from marts.fct_lead_score_history as h
           inner join marts.dim_leads as l on h.lead_id = l.lead_id
           where h.scoring_model = 'default' and l.account_id is not null
           order by l.account_id, h.occurred_at, h.lead_id, h.event_id""",
    )
    expected: dict[str, tuple[datetime, str]] = {}
    state: dict[str, dict[str, float]] = defaultdict(dict)
    for account_id, lead_id, _event_id, at, behaviour in history:
        if account_id in expected:
            continue
        contacts = state[account_id]
        contacts[lead_id] = behaviour
        engaged = sum(b >= bar for b in contacts.values())
        total = sum(max(0.0, b) for b in contacts.values())
        score = min(100.0, fit[account_id] + min(total, cap))
        if engaged >= need and score >= min_score - 1e-9:
            expected[account_id] = (at, lead_id)
    rows = query(
        generated_warehouse,
        "select account_id, marketing_qualified_account_at, mqa_trigger_lead_id "
        "from marts.fct_account_scores where scoring_model = 'default' "
        "and is_marketing_qualified_account",
    )
    assert len(expected) > 100
    assert {r[0]: (r[1], r[2]) for r in rows} == expected
    (funnel,) = query(
        generated_warehouse,
        "select mqas from marts.rpt_account_funnel "
        "where scoring_model = 'default' and period_type = 'all'",
    )
    assert funnel[0] == len(expected)


def test_account_rollup_as_of(generated_warehouse: Path):
    rows = query(
        generated_warehouse,
        """select l.account_id, l.persona, s.engagement_score + s.intent_score + s.negative_score
           from marts.fct_lead_scores as s inner join marts.dim_leads as l on s.lead_id = l.lead_id
           where s.scoring_model = 'default' and l.account_id is not null""",
    )
    per_account: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for account_id, persona, behaviour in rows:
        per_account[account_id].append((persona, behaviour))
    found = query(
        generated_warehouse,
        "select account_id, contact_count, engagement_sum, max_contact_engagement_score, "
        "engaged_contact_count, engaged_persona_count from marts.fct_account_scores "
        "where scoring_model = 'default' and contact_count > 0",
    )
    assert len(found) == len(per_account)
    for account_id, n, total, top, engaged, personas in found:
        contacts = per_account[account_id]
        assert n == len(contacts)
        assert total == pytest.approx(sum(max(0.0, b) for _, b in contacts), abs=1e-9)
        assert top == pytest.approx(max(b for _, b in contacts), abs=1e-9)
        assert engaged == sum(b >= 20 for _, b in contacts)
        assert personas == len({p for p, b in contacts if b >= 20 and p is not None})


# ---- timeline and hand-offs ------------------------------------------------------------------
def test_timeline_holds_every_touch(generated_warehouse: Path):
    counts = dict(
        query(
            generated_warehouse,
            "select touch_source, count(*) from marts.fct_lead_timeline group by touch_source",
        )
    )
    (sources,) = query(
        generated_warehouse,
        """select
             (select count(*) from intermediate.int_engagement_events_resolved),
             (select count(*) from intermediate.int_lifecycle_events_resolved
               where lifecycle_event = 'sales_touch'),
             (select count(*) from intermediate.int_lifecycle_events_resolved
               where lifecycle_event not in ('sales_touch', 'opportunity_created')),
             (select count(*) + count(closed_at) from intermediate.int_lifecycle_events_resolved
               where lifecycle_event = 'opportunity_created')""",
    )
    assert (counts["marketing"], counts["sales"], counts["crm_status"], counts["opportunity"]) == (
        sources
    )
    (bad,) = query(
        generated_warehouse,
        """select count(*) from (
             select occurred_at
               < lag(occurred_at) over (partition by lead_id order by touch_sequence)
               as is_backwards
             from marts.fct_lead_timeline) where is_backwards""",
    )
    assert bad == (0,)


def test_handoffs_routing_and_sla_against_the_truth(truth: T.Truth, generated_warehouse: Path):
    router = Router()
    clock = SlaClock()
    regions = {r["country"]: r["region"] for r in _csv(SEEDS / "scoring" / "scoring_regions.csv")}
    leads = {
        r[0]: r[1:]
        for r in query(
            generated_warehouse,
            "select lead_id, country, employee_band from marts.dim_leads where is_survivor",
        )
    }
    rows = query(
        generated_warehouse,
        """select lead_id, cycle_number, score_at_mql, territory, score_band, segment,
                  routing_rule_id, queue, sla_hours, sla_due_at, first_touched_at, is_sla_met,
                  marketing_qualified_at, len(last_touches), trigger_actions,
                  fit_score_at_mql + engagement_score_at_mql + intent_score_at_mql
                  + negative_score_at_mql, owner_time_zone, sla_time_zone
           from marts.fct_mql_handoffs where scoring_model = 'default'""",
    )
    cycles = {(c.lead_id, c.number): c for c in truth.real_cycles}
    assert len(rows) == len(cycles)
    met = 0
    for r in rows:
        lead_id, number, score = r[0], r[1], r[2]
        country, band = leads[lead_id]
        assert r[3:9] == router.route(country, regions.get(country), band, score)
        c = cycles[(lead_id, number)]
        assert r[12] == c.marketing_qualified_at
        zone = clock.time_zone(r[16], country)
        assert r[17] == zone
        assert r[9] == clock.due(c.marketing_qualified_at, r[8], zone, r[3]), r
        assert r[10] == c.first_touched_at
        expected_met = (
            c.first_touched_at <= r[9] if c.first_touched_at else (False if r[9] <= AS_OF else None)
        )
        assert r[11] == expected_met
        met += bool(expected_met)
        assert 1 <= r[13] <= 5
        assert score == pytest.approx(min(100.0, max(0.0, r[15])), abs=1e-9)
    assert met > 0


# ---- calibration ------------------------------------------------------------------------------
HORIZON_DAYS, OUTCOME_DAYS, MIN_MQLS, BAND = 30, 180, 20, (0.13, 0.20)


def _backtest(
    truth: T.Truth,
    warehouse: Path,
    band: tuple[float, float] = BAND,
    horizon_days: int = HORIZON_DAYS,
) -> dict:
    """The calibration backtest of the default model, recomputed in plain Python.

    Leads and outcomes from the ground truth, the score after each scoring event from
    fct_lead_score_history (the scores themselves are checked against the Python reference
    elsewhere); the horizon cut, the gates, the sweep, the AUC and the recommendation here.
    """
    model = next(
        r for r in _csv(SEEDS / "scoring" / "scoring_models.csv") if r["scoring_model"] == "default"
    )
    min_fit, min_behavior = float(model["min_fit_score"]), float(model["min_behavior_score"] or 0)
    assert not model["requires_activity_within_days"]  # no recency gate to re-derive here
    as_of = datetime.fromisoformat(GENERATED_AS_OF_TEXT)
    created = truth.lead_created_at()
    scored = {
        r[0]
        for r in query(
            warehouse, "select lead_id from marts.fct_lead_scores where scoring_model = 'default'"
        )
    }
    assert scored == set(created)
    mature = {i for i in scored if created[i] + timedelta(days=OUTCOME_DAYS) <= as_of}
    best: dict[str, float] = {}
    for lead_id, at, score, fit, behavior, disqualified, suppressed in query(
        warehouse,
        """select lead_id, occurred_at, lead_score, fit_score,
                  engagement_score + intent_score + negative_score,
                  is_fit_disqualified, is_suppressed
           from marts.fct_lead_score_history where scoring_model = 'default'""",
    ):
        if lead_id not in mature or at > created[lead_id] + timedelta(days=horizon_days):
            continue
        if disqualified or suppressed or fit < min_fit or behavior < min_behavior - 1e-9:
            continue
        best[lead_id] = max(best.get(lead_id, score), score)
    sql, won = set(), set()
    for cycle in truth.cycles:
        if cycle.lead_id not in mature:
            continue
        ends = created[cycle.lead_id] + timedelta(days=OUTCOME_DAYS)
        moments = (cycle.sales_qualified_at, cycle.opportunity_created_at, cycle.closed_won_at)
        if any(m is not None and m <= ends for m in moments):
            sql.add(cycle.lead_id)
        if cycle.closed_won_at is not None and cycle.closed_won_at <= ends:
            won.add(cycle.lead_id)
    ids = sorted(mature)
    values = [best.get(i, -1.0) for i in ids]
    rows = {}
    for t in range(0, 101, 5):
        above = [i for i in best if best[i] >= t - 1e-9]
        in_band = [i for i in above if t == 100 or best[i] < t + 5 - 1e-9]
        sqls = sum(i in sql for i in above)
        wins = sum(i in won for i in above)
        rows[t] = {
            "would_be_mqls": len(above),
            "band_leads": len(in_band),
            "band_sqls": sum(i in sql for i in in_band),
            "mql_to_sql_rate": sqls / len(above) if above else None,
            "recall_sql": sqls / len(sql),
            "lift_sql": (sqls / len(above)) / (len(sql) / len(ids)) if above else None,
            "precision_won": wins / len(above) if above else None,
            "recall_won": wins / len(won),
        }
    gate_mqls = rows[0]["would_be_mqls"]
    candidates = [t for t in range(5, 101, 5) if MIN_MQLS <= rows[t]["would_be_mqls"] < gate_mqls]
    rate = {t: rows[t]["mql_to_sql_rate"] for t in candidates}
    in_target = [t for t in candidates if band[0] - 1e-12 <= rate[t] <= band[1] + 1e-12]
    if in_target:
        status = "in_band"
    elif not candidates:
        status = "too_few_leads"
    elif all(rate[t] > band[1] for t in candidates):
        status = "above_band"
    elif all(rate[t] < band[0] for t in candidates):
        status = "below_band"
    else:
        status = "jumps_over_band"
    return {
        "rows": rows,
        "leads_scored": len(ids),
        "leads_immature": len(scored) - len(ids),
        "total_sqls": len(sql),
        "total_wins": len(won),
        "auc_sql": mann_whitney_auc(values, [i in sql for i in ids]),
        "auc_won": mann_whitney_auc(values, [i in won for i in ids]),
        "recommended": in_target[0] if in_target else None,
        "status": status,
    }


CALIBRATION_COLUMNS = [
    "threshold", "would_be_mqls", "band_leads", "band_sqls", "mql_to_sql_rate", "recall_sql",
    "lift_sql", "precision_won", "recall_won", "leads_scored", "leads_immature", "total_sqls",
    "total_wins", "auc_sql", "auc_won", "recommended_threshold", "recommendation_status",
    "recommendation_note", "is_current_threshold", "precision_sql", "share_of_wins_captured",
]  # fmt: skip


def _calibration_rows(warehouse: Path) -> list[dict]:
    rows = query(
        warehouse,
        f"""select {", ".join(CALIBRATION_COLUMNS)} from marts.rpt_threshold_calibration
            where scoring_model = 'default' order by threshold""",
    )
    return [dict(zip(CALIBRATION_COLUMNS, r, strict=True)) for r in rows]


def test_calibration_backtest_matches_python(truth: T.Truth, generated_warehouse: Path):
    expected = _backtest(truth, generated_warehouse)
    rows = _calibration_rows(generated_warehouse)
    assert [r["threshold"] for r in rows] == list(range(0, 101, 5))
    top = rows[0]
    for key in ("leads_scored", "leads_immature", "total_sqls", "total_wins"):
        assert top[key] == expected[key], key
    assert top["leads_immature"] > 0 and top["total_wins"] > 0
    assert top["auc_sql"] == pytest.approx(expected["auc_sql"], abs=1e-9)
    assert top["auc_won"] == pytest.approx(expected["auc_won"], abs=1e-9)
    assert 0.6 < top["auc_sql"] < 1.0
    for row in rows:
        want = expected["rows"][row["threshold"]]
        for key, value in want.items():
            if value is None:
                assert row[key] is None, (row["threshold"], key)
            else:
                assert row[key] == pytest.approx(value, abs=1e-9), (row["threshold"], key)
        assert row["precision_sql"] == row["mql_to_sql_rate"]
        assert row["share_of_wins_captured"] == row["recall_won"]
        assert row["is_current_threshold"] == (row["threshold"] == 60)
    # the gates alone let through the leads of threshold 0; the recommendation binds
    assert expected["status"] == "in_band" and expected["recommended"] not in (None, 0)
    assert {r["recommended_threshold"] for r in rows} == {expected["recommended"]}
    assert {r["recommendation_status"] for r in rows} == {"in_band"}
    assert rows[0]["recommendation_note"].startswith(f"Threshold {expected['recommended']} ")


def test_calibration_scores_at_the_horizon_not_later(truth: T.Truth, generated_warehouse: Path):
    """The backtest counts a lead's score by day 30 only: scored with everything up to the
    as-of moment, more leads would reach each threshold, and the mart has the day-30 figure."""
    rows = {r["threshold"]: r for r in _calibration_rows(generated_warehouse)}
    hindsight = _backtest(truth, generated_warehouse, horizon_days=10_000)["rows"]
    for t in (40, 60, 80):
        assert rows[t]["would_be_mqls"] < hindsight[t]["would_be_mqls"], t


@pytest.mark.parametrize(
    "band, status, note",
    [
        ((0.35, 0.5), "below_band", "missed from below"),
        ((0.05, 0.10), "above_band", "missed from above"),
    ],
)
def test_calibration_names_which_way_the_band_is_missed(
    truth: T.Truth,
    generated_raw: Path,
    generated_warehouse: Path,
    tmp_path: Path,
    band,
    status,
    note,
):
    db = copy_warehouse(generated_warehouse, tmp_path / "lead_funnel.duckdb")
    run_dbt(
        ["build", "--select", "rpt_threshold_calibration"],
        raw_dir=generated_raw,
        duckdb_path=db,
        dbt_vars={
            "score_as_of": GENERATED_AS_OF_TEXT,
            "calibration_target_mql_to_sql_low": band[0],
            "calibration_target_mql_to_sql_high": band[1],
        },
        quiet=True,
    )
    expected = _backtest(truth, db, band)
    assert expected["status"] == status
    rows = _calibration_rows(db)
    assert {r["recommended_threshold"] for r in rows} == {None}
    assert {r["recommendation_status"] for r in rows} == {status}
    assert note in rows[0]["recommendation_note"]
