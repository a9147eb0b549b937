"""Vectorised lead scoring over many leads at once, equal to `reference` up to rounding.

`reference.score_lead` walks one lead's events one by one; this module scores a whole batch of
leads with numpy, for callers that need the score after every event of millions of leads (the
data generator hands leads to sales at their derived MQL moments). It implements the same
semantics (`reference` is the specification; the names below are its functions):

* fit: points of the matched fit rules, computed once per distinct set of attribute values;
* scoring segments (`segment_of`): a behaviour reset at moment R (`reset_moments`: a
  `recycled` status change, or `sales_rejected` when the model resets on rejection) starts a
  new segment for the events after R; an event at exactly R still belongs to the old one. The
  caller passes the reset moments (`reset_lead`, `reset_at`; `FastScorer.resets_on` tells
  which status changes are resets), the scorer numbers each event's segment itself;
* occurrences (`occurrences_of`, `is_counted`): every (event, rule) match, numbered per rule
  and segment in (occurred_at, event_id) order, counted or not by the rule's repeatability and
  cap: the first per segment, the first cap_count per segment, or the first cap_count per
  calendar-aligned cap period (`cap_period`) of the segment;
* the score right after each scoring event, evaluated at that event's time (`evaluate`): fit
  plus the decayed worth (`decayed`) of the counted occurrences of the event's segment up to
  and including the event, each score group capped at its maximum (`group_adjustments`);
* suppression (`advance_state`) and the recency gate (`is_recent`), per lead over all of its
  events (resets do not touch them);
* the MQL condition of the model (`mql_trigger`): threshold with the fit gate and the
  behaviour floor (raw score - fit >= `min_behavior_score`, less 1e-9), or a fast-track event
  type; never for a fit-disqualified or suppressed lead, nor without recent engagement when
  the model asks for it.

How the worth is summed, per rule's decay kind:

* `none`, `lifespan` and `linear` rules are summed per rule from exact integer prefix sums
  (int64) of the counted occurrences and of their times: `none` is points * (counted
  occurrences of the segment so far), `lifespan` points * (those younger than the lifespan),
  `linear` points * sum(1 - age / days) over those younger than `linear_decay_days`, i.e.
  points * (n - (n * t - sum t_i) / 86400 / days), whose integer part is exact;
* `half_life` rules are accumulated per channel of rules sharing a score group (when it is
  capped), a half-life and a lifespan: the running sum is multiplied by the decay factor of the
  gap between consecutive events of a segment, which equals the direct sum of
  `points * 0.5 ** (age / half_life)` up to floating-point rounding. Every factor is at most 1,
  so the recurrence is stable for any half-life (1 hour to decades; factors below 1e-200 are
  flushed to 0 and nothing overflows). Occurrences past a lifespan are a prefix of the segment
  in time order and are subtracted as the running sum at the last expired event, decayed to the
  current time.

An occurrence expires when its age in seconds reaches `days * 86400`; with whole-second times
that is age >= ceil(days * 86400). Events are ordered and cut off by the caller; times are
whole epoch seconds (UTC).
"""

from __future__ import annotations

import calendar
import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from lead_funnel.scoring.reference import (
    CAP_PERIOD_ORIGIN,
    MQL_TOLERANCE,
    SECONDS_PER_DAY,
    BehaviorRule,
    LeadProfile,
    Rules,
    matched_fit_rules,
    parse_properties,
)

#: `reference.CAP_PERIOD_ORIGIN` in epoch seconds.
CAP_PERIOD_ORIGIN_EPOCH = calendar.timegm(CAP_PERIOD_ORIGIN.timetuple())
#: Decay factors below this are taken as 0 (keeps subnormal numbers out of the recurrence).
_FLUSH_BELOW = 1e-200


@dataclass(frozen=True)
class EventScores:
    """Per input event: whether it is a scoring event, the raw and clamped score right after
    it, and whether the MQL condition holds there (False for non-scoring events); also whether
    the lead is suppressed right after it and the number of resets before it (its segment)."""

    is_scoring: np.ndarray
    raw_score: np.ndarray
    lead_score: np.ndarray
    is_mql_eligible: np.ndarray
    is_suppressed: np.ndarray
    segment: np.ndarray


def _expiry_seconds(expires_after_seconds: float) -> int:
    """The smallest whole number of seconds s with s >= `expires_after_seconds` (the spec's
    expiry test: an occurrence is worth 0 once its age in seconds reaches `days * 86400`)."""
    return math.ceil(expires_after_seconds)


def _decay(seconds: np.ndarray, half_life_days: float) -> np.ndarray:
    factor = 0.5 ** ((seconds / SECONDS_PER_DAY) / half_life_days)
    factor[factor < _FLUSH_BELOW] = 0.0
    return factor


