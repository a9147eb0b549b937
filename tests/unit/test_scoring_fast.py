"""The vectorised scorer gives the reference's scores and eligibility flags, event by event.

Random rule sets (score groups with and without a maximum, every decay kind, caps with and
without calendar periods, resets on recycles and rejections, suppression, the recency gate,
behaviour floors on the threshold route)
score random histories (ties at one timestamp, gaps of exactly a lifespan or a linear decay's
length, events on cap-period boundaries, resets at an event's very second) with both
`reference.score_lead` and `FastScorer.score_events`; they must agree to 1e-9 on the raw and
clamped score after every scoring event and exactly on eligibility and suppression.
"""

from __future__ import annotations

import calendar
import dataclasses
import json
import random
from datetime import datetime, timedelta

import numpy as np
import pytest

from lead_funnel.scoring import load_rules, score_lead
from lead_funnel.scoring.fast import CAP_PERIOD_ORIGIN_EPOCH, FastScorer
from lead_funnel.scoring.reference import (
    SECONDS_PER_DAY,
    BehaviorRule,
    Event,
    LeadProfile,
    Rules,
    ScoreGroup,
    ScoringModel,
    StatusChange,
    Suppression,
    ordered,
)

EPOCH = datetime(1970, 1, 1)
MODEL = "m"
TYPES = ["open", "click", "view", "pricing", "form", "demo", "chat", "unsub", "bounce", "misc"]
PROPS = [None, "{}", '{"k": "x"}', '{"k": "y"}', '{"k": 1}', "{not json", '{"k": "x", "j": "2"}']
HALF_LIVES = [1 / 24, 0.25, 1.0, 7.0, 30.0, 365.0, 3650.0]
SPANS = [1 / 24, 0.5, 1.0, 2.5, 7.0, 30.0, 90.0, 365.0]
CAP_PERIODS = [1 / 24, 0.5, 1.0, 7.0, 30.0]
PROFILES = [
    LeadProfile("", "VP Marketing", "acme.com", "US", "software", 300, None, "US", "acme.com"),
    LeadProfile("", "Director of Sales", "corp.de", "DE", "retail", 60, 2e7, "DE", "corp.de"),
    LeadProfile("", "Student", "gmail.com", "DE"),  # fit-disqualified
    LeadProfile(""),
]


def _epoch(moment: datetime) -> int:
    return calendar.timegm(moment.timetuple())


def _moment(seconds: int) -> datetime:
    return EPOCH + timedelta(seconds=seconds)


@pytest.fixture(scope="module")
def seeds() -> Rules:
    return load_rules()


# --------------------------------------------------------------------------------------------
# random rules and histories
# --------------------------------------------------------------------------------------------


def _random_rule(rng: random.Random, number: int, types: list[str]) -> BehaviorRule:
    kind = rng.choice(["none", "half_life", "half_life", "lifespan", "linear"])
    half_life = rng.choice(HALF_LIVES) if kind == "half_life" or rng.random() < 0.2 else None
    lifespan = None
    if kind == "lifespan" or (kind != "linear" and rng.random() < 0.35):
        lifespan = rng.choice(SPANS)
    property_name = property_value = None
    if rng.random() < 0.25:
        property_name, property_value = "k", rng.choice(["x", "y"])
    repeatable = rng.random() < 0.75
    cap_count = rng.choice([None, 1, 2, 3]) if rng.random() < 0.7 else None
    cap_period = rng.choice(CAP_PERIODS) if cap_count is not None and rng.random() < 0.6 else None
    return BehaviorRule(
        scoring_model=MODEL,
        rule_id=f"r{number:02d}",
        event_type=rng.choice(types),
        property_name=property_name,
        property_value=property_value,
        dimension=rng.choice(["engagement", "intent", "negative"]),
        points=rng.choice([1, 2, 3, 5, 8, 10, 15, 25, 40, -5, -10, -20, 0, 2.5, 7.25]),
        is_repeatable=repeatable,
        cap_count=cap_count,
        cap_period_days=cap_period,
        half_life_days=half_life,
        lifespan_days=lifespan,
        score_group=rng.choice([None, None, "g_small", "g_big", "g_open", "g_unknown"]),
        decay_kind=kind,
        linear_decay_days=rng.choice(SPANS) if kind == "linear" else None,
    )


