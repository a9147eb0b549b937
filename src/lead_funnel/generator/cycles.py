"""MQL cycles of one lead, derived from its clean data the way the warehouse documents them.

The ground truth's cycles are not the simulation's intentions but what the documented
semantics make of the files the simulation wrote, so that truth and warehouse agree by
construction:

* real candidates are the lead's scoring events at which the default model's MQL condition
  holds (the hand-offs the simulation used are among them);
* a sales qualification or opportunity with no real candidate since the lead's last recycle
  before it (or ever) adds an inferred candidate at the first sales-side moment (touch,
  acceptance, qualification, opportunity created) since that recycle;
* cycle 1 starts at the first candidate (a real one wins a tie); each recycle at or after
  cycle 1's start opens the cycle starting at the first candidate strictly after it;
* a cycle runs until its first recycle or the next cycle's start; its first touch, first
  acceptance, rejection, qualification, disqualification and opportunity are the first of
  each kind in that window, and a cycle whose dates contradict each other is flagged.

All moments are UTC epoch seconds.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Any, NamedTuple


class Touch(NamedTuple):
    at: int
    rep_id: str


class StatusChange(NamedTuple):
    at: int
    status: str
    reason: str | None


class Opportunity(NamedTuple):
    created_at: int
    number: int
    closed_at: int | None
    is_won: bool | None


_SALES_SIDE_STATUSES = ("sales_accepted", "sales_qualified")


def derive_cycles(
    candidates: Sequence[int],
    touches: Sequence[Touch],
    changes: Sequence[StatusChange],
    opportunities: Sequence[Opportunity],
) -> list[dict[str, Any]]:
    """The lead's cycles, each a dict of the truth's cycle columns (moments as epoch seconds).

    `candidates` are the real MQL candidates in ascending order; touches, status changes and
    opportunities are in the order of their ids (a tie in time goes to the smaller id).
    """
    recycles = sorted(c.at for c in changes if c.status == "recycled")
    sales_side = sorted(
        [t.at for t in touches]
        + [c.at for c in changes if c.status in _SALES_SIDE_STATUSES]
        + [o.created_at for o in opportunities]
    )
    moments = [c.at for c in changes if c.status == "sales_qualified"]
    moments += [o.created_at for o in opportunities]
    inferred: set[int] = set()
    for moment in moments:
        j = bisect_left(recycles, moment)
        last = recycles[j - 1] if j else None
        lo = 0 if last is None else bisect_left(candidates, last)
        if lo < len(candidates) and candidates[lo] <= moment:
            continue  # covered by a real candidate since the last recycle
        k = 0 if last is None else bisect_right(sales_side, last)
        inferred.add(sales_side[k])
    inferred_sorted = sorted(inferred)

    def next_candidate(after: int | None) -> int | None:
        j = 0 if after is None else bisect_right(candidates, after)
        real = candidates[j] if j < len(candidates) else None
        k = 0 if after is None else bisect_right(inferred_sorted, after)
        guess = inferred_sorted[k] if k < len(inferred_sorted) else None
        if real is None:
            return guess
        return real if guess is None else min(real, guess)

    first = next_candidate(None)
    if first is None:
        return []
    starts = {first}
    for r in recycles:
        if r >= first:
            nxt = next_candidate(r)
            if nxt is not None:
                starts.add(nxt)
    ordered_starts = sorted(starts)
    real_set = candidates  # membership by bisection below

    cycles = []
    for number, start in enumerate(ordered_starts, 1):
        nxt = ordered_starts[number] if number < len(ordered_starts) else None
        j = bisect_left(recycles, start)
        recycled = recycles[j] if j < len(recycles) else None
        if recycled is not None and nxt is not None and recycled >= nxt:
            recycled = None
        end = recycled if recycled is not None else nxt

        def inside(at: int, start: int = start, end: int | None = end) -> bool:
            return at >= start and (end is None or at < end)

        j = bisect_left(real_set, start)
        is_real = j < len(real_set) and real_set[j] == start
        c: dict[str, Any] = {
            "cycle_number": number,
            "is_inferred_mql": not is_real,
            "marketing_qualified_at": start,
            "first_touched_at": None,
            "first_touch_rep_id": None,
            "sales_accepted_at": None,
            "sales_rejected_at": None,
            "rejection_reason": None,
            "recycled_at": recycled,
            "sales_qualified_at": None,
            "disqualified_at": None,
            "opportunity_id": None,
            "opportunity_created_at": None,
            "closed_won_at": None,
            "closed_lost_at": None,
        }
        touch = min((t for t in touches if inside(t.at)), key=lambda t: t.at, default=None)
        if touch is not None:
            c["first_touched_at"], c["first_touch_rep_id"] = touch.at, touch.rep_id
        for status, column in (
            ("sales_accepted", "sales_accepted_at"),
            ("sales_rejected", "sales_rejected_at"),
            ("sales_qualified", "sales_qualified_at"),
            ("disqualified", "disqualified_at"),
        ):
            change = min(
                (x for x in changes if x.status == status and inside(x.at)),
                key=lambda x: x.at,
                default=None,
            )
            if change is not None:
                c[column] = change.at
                if status == "sales_rejected":
                    c["rejection_reason"] = change.reason
        opp = min(
            (o for o in opportunities if inside(o.created_at)),
            key=lambda o: (o.created_at, o.number),
            default=None,
        )
        if opp is not None:
            c["opportunity_id"], c["opportunity_created_at"] = opp.number, opp.created_at
            if opp.closed_at is not None:
                c["closed_won_at" if opp.is_won else "closed_lost_at"] = opp.closed_at
        c["is_contradictory"] = is_contradictory(c)
        cycles.append(c)
    return cycles


def _before(a: int | None, b: int | None) -> bool:
    return a is not None and b is not None and a < b


def is_contradictory(c: dict[str, Any]) -> bool:
    """The warehouse's contradiction flags: closed before the first touch or before the
    opportunity was created, or qualified before accepted."""
    return (
        _before(c["closed_won_at"], c["first_touched_at"])
        or _before(c["closed_lost_at"], c["first_touched_at"])
        or _before(c["closed_won_at"], c["opportunity_created_at"])
        or _before(c["closed_lost_at"], c["opportunity_created_at"])
        or _before(c["sales_qualified_at"], c["sales_accepted_at"])
    )
