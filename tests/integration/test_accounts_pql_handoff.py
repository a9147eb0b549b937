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

from tests.conftest import query
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
def test_calibration_auc_and_sweep_match_python(truth: T.Truth, generated_warehouse: Path):
    scores = dict(
        query(
            generated_warehouse,
            "select lead_id, case when is_marketing_qualified then coalesce(score_at_mql, "
            "lead_score) else lead_score end from marts.fct_lead_scores "
            "where scoring_model = 'default'",
        )
    )
    reached_sql = {c.lead_id for c in truth.cycles if c.sql_reached_at is not None}
    won = {c.lead_id for c in truth.cycles if c.closed_won_at is not None}
    ids = sorted(scores)
    values = [scores[i] for i in ids]
    auc_sql = mann_whitney_auc(values, [i in reached_sql for i in ids])
    auc_won = mann_whitney_auc(values, [i in won for i in ids])
    rows = query(
        generated_warehouse,
        """select threshold, would_be_mqls, mql_to_sql_rate, share_of_wins_captured, band_leads,
                  recommended_threshold, auc_sql, auc_won
           from marts.rpt_threshold_calibration where scoring_model = 'default'
           order by threshold""",
    )
    assert [r[0] for r in rows] == list(range(0, 101, 5))
    assert rows[0][6] == pytest.approx(auc_sql, abs=1e-9)
    assert rows[0][7] == pytest.approx(auc_won, abs=1e-9)
    assert 0.6 < auc_sql < 1.0 and 0.6 < auc_won < 1.0
    recommended = None
    for t, mqls, rate, captured, band, *_ in rows:
        above = [i for i in ids if scores[i] >= t]
        assert mqls == len(above)
        in_band = [i for i in above if t == 100 or scores[i] < t + 5]
        assert band == len(in_band)
        sql_rate = sum(i in reached_sql for i in above) / len(above) if above else None
        assert rate == pytest.approx(sql_rate, abs=1e-12)
        assert captured == pytest.approx(sum(i in won for i in above) / len(won), abs=1e-12)
        if recommended is None and sql_rate is not None and sql_rate >= 0.13:
            recommended = t
    assert rows[0][5] == recommended