def _random_rules(rng: random.Random, base: Rules) -> Rules:
    model = ScoringModel(
        name=MODEL,
        mql_threshold=rng.choice([20, 40, 60, 75]),
        min_fit_score=rng.choice([-100, 0, 15, 40]),
        is_default=True,
        on_recycle=rng.choice(["reset_behavior", "reset_behavior", "keep"]),
        reset_on_rejection=rng.random() < 0.5,
        requires_activity_within_days=rng.choice([None, None, 0.5, 3, 30]),
        # 0 is also what an empty seed cell loads as
        min_behavior_score=rng.choice([0.0, 0.0, 5, 10, 15, 20, 25.5, 40]),
    )
    behavior = [_random_rule(rng, k, TYPES) for k in range(rng.randint(3, 12))]
    groups = {
        (MODEL, "g_small"): ScoreGroup(MODEL, "g_small", rng.choice([3, 5, 10])),
        (MODEL, "g_big"): ScoreGroup(MODEL, "g_big", rng.choice([12.5, 25, 40])),
        (MODEL, "g_open"): ScoreGroup(MODEL, "g_open", None),
    }
    suppressions = []
    for suppressing in rng.sample(["unsub", "bounce", "misc"], rng.randint(0, 2)):
        for lifting in rng.sample(["form", "demo", "chat", suppressing], rng.randint(1, 2)):
            suppressions.append(Suppression(MODEL, suppressing, lifting))
    return dataclasses.replace(
        base,
        models={MODEL: model},
        fit_rules=[
            dataclasses.replace(r, scoring_model=MODEL) for r in base.fit_rules_of("default")
        ],
        behavior_rules=behavior,
        fast_track_event_types={MODEL: frozenset(rng.sample(["demo", "chat", "form", "misc"], 2))},
        groups=groups,
        suppressions=suppressions,
    )


def _critical_gaps(rules: Rules, model: str) -> list[int]:
    """Gaps (seconds) at which something changes: expiries and half-lives, +-1 second."""
    gaps = set()
    for rule in rules.behavior_rules_of(model):
        for days in (rule.lifespan_days, rule.linear_decay_days, rule.half_life_days):
            if days is not None:
                s = int(round(days * SECONDS_PER_DAY))
                gaps.update({s - 1, s, s + 1})
    return sorted(g for g in gaps if g >= 0)


