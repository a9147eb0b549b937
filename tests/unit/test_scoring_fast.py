"""The vectorised scorer gives the reference's scores, eligibility flags and MQL moments."""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import datetime

import numpy as np
import pytest

from lead_funnel.scoring import load_rules, resolve_survivors, score_lead
from lead_funnel.scoring.fast import FastScorer
from lead_funnel.scoring.reference import Event, LeadProfile, ordered
from tests.integration.scoring_histories import generate, reference_inputs

AS_OF = datetime(2025, 11, 15, 12, 0, 0)


def _epoch(moment: datetime) -> int:
    return calendar.timegm(moment.timetuple())


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def _population(seed: int, count: int):
    records, events = reference_inputs(generate(seed, count, AS_OF))
    survivors = resolve_survivors({r.lead_id: r.merged_into_lead_id for r in records})
    by_lead: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        if event.lead_id in survivors and event.occurred_at <= AS_OF:
            by_lead[survivors[event.lead_id]].append(event)
    profiles = [
        r.profile for r in records if r.merged_into_lead_id is None and r.created_at <= AS_OF
    ]
    return profiles, {p.lead_id: ordered(by_lead.get(p.lead_id, [])) for p in profiles}


def _fast_scores(scorer: FastScorer, profiles: list[LeadProfile], events: dict[str, list[Event]]):
    lead, when, etype, props = [], [], [], []
    for code, profile in enumerate(profiles):
        for event in events[profile.lead_id]:
            lead.append(code)
            when.append(_epoch(event.occurred_at))
            etype.append(event.event_type)
            props.append(event.properties)
    type_vocab = sorted(set(etype), key=str)
    prop_vocab = sorted(set(props), key=lambda p: (p is None, p or ""))
    type_code = {v: i for i, v in enumerate(type_vocab)}
    prop_code = {v: i for i, v in enumerate(prop_vocab)}
    fits = [scorer.fit(p) for p in profiles]
    return lead, scorer.score_events(
        np.array(lead),
        np.array(when),
        np.array([type_code[v] for v in etype]),
        type_vocab,
        np.array([prop_code[v] for v in props]),
        prop_vocab,
        np.array([f[0] for f in fits]),
        np.array([f[1] for f in fits]),
    )


@pytest.mark.parametrize("model", ["default", "intent"])
@pytest.mark.parametrize("seed", [7, 8])
def test_fast_scores_equal_the_reference(rules, model: str, seed: int) -> None:
    profiles, events = _population(seed, 250)
    scorer = FastScorer(rules, model)
    lead, got = _fast_scores(scorer, profiles, events)
    lead = np.array(lead)
    checked_rows = mql_leads = 0
    for code, profile in enumerate(profiles):
        expected = score_lead(rules, model, profile, events[profile.lead_id], AS_OF)
        fit, disqualified = scorer.fit(profile)
        assert fit == expected.fit_score and disqualified == expected.is_fit_disqualified
        mine = np.flatnonzero(lead == code)
        scoring = mine[got.is_scoring[mine]]
        assert len(scoring) == len(expected.history), profile.lead_id
        for pos, row in zip(scoring.tolist(), expected.history, strict=True):
            assert got.raw_score[pos] == pytest.approx(row.raw_score, abs=1e-9), profile.lead_id
            assert got.lead_score[pos] == pytest.approx(row.lead_score, abs=1e-9)
            assert bool(got.is_mql_eligible[pos]) == row.is_mql_eligible, profile.lead_id
            checked_rows += 1
        assert not got.is_mql_eligible[mine[~got.is_scoring[mine]]].any()
        first = next((p for p in scoring.tolist() if got.is_mql_eligible[p]), None)
        moment = None
        if first is not None:
            moment = events[profile.lead_id][first - mine[0]].occurred_at
            mql_leads += 1
        assert moment == expected.marketing_qualified_at, profile.lead_id
    assert checked_rows > 1000 and mql_leads > 20


def test_fit_is_cached_per_attribute_values(rules) -> None:
    scorer = FastScorer(rules, "default")
    a = LeadProfile("a", "VP Marketing", "acme.com", "US", "software", 300, None, "US", "acme.com")
    b = LeadProfile("b", "VP Marketing", "other.com", "US", "software", 900, None, "US", None)
    assert scorer.fit(a) == scorer.fit(b) == (15 + 12 + 5 + 12 + 10 + 5, False)
    student = LeadProfile("s", "Student", "gmail.com", "DE")
    points, disqualified = scorer.fit(student)
    assert disqualified and points == 3 - 30 - 10
