"""Vectorised lead scoring over many leads at once, equal to `reference` up to rounding.

`reference.score_lead` walks one lead's events one by one; this module scores a whole batch of
leads with numpy, for callers that need the score after every event of millions of leads (the
data generator hands leads to sales at their derived MQL moments). It implements the same
semantics:

* fit: points of the matched fit rules, computed once per distinct set of attribute values;
* occurrences: every (event, rule) match, numbered per rule and lead in (occurred_at, event_id)
  order, counted or not by the rule's repeatability and cap;
* the score right after each scoring event, evaluated at that event's time: fit plus the
  decayed worth of the counted occurrences of that event and the events ordered before it;
* the MQL condition of the model (threshold with the fit gate, or a fast-track event type),
  never for a fit-disqualified lead.

Decay is accumulated per group of rules sharing a half-life and a lifespan: the running sum is
multiplied by the decay factor of the gap between consecutive events, which equals the direct
sum of `points * 0.5 ** (age / half_life)` up to floating-point rounding (well below 1e-9 for
the ranges of real data). Occurrences past a lifespan are a prefix in time order and are
subtracted as the running sum at the last expired event, decayed to the current time.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lead_funnel.scoring.reference import (
    MQL_TOLERANCE,
    SECONDS_PER_DAY,
    BehaviorRule,
    LeadProfile,
    Rules,
    matched_fit_rules,
    parse_properties,
)


@dataclass(frozen=True)
class EventScores:
    """Per input event: whether it is a scoring event, the raw and clamped score right after
    it, and whether the MQL condition holds there (False for non-scoring events)."""

    is_scoring: np.ndarray
    raw_score: np.ndarray
    lead_score: np.ndarray
    is_mql_eligible: np.ndarray


def _seconds_reaching(days: float) -> int:
    """The smallest whole number of seconds s with s / 86400 >= days (the spec's age test)."""
    s = math.ceil(days * SECONDS_PER_DAY)
    while s > 0 and (s - 1) / SECONDS_PER_DAY >= days:
        s -= 1
    while s / SECONDS_PER_DAY < days:
        s += 1
    return s


def _decay(seconds: np.ndarray, half_life_days: float | None) -> np.ndarray:
    if half_life_days is None:
        return np.ones(seconds.shape)
    return 0.5 ** ((seconds / SECONDS_PER_DAY) / half_life_days)


class FastScorer:
    """Scores batches of leads under one scoring model of `rules`."""

    def __init__(self, rules: Rules, model_name: str) -> None:
        self.rules = rules
        self.model = rules.model(model_name)
        self.model_name = model_name
        self.fast_track = rules.fast_track_event_types.get(model_name, frozenset())
        self.behavior_rules: list[BehaviorRule] = rules.behavior_rules_of(model_name)
        self._fits: dict[LeadProfile, tuple[float, bool]] = {}
        # one accumulation group per (half-life, lifespan)
        keys = sorted(
            {(r.half_life_days, r.lifespan_days) for r in self.behavior_rules},
            key=lambda k: (k[0] is None, k[0] or 0.0, k[1] is None, k[1] or 0.0),
        )
        self._groups = keys
        self._group_of = {k: g for g, k in enumerate(keys)}

    # -- fit ---------------------------------------------------------------------------------
    def fit(self, lead: LeadProfile) -> tuple[float, bool]:
        """(fit score, is fit-disqualified) of a lead, from `reference.matched_fit_rules`.

        Fit does not depend on the lead's id, so leads with equal attributes share one result.
        """
        key = dataclasses.replace(lead, lead_id="")
        cached = self._fits.get(key)
        if cached is None:
            matched = matched_fit_rules(self.rules, self.model_name, lead)
            cached = (
                float(sum(rule.points for rule in matched)),
                any(rule.is_disqualifying for rule in matched),
            )
            self._fits[key] = cached
        return cached

    # -- behaviour ---------------------------------------------------------------------------
    def _matches(
        self, rule: BehaviorRule, type_vocab: Sequence[str | None], props: list[dict | None]
    ) -> tuple[np.ndarray, np.ndarray]:
        type_ok = np.array([t == rule.event_type for t in type_vocab], dtype=bool)
        if rule.property_name is None:
            prop_ok = np.ones(len(props), dtype=bool)
        else:
            prop_ok = np.array(
                [
                    p is not None
                    and rule.property_name in p
                    and isinstance(p[rule.property_name], str)
                    and p[rule.property_name] == rule.property_value
                    for p in props
                ],
                dtype=bool,
            )
        return type_ok, prop_ok

    def score_events(
        self,
        lead: np.ndarray,
        occurred_at: np.ndarray,
        event_type: np.ndarray,
        type_vocab: Sequence[str | None],
        properties: np.ndarray,
        properties_vocab: Sequence[str | None],
        fit_score: np.ndarray,
        is_fit_disqualified: np.ndarray,
    ) -> EventScores:
        """Score the events of many leads.

        The events must be grouped by `lead` (any integer codes) and, within a lead, in
        (occurred_at, event_id) order. `occurred_at` holds epoch seconds; `event_type` and
        `properties` are codes into `type_vocab` and `properties_vocab` (JSON text or None).
        `fit_score` and `is_fit_disqualified` are indexed by the lead codes.
        """
        lead = np.asarray(lead, dtype=np.int64)
        t = np.asarray(occurred_at, dtype=np.int64)
        etype = np.asarray(event_type, dtype=np.int64)
        pcode = np.asarray(properties, dtype=np.int64)
        n = t.size
        fit = np.asarray(fit_score, dtype=float)[lead]
        disq = np.asarray(is_fit_disqualified, dtype=bool)[lead]
        empty = np.zeros(0, dtype=bool)
        if n == 0:
            return EventScores(empty, np.zeros(0), np.zeros(0), empty)

        new = np.empty(n, dtype=bool)
        new[0] = True
        np.not_equal(lead[1:], lead[:-1], out=new[1:])
        seg = np.cumsum(new) - 1
        starts = np.flatnonzero(new)
        lengths = np.diff(np.append(starts, n))

        props = [parse_properties(p) for p in properties_vocab]
        fast_track = np.array([t_ in self.fast_track for t_ in type_vocab], dtype=bool)
        is_scoring = fast_track[etype]
        n_groups = len(self._groups)
        x = np.zeros((n, n_groups))
        for rule in self.behavior_rules:
            type_ok, prop_ok = self._matches(rule, type_vocab, props)
            occ = np.flatnonzero(type_ok[etype] & prop_ok[pcode])
            if occ.size == 0:
                continue
            is_scoring[occ] = True
            counted = self._counted(rule, occ, seg[occ], t)
            g = self._group_of[(rule.half_life_days, rule.lifespan_days)]
            x[occ[counted], g] += rule.points

        # Running decayed sums per group, one step per event position, all leads in lockstep.
        # Events are laid out position-major (every lead's first event, then every second
        # event, ...), leads by decreasing length, so each step reads and writes two slices.
        gap = np.zeros(n, dtype=np.int64)
        gap[1:] = t[1:] - t[:-1]
        n_leads = starts.size
        order = np.argsort(-lengths, kind="stable")
        rank = np.empty(n_leads, dtype=np.int64)
        rank[order] = np.arange(n_leads)
        longest = int(lengths.max())
        active = np.searchsorted(-lengths[order], -np.arange(longest), side="left")
        offset = np.zeros(longest + 1, dtype=np.int64)
        np.cumsum(active, out=offset[1:])
        dest = offset[np.arange(n) - starts[seg]] + rank[seg]
        acc = np.empty((n, n_groups))
        acc[dest] = x
        del x
        gap_by_position = np.empty(n, dtype=np.int64)
        gap_by_position[dest] = gap
        factor = np.empty((n, n_groups))
        for g, (half_life, _) in enumerate(self._groups):
            factor[:, g] = _decay(gap_by_position, half_life)
        for k in range(1, longest):
            c, cur, prev = int(active[k]), int(offset[k]), int(offset[k - 1])
            step = factor[cur : cur + c]
            np.multiply(acc[prev : prev + c], step, out=step)
            acc[cur : cur + c] += step
        del factor

        total = acc.sum(axis=1)[dest]
        # occurrences past their lifespan: the running sum at the last expired event, decayed
        span = int(t.max() - t.min()) + 1
        for g, (half_life, lifespan) in enumerate(self._groups):
            if lifespan is None:
                continue
            running = acc[dest, g]
            if not running.any():
                continue
            reach = _seconds_reaching(lifespan)
            base = seg * (span + reach + 1)
            key = base + (t - t.min())
            k = np.searchsorted(key, key - reach, side="right") - 1
            valid = k >= starts[seg]
            kk = np.where(valid, k, 0)
            expired = running[kk] * _decay(t - t[kk], half_life)
            total -= np.where(valid, expired, 0.0)

        raw = fit + total
        score = np.clip(raw, 0.0, 100.0)
        model = self.model
        reaches = (score >= model.mql_threshold - MQL_TOLERANCE) & (fit >= model.min_fit_score)
        eligible = is_scoring & ~disq & (reaches | fast_track[etype])
        return EventScores(is_scoring, raw, score, eligible)

    @staticmethod
    def _counted(rule: BehaviorRule, occ: np.ndarray, seg: np.ndarray, t: np.ndarray) -> np.ndarray:
        """Which occurrences of a rule the caps let count (occ: event positions, in order)."""
        m = occ.size
        first = np.empty(m, dtype=bool)
        first[0] = True
        np.not_equal(seg[1:], seg[:-1], out=first[1:])
        pos = np.arange(m)
        number = pos - np.maximum.accumulate(np.where(first, pos, 0))  # 0-based per lead
        if not rule.is_repeatable:
            return number == 0
        if rule.cap_count is None:
            return np.ones(m, dtype=bool)
        counted = number < rule.cap_count
        if rule.cap_period_days is None:
            return counted
        late = np.flatnonzero(~counted)
        times = t[occ]
        earlier = times[late - rule.cap_count]
        window = rule.cap_period_days * SECONDS_PER_DAY
        counted[late] = (times[late] - earlier) >= window
        return counted