def _random_history(
    rng: random.Random, rules: Rules, model: str, types: list[str], props: list[str | None]
) -> tuple[list[Event], list[StatusChange]]:
    critical = _critical_gaps(rules, model)
    periods = sorted(
        {r.cap_period_days for r in rules.behavior_rules_of(model) if r.cap_period_days}
    )
    now = _epoch(datetime(2021, 1, 1)) + rng.randint(0, 400 * SECONDS_PER_DAY)
    times = []
    for _ in range(rng.choice([0, 1, 3, 10, 30, 60, 120])):
        u = rng.random()
        if u < 0.15:
            gap = 0  # a tie
        elif u < 0.35:
            gap = rng.randint(1, 3600)
        elif u < 0.6:
            gap = rng.randint(3600, 10 * SECONDS_PER_DAY)
        elif u < 0.7:
            gap = rng.randint(10 * SECONDS_PER_DAY, 400 * SECONDS_PER_DAY)
        elif u < 0.85 and critical and times:
            # exactly a critical age after some earlier event
            candidate = rng.choice(times) + rng.choice(critical)
            gap = max(0, candidate - now)
        elif periods:
            # on a cap-period boundary (or a second before it)
            size = int(round(rng.choice(periods) * SECONDS_PER_DAY))
            boundary = now + size - (now - CAP_PERIOD_ORIGIN_EPOCH) % size
            gap = boundary - now - rng.choice([0, 1])
        else:
            gap = rng.randint(0, 1000)
        now += max(0, gap)
        times.append(now)
    ids = rng.sample(range(10_000, 99_999), len(times))  # ties are ordered by id
    events = [
        Event(
            event_id=f"E{ids[k]}",
            event_type=rng.choice(types),
            occurred_at=_moment(at),
            properties=rng.choice(props),
        )
        for k, at in enumerate(times)
    ]
    changes = []
    for _ in range(rng.choice([0, 0, 1, 2, 4])):
        if times and rng.random() < 0.6:
            at = rng.choice(times) + rng.choice([0, 0, -1, 1])  # at an event's very second
        else:
            at = (times[0] if times else now) + rng.randint(-SECONDS_PER_DAY, 500 * SECONDS_PER_DAY)
        status = rng.choice(["recycled", "recycled", "sales_rejected", "sales_accepted"])
        changes.append(StatusChange(changed_at=_moment(at), status=status))
        if rng.random() < 0.1:
            changes.append(StatusChange(changed_at=_moment(at), status="recycled"))  # twice
    return events, changes


# --------------------------------------------------------------------------------------------
# comparison
# --------------------------------------------------------------------------------------------


def _compare(
    rules: Rules,
    model: str,
    leads: list[tuple[LeadProfile, list[Event], list[StatusChange]]],
    props: list[str | None],
) -> tuple[int, int]:
    """Score `leads` both ways and assert agreement; (scoring rows checked, eligible rows)."""
    scorer = FastScorer(rules, model)
    type_vocab = sorted({e.event_type for _, events, _ in leads for e in events})
    type_code = {v: i for i, v in enumerate(type_vocab)}
    prop_code = {v: i for i, v in enumerate(props)}
    lead, when, etype, pcode, reset_lead, reset_at = [], [], [], [], [], []
    as_of = datetime(2100, 1, 1)
    for code, (_, events, changes) in enumerate(leads):
        for event in ordered(events):
            lead.append(code)
            when.append(_epoch(event.occurred_at))
            etype.append(type_code[event.event_type])
            pcode.append(prop_code[event.properties])
        for change in changes:
            if scorer.resets_on(change.status):
                reset_lead.append(code)
                reset_at.append(_epoch(change.changed_at))
    fits = [scorer.fit(profile) for profile, _, _ in leads]
    got = scorer.score_events(
        np.array(lead, dtype=np.int64),
        np.array(when, dtype=np.int64),
        np.array(etype, dtype=np.int64),
        type_vocab,
        np.array(pcode, dtype=np.int64),
        props,
        np.array([f[0] for f in fits]),
        np.array([f[1] for f in fits]),
        np.array(reset_lead, dtype=np.int64)[::-1],  # any order
        np.array(reset_at, dtype=np.int64)[::-1],
    )
    lead = np.array(lead, dtype=np.int64)
    checked = eligible = 0
    for code, (profile, events, changes) in enumerate(leads):
        expected = score_lead(rules, model, profile, events, as_of, changes)
        assert fits[code] == (expected.fit_score, expected.is_fit_disqualified)
        mine = np.flatnonzero(lead == code)
        assert not got.is_mql_eligible[mine[~got.is_scoring[mine]]].any()
        scoring = mine[got.is_scoring[mine]].tolist()
        assert len(scoring) == len(expected.history)
        for pos, row in zip(scoring, expected.history, strict=True):
            where = (code, row.event_id, row.occurred_at)
            assert abs(got.raw_score[pos] - row.raw_score) <= 1e-9, where
            assert abs(got.lead_score[pos] - row.lead_score) <= 1e-9, where
            assert bool(got.is_mql_eligible[pos]) == row.is_mql_eligible, where
            assert bool(got.is_suppressed[pos]) == row.is_suppressed, where
            assert (got.segment[pos] > 0) == (row.behavior_reset_at is not None), where
            eligible += row.is_mql_eligible
        checked += len(scoring)
    return checked, eligible