@dataclass(frozen=True)
class _Term:
    """How one behaviour rule's counted occurrences are summed."""

    rule: BehaviorRule
    kind: str  # none | lifespan | linear | half_life
    group: str | None  # the rule's score group when that group has a maximum
    reach: int | None  # expiry age in whole seconds
    channel: int | None = None  # half-life channel


class FastScorer:
    """Scores batches of leads under one scoring model of `rules`."""

    def __init__(self, rules: Rules, model_name: str) -> None:
        self.rules = rules
        self.model = rules.model(model_name)
        self.model_name = model_name
        self.fast_track = rules.fast_track_event_types.get(model_name, frozenset())
        self.behavior_rules: list[BehaviorRule] = rules.behavior_rules_of(model_name)
        self.lifts = rules.suppressions_of(model_name)
        self._fits: dict[LeadProfile, tuple[float, bool]] = {}
        self.group_max: dict[str, float] = {}
        for rule in self.behavior_rules:
            maximum = rules.group_max(model_name, rule.score_group)
            if maximum is not None:
                self.group_max[rule.score_group] = maximum
        channels: dict[tuple, int] = {}
        terms = []
        for rule in self.behavior_rules:
            group = rule.score_group if rule.score_group in self.group_max else None
            expires = rule.expires_after_seconds
            reach = None if expires is None else _expiry_seconds(expires)
            channel = None
            if rule.decay_kind == "half_life":
                key = (group, rule.half_life_days, reach)
                channel = channels.setdefault(key, len(channels))
            terms.append(_Term(rule, rule.decay_kind, group, reach, channel))
        self._terms = terms
        #: (capped group or None, half-life in days, expiry in seconds or None) per channel
        self._channels = sorted(channels, key=channels.__getitem__)

    def resets_on(self, status: str) -> bool:
        """Whether a lead status change of this kind resets behaviour under the model."""
        return self.model.resets_on(status)

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
    @staticmethod
    def _matches(
        rule: BehaviorRule, type_vocab: Sequence[str | None], props: list[dict | None]
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
        reset_lead: np.ndarray | None = None,
        reset_at: np.ndarray | None = None,
    ) -> EventScores:
        """Score the events of many leads.

        The events must be grouped by `lead` (integer codes indexing `fit_score` and
        `is_fit_disqualified`) and, within a lead, in (occurred_at, event_id) order, each lead
        holding all of its events up to the moment of interest (those of merged leads
        included). `occurred_at` holds whole epoch seconds; `event_type` and `properties` are
        codes into `type_vocab` and `properties_vocab` (JSON text or None).

        `reset_lead` and `reset_at` (epoch seconds), in any order, are the moments at which the
        model resets a lead's behaviour (`reference.reset_moments`: its status changes for which
        `resets_on` holds); None or empty = no resets. An event's segment is the number of its
        lead's resets strictly before it.
        """
        lead = np.asarray(lead, dtype=np.int64)
        t = np.asarray(occurred_at, dtype=np.int64)
        etype = np.asarray(event_type, dtype=np.int64)
        pcode = np.asarray(properties, dtype=np.int64)
        n = t.size
        fit = np.asarray(fit_score, dtype=float)[lead]
        disq = np.asarray(is_fit_disqualified, dtype=bool)[lead]
        if n == 0:
            empty = np.zeros(0, dtype=bool)
            return EventScores(
                empty, np.zeros(0), np.zeros(0), empty, empty, np.zeros(0, dtype=np.int64)
            )
        positions = np.arange(n)

        # leads, segments (runs of a lead's events between resets) and their first positions
        new_lead = np.empty(n, dtype=bool)
        new_lead[0] = True
        np.not_equal(lead[1:], lead[:-1], out=new_lead[1:])
        lead_first = np.flatnonzero(new_lead)
        lstart = lead_first[np.cumsum(new_lead) - 1]
        segment = self._segments(lead, t, reset_lead, reset_at)
        new_sid = new_lead.copy()
        new_sid[1:] |= segment[1:] != segment[:-1]
        sid = np.cumsum(new_sid) - 1
        sid_first = np.flatnonzero(new_sid)
        sstart = sid_first[sid]
        trel = t - t.min()
        width = int(trel.max()) + 2
        sid_key = sid * width + trel  # ascending
        window_starts: dict[int, np.ndarray] = {}

        def window_start(reach: int) -> np.ndarray:
            """Per event j: the first position of j's segment with age at t_j < reach."""
            found = window_starts.get(reach)
            if found is None:
                reach_ = min(reach, width)
                query = sid * width + np.maximum(trel - reach_ + 1, 0)
                found = np.minimum(np.searchsorted(sid_key, query, side="left"), positions + 1)
                window_starts[reach] = found
            return found

        props = [parse_properties(p) for p in properties_vocab]
        fast_track = np.array([t_ in self.fast_track for t_ in type_vocab], dtype=bool)
        is_scoring = fast_track[etype]
        engaged = np.zeros(n, dtype=bool)
        total = np.zeros(n)
        group_sum = {group: np.zeros(n) for group in self.group_max}
        x = np.zeros((n, len(self._channels))) if self._channels else None

        for term in self._terms:
            rule = term.rule
            type_ok, prop_ok = self._matches(rule, type_vocab, props)
            if not type_ok.any() or not prop_ok.any():
                continue
            matched = type_ok[etype] & prop_ok[pcode]
            occ = np.flatnonzero(matched)
            if occ.size == 0:
                continue
            is_scoring |= matched
            if rule.points > 0:
                engaged |= matched
            counted = occ[self._counted(rule, sid[occ], t[occ])]
            if counted.size == 0 or rule.points == 0:
                continue
            if term.kind == "half_life":
                x[counted, term.channel] += rule.points
                continue
            worth = self._counting_worth(term, counted, n, trel, sstart, window_start)
            total += worth
            if term.group is not None:
                group_sum[term.group] += worth

        if x is not None and x.any():
            running = self._running_sums(x, t, sid, sid_first)
            del x
            for c, (group, half_life, reach) in enumerate(self._channels):
                worth = running[:, c]
                if not worth.any():
                    continue
                if reach is not None:
                    last = window_start(reach) - 1  # last expired position, if in the segment
                    valid = last >= sstart
                    k = np.where(valid, last, positions)
                    expired = running[k, c] * _decay((t - t[k]).astype(float), half_life)
                    worth = worth - np.where(valid, expired, 0.0)
                total += worth
                if group is not None:
                    group_sum[group] += worth

        for group, maximum in self.group_max.items():
            summed = group_sum[group]
            total += np.where(summed > maximum, maximum - summed, 0.0)

        raw = fit + total
        score = np.clip(raw, 0.0, 100.0)
        suppressed = self._suppressed(etype, type_vocab, positions, lstart)
        recent = self._recent(engaged, t, positions, lstart)
        model = self.model
        reaches = (score >= model.mql_threshold - MQL_TOLERANCE) & (fit >= model.min_fit_score)
        # the behaviour part of the score (engagement + intent + negative, caps applied)
        reaches &= raw - fit >= model.min_behavior_score - MQL_TOLERANCE
        eligible = is_scoring & ~disq & ~suppressed & recent & (reaches | fast_track[etype])
        return EventScores(is_scoring, raw, score, eligible, suppressed, segment)

    # -- pieces ------------------------------------------------------------------------------
    @staticmethod
    def _segments(
        lead: np.ndarray,
        t: np.ndarray,
        reset_lead: np.ndarray | None,
        reset_at: np.ndarray | None,
    ) -> np.ndarray:
        """Per event: the number of its lead's resets strictly before it."""
        n = t.size
        if reset_lead is None or reset_at is None or len(reset_lead) == 0:
            return np.zeros(n, dtype=np.int64)
        reset_lead = np.asarray(reset_lead, dtype=np.int64)
        reset_at = np.asarray(reset_at, dtype=np.int64)
        lo, hi = int(t.min()) - 1, int(t.max()) + 1
        width = hi - lo + 1
        top = max(int(lead.max()), int(reset_lead.max())) + 1
        if top * width >= 2**62:
            raise ValueError("lead codes times the time span overflow 64-bit keys")
        event_key = lead * width + (t - lo)
        reset_key = np.sort(reset_lead * width + (np.clip(reset_at, lo, hi) - lo))
        before = np.searchsorted(reset_key, event_key, side="left")
        return before - np.searchsorted(reset_key, lead * width, side="left")

    @staticmethod
    def _counted(rule: BehaviorRule, sid: np.ndarray, times: np.ndarray) -> np.ndarray:
        """Which occurrences of a rule the caps let count (given in event order, with their
        segment ids and times)."""
        m = sid.size
        first = np.empty(m, dtype=bool)
        first[0] = True
        np.not_equal(sid[1:], sid[:-1], out=first[1:])
        if not rule.is_repeatable:
            return first
        if rule.cap_count is None:
            return np.ones(m, dtype=bool)
        if rule.cap_period_days is not None:
            seconds = (times - CAP_PERIOD_ORIGIN_EPOCH).astype(float)
            period = np.floor(seconds / (rule.cap_period_days * SECONDS_PER_DAY))
            first[1:] |= period[1:] != period[:-1]
        pos = np.arange(m)
        number = pos - np.maximum.accumulate(np.where(first, pos, 0))  # 0-based per run
        return number < rule.cap_count

    @staticmethod
    def _counting_worth(
        term: _Term,
        counted: np.ndarray,
        n: int,
        trel: np.ndarray,
        sstart: np.ndarray,
        window_start,
    ) -> np.ndarray:
        """Per event: the worth of a none/lifespan/linear rule's counted occurrences of the
        event's segment up to it, from exact integer prefix counts."""
        rule = term.rule
        cum = np.zeros(n + 1, dtype=np.int64)
        cum[counted + 1] = 1
        np.cumsum(cum, out=cum)
        lo = sstart if term.reach is None else window_start(term.reach)
        alive = cum[1:] - cum[lo]
        if term.kind != "linear":
            return rule.points * alive
        times = np.zeros(n + 1, dtype=np.int64)
        times[counted + 1] = trel[counted]
        np.cumsum(times, out=times)
        ages = alive * trel - (times[1:] - times[lo])  # sum of ages in seconds, exact
        return rule.points * alive - rule.points * (
            (ages / SECONDS_PER_DAY) / rule.linear_decay_days
        )

    def _running_sums(
        self, x: np.ndarray, t: np.ndarray, sid: np.ndarray, sid_first: np.ndarray
    ) -> np.ndarray:
        """Per event and half-life channel: the decayed sum at the event's time of the channel's
        points at the events of its segment up to it.

        One step per position in a segment, all segments in lockstep: events are laid out
        position-major (every segment's first event, then every second event, ...), segments
        by decreasing length, so each step reads and writes two contiguous slices.
        """
        n, n_channels = x.shape
        lengths = np.diff(np.append(sid_first, n))
        order = np.argsort(-lengths, kind="stable")
        rank = np.empty(order.size, dtype=np.int64)
        rank[order] = np.arange(order.size)
        longest = int(lengths.max())
        active = np.searchsorted(-lengths[order], -np.arange(longest), side="left")
        offset = np.zeros(longest + 1, dtype=np.int64)
        np.cumsum(active, out=offset[1:])
        dest = offset[np.arange(n) - sid_first[sid]] + rank[sid]
        acc = np.empty((n, n_channels))
        acc[dest] = x
        gap = np.zeros(n)
        gap[1:] = t[1:] - t[:-1]
        gap[sid_first] = 0.0  # no predecessor in the segment
        gap_by_position = np.empty(n)
        gap_by_position[dest] = gap
        factor = np.empty((n, n_channels))
        for c, (_, half_life, _) in enumerate(self._channels):
            factor[:, c] = _decay(gap_by_position, half_life)
        for k in range(1, longest):
            c, cur, prev = int(active[k]), int(offset[k]), int(offset[k - 1])
            step = factor[cur : cur + c]
            np.multiply(acc[prev : prev + c], step, out=step)
            acc[cur : cur + c] += step
        del factor
        return acc[dest]

    def _suppressed(
        self,
        etype: np.ndarray,
        type_vocab: Sequence[str | None],
        positions: np.ndarray,
        lstart: np.ndarray,
    ) -> np.ndarray:
        """Per event: whether the lead is suppressed right after it (`advance_state`).

        A suppression of type s holds after event j when the lead's latest event up to j that
        is of type s or of a type lifting s is of type s (an event of a type that both lifts
        and suppresses s is lifted first, then suppressed again).
        """
        suppressed = np.zeros(positions.size, dtype=bool)
        for suppressing, lifting in self.lifts.items():
            sets = np.array([v == suppressing for v in type_vocab], dtype=bool)
            lifts = np.array([v in lifting for v in type_vocab], dtype=bool) & ~sets
            if not sets.any():
                continue
            mark = np.where(sets, 1, np.where(lifts, -1, 0)).astype(np.int8)[etype]
            latest = np.maximum.accumulate(np.where(mark != 0, positions, -1))
            found = latest >= lstart
            suppressed |= found & (mark[np.maximum(latest, 0)] == 1)
        return suppressed

    def _recent(
        self, engaged: np.ndarray, t: np.ndarray, positions: np.ndarray, lstart: np.ndarray
    ) -> np.ndarray:
        """Per event: the recency gate (`is_recent`) right after it."""
        days = self.model.requires_activity_within_days
        if days is None:
            return np.ones(t.size, dtype=bool)
        latest = np.maximum.accumulate(np.where(engaged, positions, -1))
        found = latest >= lstart
        age = (t - t[np.maximum(latest, 0)]).astype(float)
        return found & (age <= days * SECONDS_PER_DAY)