@pytest.mark.parametrize("seed", range(40))
def test_fast_scores_equal_the_reference_under_random_rules(seeds: Rules, seed: int) -> None:
    rng = random.Random(seed)
    rules = _random_rules(rng, seeds)
    leads = []
    for _ in range(25):
        events, changes = _random_history(rng, rules, MODEL, TYPES, PROPS)
        leads.append((rng.choice(PROFILES), events, changes))
    checked, _ = _compare(rules, MODEL, leads, PROPS)
    assert checked > 100


@pytest.mark.parametrize("model", ["default", "intent"])
@pytest.mark.parametrize("seed", [7, 8])
def test_fast_scores_equal_the_reference_under_the_seed_rules(
    seeds: Rules, model: str, seed: int
) -> None:
    rng = random.Random(seed)
    types = sorted({r.event_type for r in seeds.behavior_rules} | {"email_sent"})
    props = [None, "{}", json.dumps({"form_name": "contact_us"})] + [
        json.dumps({"form_name": "contact_us", "buying_timeline": value})
        for value in ("0-3 months", "3-6 months", "6-12 months", "no timeline")
    ]
    leads = []
    for _ in range(120):
        events, changes = _random_history(rng, seeds, model, types, props)
        leads.append((rng.choice(PROFILES), events, changes))
    checked, eligible = _compare(seeds, model, leads, props)
    assert checked > 2000 and eligible > 50


def test_long_histories_with_extreme_half_lives_stay_within_tolerance(seeds: Rules) -> None:
    """Half-lives from an hour to ten years, with and without lifespans, over five years of
    frequent uncapped events: the recurrence agrees with direct decay to 1e-9."""
    rules_ = []
    for k, (half_life, lifespan) in enumerate(
        [(1 / 24, None), (1 / 24, 2.0), (3650.0, None), (3650.0, 30.0), (365.0, 1000.0)]
    ):
        rules_.append(
            BehaviorRule(
                MODEL, f"h{k}", TYPES[k], None, None, "engagement", 7.5, True, None, None,
                half_life, lifespan, score_group="g_big" if k == 2 else None,
                decay_kind="half_life",
            )
        )  # fmt: skip
    rules = dataclasses.replace(
        _random_rules(random.Random(1), seeds),
        behavior_rules=rules_,
        suppressions=[],
    )
    rng = random.Random(5)
    leads = []
    for _ in range(2):
        at = _epoch(datetime(2020, 1, 1))
        events = []
        for k in range(900):
            at += rng.choice([0, 3600, 2 * SECONDS_PER_DAY, 5 * SECONDS_PER_DAY])
            events.append(Event(f"E{k:05d}", rng.choice(TYPES[:5]), _moment(at), None))
        assert at - _epoch(datetime(2020, 1, 1)) > 4 * 365 * SECONDS_PER_DAY
        leads.append((PROFILES[0], events, []))
    checked, _ = _compare(rules, MODEL, leads, PROPS)
    assert checked == 2 * 900


def _without_behavior_floor(rules: Rules, model: str) -> Rules:
    floorless = dataclasses.replace(rules.model(model), min_behavior_score=0.0)
    return dataclasses.replace(rules, models={**rules.models, model: floorless})


def test_resets_split_segments_and_ties_stay_in_the_old_one(seeds: Rules) -> None:
    scorer = FastScorer(_without_behavior_floor(seeds, "default"), "default")
    day = SECONDS_PER_DAY
    t0 = _epoch(datetime(2025, 3, 3))
    # 47 fit points; pricing 10 + click 4 = 61 at t0; recycle at t0 + day; a click at the very
    # second of the recycle still counts; an open a day later is worth 2 in a fresh segment
    times = [t0, t0, t0 + day, t0 + 2 * day]
    kinds = ["pricing_page_view", "email_click", "email_click", "email_open"]
    vocab = sorted(set(kinds))
    args = (
        np.zeros(4, dtype=np.int64),
        np.array(times),
        np.array([vocab.index(k) for k in kinds]),
        vocab,
        np.zeros(4, dtype=np.int64),
        ["{}"],
        np.array([47.0]),
        np.array([False]),
    )
    kept = scorer.score_events(*args)
    reset = scorer.score_events(*args, np.array([0]), np.array([t0 + day]))
    assert reset.segment.tolist() == [0, 0, 0, 1]
    assert reset.raw_score[:3].tolist() == pytest.approx(kept.raw_score[:3].tolist(), abs=1e-12)
    assert reset.raw_score[3] == pytest.approx(49.0)
    assert kept.is_mql_eligible.tolist() == [False, True, True, True]
    assert reset.is_mql_eligible.tolist() == [False, True, True, False]


def test_fit_is_cached_per_attribute_values(seeds: Rules) -> None:
    scorer = FastScorer(seeds, "default")
    a = LeadProfile("a", "VP Marketing", "acme.com", "US", "software", 300, None, "US", "acme.com")
    b = LeadProfile("b", "VP Marketing", "other.com", "US", "software", 900, None, "US", None)
    assert scorer.fit(a) == scorer.fit(b) == (15 + 12 + 5 + 12 + 10 + 5, False)
    student = LeadProfile("s", "Student", "gmail.com", "DE")
    points, disqualified = scorer.fit(student)
    assert disqualified and points == 3 - 30 - 10


@pytest.mark.parametrize("floor", [0.0, 5.0, 6.0, 7.0, 30.0])
def test_the_behavior_floor_gates_the_threshold_route_only(seeds: Rules, floor: float) -> None:
    """Fit 59 is a point below the threshold of 60: one email open reaches it, but the
    threshold route needs behaviour of at least `min_behavior_score` too (6 reached exactly);
    a fast-track event does not."""
    base = _without_behavior_floor(seeds, "default")
    model = dataclasses.replace(base.model("default"), min_behavior_score=floor)
    rules = dataclasses.replace(base, models={**base.models, "default": model})
    scorer = FastScorer(rules, "default")
    profile = PROFILES[0]
    fit = scorer.fit(profile)
    assert fit == (59.0, False)
    t0 = _epoch(datetime(2025, 3, 3))
    # open 2, click 4 (same second: no decay), then a demo request a second later
    kinds = ["email_open", "email_click", "demo_request"]
    times = [t0, t0, t0 + 1]
    vocab = sorted(set(kinds))
    got = scorer.score_events(
        np.zeros(3, dtype=np.int64),
        np.array(times),
        np.array([vocab.index(k) for k in kinds]),
        vocab,
        np.zeros(3, dtype=np.int64),
        ["{}"],
        np.array([fit[0]]),
        np.array([fit[1]]),
    )
    assert got.raw_score[:2].tolist() == pytest.approx([61.0, 65.0], abs=1e-9)
    assert got.is_mql_eligible.tolist() == [floor <= 2.0, floor <= 6.0, True]
    events = [
        Event(f"E{k}", kind, _moment(at), "{}")
        for k, (kind, at) in enumerate(zip(kinds, times, strict=True))
    ]
    expected = score_lead(rules, "default", profile, events, datetime(2100, 1, 1))
    assert [row.is_mql_eligible for row in expected.history] == got.is_mql_eligible.tolist()
    triggers = [row.mql_trigger for row in expected.history]
    assert triggers[2] == ("threshold" if floor <= 36.0 else "fast_track")
