"""The deliberate bad rows: what the warehouse must detect, repair or quarantine.

The clean simulation is the ground truth; everything here is added on top of it at a rate
proportional to the run's ``mess_rate`` and tallied per table and kind in
``ground_truth/mess.json``. Keeping the injections together shows in one place every defect
the raw files can carry:

* marketing spend: negative amounts (refund-like copies of real spend rows);
* leads: merged duplicates (a later, upper-cased copy of a lead that some of its events move
  to) and emails padded with spaces and mixed case;
* opportunities: closed won before the lead's first sales touch (kept, and flagged in the
  truth);
* engagement events: exact duplicates, conflicting duplicates of an event id, late
  arrivals, unknown leads, unknown event types, unreadable and far-future timestamps.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lead_funnel.generator import vocab as V
from lead_funnel.generator.encode import DAY, ids, take, ts_strings
from lead_funnel.generator.state import Run

if TYPE_CHECKING:
    from lead_funnel.generator.engagement import Events
    from lead_funnel.generator.population import Leads
    from lead_funnel.generator.sales import SalesSimulator

EVENT_MESS_WEIGHTS: dict[str, float] = {
    "exact_duplicate": 0.30,
    "conflicting_duplicate_id": 0.15,
    "late_arriving": 0.20,
    "unknown_lead": 0.10,
    "unknown_event_type": 0.10,
    "unreadable_timestamp": 0.075,
    "future_timestamp": 0.075,
}
PADDED_EMAIL_WEIGHT = 1.0
MERGED_DUPLICATE_WEIGHT = 0.5
NEGATIVE_SPEND_WEIGHT = 0.5
CONTRADICTORY_WEIGHT = 0.05


# ---------------------------------------------------------------------------------------
# marketing spend
# ---------------------------------------------------------------------------------------
def inject_negative_spend(
    run: Run, rng: np.random.Generator, days: np.ndarray, cmp: np.ndarray, amounts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Add negative-amount copies of some spend rows (at least one when there is any mess).

    Returns the spend rows (day, campaign, amount), re-sorted by day, and the number added.
    """
    n_clean = days.size
    n_neg = 0
    if run.mess_rate > 0:
        n_neg = max(1, int(rng.binomial(n_clean, min(1.0, run.mess_rate * NEGATIVE_SPEND_WEIGHT))))
        pick = rng.integers(0, n_clean, n_neg)
        days = np.concatenate([days, days[pick]])
        cmp = np.concatenate([cmp, cmp[pick]])
        amounts = np.concatenate([amounts, -np.round(rng.uniform(1.0, 500.0, n_neg), 2)])
        order = np.argsort(days, kind="stable")
        days, cmp, amounts = days[order], cmp[order], amounts[order]
    return days, cmp, amounts, n_neg


# ---------------------------------------------------------------------------------------
# leads: merged duplicates and padded emails
# ---------------------------------------------------------------------------------------
@dataclass
class LeadMess:
    """A chunk's merged duplicates and padded emails, as the leads table writes them.

    `merged` holds the (sorted) positions of the leads that got a duplicate, `dup_num` and
    `dup_created` the duplicates' numbers and creation times; `emails` are the survivors'
    emails as written (padded ones padded), `dup_emails` the duplicates'; `ev_lead_num` is
    the lead number written per engagement event (the duplicate's for moved events).
    """

    merged: np.ndarray
    dup_num: np.ndarray
    dup_created: np.ndarray
    padded: np.ndarray
    emails: list[str]
    dup_emails: list[str]
    ev_lead_num: np.ndarray


def mixed_case(email: str) -> str:
    """first.last@domain.com -> First.Last@Domain.COM."""
    local, _, domain = email.partition("@")
    labels = domain.split(".")
    labels = [labels[0].title()] + [x.upper() for x in labels[1:]]
    return ".".join(p.title() for p in local.split(".")) + "@" + ".".join(labels)


def merge_duplicates_and_pad_emails(
    run: Run, rng: np.random.Generator, leads: Leads, events: Events
) -> LeadMess:
    """Pick the leads that get a merged duplicate and those whose email is padded.

    A duplicate is created after its survivor, and about half of the survivor's events from
    then on are attributed to the duplicate.
    """
    n = leads.size
    mr = run.mess_rate
    n_merge = int(rng.binomial(n, min(1.0, mr * MERGED_DUPLICATE_WEIGHT))) if mr > 0 else 0
    n_pad = int(rng.binomial(n, min(1.0, mr * PADDED_EMAIL_WEIGHT))) if mr > 0 else 0
    perm = rng.permutation(n)
    merged = np.sort(perm[:n_merge])
    padded = np.zeros(n, dtype=bool)
    padded[perm[n_merge : n_merge + n_pad]] = True
    dup_num = run.next_lead + np.arange(n_merge)
    run.next_lead += n_merge
    created = leads.created
    dup_created = created[merged] + (
        rng.random(n_merge) * np.maximum(0, run.last_created - created[merged]) * 0.5
    ).astype(np.int64)
    ev_lead_num, moved = _move_events_to_duplicates(
        rng, leads, events, merged, dup_num, dup_created
    )
    run.tally("engagement_events", "events_moved_to_merged_duplicates", moved)
    run.tally("leads", "merged_duplicate", n_merge)
    run.tally("leads", "padded_email", n_pad)
    emails = list(leads.emails)
    for i in np.flatnonzero(padded).tolist():
        emails[i] = "  " + mixed_case(leads.emails[i]) + " "
    return LeadMess(
        merged=merged,
        dup_num=dup_num,
        dup_created=dup_created,
        padded=padded,
        emails=emails,
        dup_emails=[leads.emails[i].upper() for i in merged.tolist()],
        ev_lead_num=ev_lead_num,
    )


def _move_events_to_duplicates(
    rng: np.random.Generator,
    leads: Leads,
    events: Events,
    merged: np.ndarray,
    dup_num: np.ndarray,
    dup_created: np.ndarray,
) -> tuple[np.ndarray, int]:
    """(lead number per event, events moved): half of a survivor's events after its
    duplicate's creation go to the duplicate."""
    ev_lead = events.lead
    ev_lead_num = leads.num[ev_lead].copy()
    if not merged.size:
        return ev_lead_num, 0
    dup_of_lead = np.full(leads.size, -1, dtype=np.int64)
    dup_of_lead[merged] = np.arange(merged.size)
    d = dup_of_lead[ev_lead]
    cand = (
        (d >= 0)
        & (events.occurred >= dup_created[np.maximum(d, 0)])
        & (rng.random(events.size) < 0.5)
    )
    ev_lead_num[cand] = dup_num[d[cand]]
    return ev_lead_num, int(cand.sum())


# ---------------------------------------------------------------------------------------
# opportunities
# ---------------------------------------------------------------------------------------
def inject_contradictions(
    run: Run, rng: np.random.Generator, sim: SalesSimulator, chunk_index: int
) -> None:
    """Add opportunities closed won before the first touch (at least one in the first chunk)."""
    eligible = sim.contradiction_candidates()
    n_contra = 0
    if run.mess_rate > 0 and eligible:
        n_contra = int(rng.binomial(len(eligible), min(1.0, run.mess_rate * CONTRADICTORY_WEIGHT)))
        if chunk_index == 0:
            n_contra = max(1, n_contra)
        n_contra = min(n_contra, len(eligible))
        for j in sorted(rng.choice(len(eligible), n_contra, replace=False).tolist()):
            sim.add_contradiction(*eligible[j])
    run.tally("opportunities", "contradictory_closed_won_before_first_touch", n_contra)


# ---------------------------------------------------------------------------------------
# engagement events
# ---------------------------------------------------------------------------------------
@dataclass
class _EventParts:
    """The clean event columns and the bad rows added so far, each part with its loaded_at."""

    columns: dict[str, pa.Array]
    parts: list[dict[str, pa.Array]]
    loaded_parts: list[np.ndarray]

    def copy_rows(self, index: np.ndarray) -> dict[str, pa.Array]:
        """Copies of the clean rows at `index`."""
        taker = pa.array(np.asarray(index, dtype=np.int64))
        return {k: v.take(taker) for k, v in self.columns.items()}

    def add(self, rows: dict[str, pa.Array], loaded: np.ndarray) -> None:
        """Append bad rows with their loaded_at moments."""
        self.parts.append(rows)
        self.loaded_parts.append(loaded)

    def by_load_time(self) -> dict[str, pa.Array]:
        """All rows with a loaded_at column, in load order (stable: ties keep part order)."""
        loaded_all = np.concatenate(self.loaded_parts)
        order = pa.array(np.argsort(loaded_all, kind="stable"))
        out = {k: pa.concat_arrays([p[k] for p in self.parts]).take(order) for k in self.columns}
        out["loaded_at"] = ts_strings(loaded_all).take(order)
        return out


_Mutation = Callable[[Run, np.random.Generator, dict[str, pa.Array], int], None]


def _unknown_lead(run: Run, rng: np.random.Generator, rows: dict[str, pa.Array], k: int) -> None:
    """Point the rows at lead ids that never exist."""
    rows["lead_id"] = ids("L", run.next_unknown_lead + np.arange(k))
    run.next_unknown_lead += k


def _unknown_type(run: Run, rng: np.random.Generator, rows: dict[str, pa.Array], k: int) -> None:
    """Give the rows event types the seed does not list."""
    rows["event_type"] = take(V.UNKNOWN_EVENT_TYPES, rng.integers(0, len(V.UNKNOWN_EVENT_TYPES), k))


def _unreadable(run: Run, rng: np.random.Generator, rows: dict[str, pa.Array], k: int) -> None:
    """Replace the rows' occurred_at with text that is no timestamp."""
    rows["occurred_at"] = take(
        V.UNREADABLE_TIMESTAMPS, rng.integers(0, len(V.UNREADABLE_TIMESTAMPS), k)
    )


def _future(run: Run, rng: np.random.Generator, rows: dict[str, pa.Array], k: int) -> None:
    """Move the rows' occurred_at to the year 2099 (29 February -> 28 February)."""
    s = pc.utf8_replace_slice(rows["occurred_at"], 0, 4, "2099")
    rows["occurred_at"] = pc.replace_substring(s, "2099-02-29", "2099-02-28")


# Defects of one column on copies of random clean rows, each copy with an event id of its own.
_SINGLE_DEFECTS: tuple[tuple[str, _Mutation], ...] = (
    ("unknown_lead", _unknown_lead),
    ("unknown_event_type", _unknown_type),
    ("unreadable_timestamp", _unreadable),
    ("future_timestamp", _future),
)


def add_event_mess(
    run: Run, rng: np.random.Generator, columns: dict[str, pa.Array], events: Events
) -> dict[str, pa.Array]:
    """The clean events plus their bad rows, with loaded_at, in load order; tallies the mess."""
    total = events.size
    mr = run.mess_rate
    counts = {
        k: (int(rng.binomial(total, min(1.0, mr * w))) if mr > 0 and total else 0)
        for k, w in EVENT_MESS_WEIGHTS.items()
    }
    loaded = _late_arrivals(rng, events, counts["late_arriving"])
    parts = _EventParts(columns, [columns], [loaded])
    perm = rng.permutation(total) if total else np.zeros(0, dtype=np.int64)
    n_exact = counts["exact_duplicate"]
    exact = np.sort(perm[:n_exact])
    if n_exact:
        parts.add(parts.copy_rows(exact), loaded[exact])
    counts["conflicting_duplicate_id"] = _add_conflicting_duplicates(
        run, rng, parts, events, perm[n_exact:], counts["conflicting_duplicate_id"]
    )
    for kind, mutate in _SINGLE_DEFECTS:
        k = counts[kind]
        if not k:
            continue
        base = np.sort(rng.integers(0, total, k))
        rows = parts.copy_rows(base)
        rows["event_id"] = ids("E", run.next_event + np.arange(k))
        run.next_event += k
        mutate(run, rng, rows, k)
        parts.add(rows, events.loaded[base])
    out = parts.by_load_time()
    for kind, k in counts.items():
        run.tally("engagement_events", kind, k)
    return out


def _late_arrivals(rng: np.random.Generator, events: Events, n_late: int) -> np.ndarray:
    """loaded_at of the clean events with `n_late` of them loaded 2-20 days after they
    occurred (kept downstream)."""
    total = events.size
    late = rng.choice(total, n_late, replace=False) if total else []
    loaded = events.loaded.copy()
    loaded[late] = events.occurred[late] + rng.integers(2 * DAY, 20 * DAY + 1, len(late))
    return loaded


def _add_conflicting_duplicates(
    run: Run,
    rng: np.random.Generator,
    parts: _EventParts,
    events: Events,
    candidates: np.ndarray,
    wanted: int,
) -> int:
    """Re-send up to `wanted` events under their own id with a later time, another page and
    retry properties; returns how many were added.

    Only events at least two hours before the period end qualify, so the copy stays inside it.
    """
    occurred, url, n_urls = events.occurred, events.url, len(events.url_vocab)
    candidates = candidates[occurred[candidates] <= run.end - 2 * 3600]
    conflict = np.sort(candidates[:wanted])
    k = conflict.size
    if k:
        rows = parts.copy_rows(conflict)
        shifted = occurred[conflict] + rng.integers(60, 7201, k)
        rows["occurred_at"] = ts_strings(shifted)
        other = (url[conflict] + 1 + rng.integers(0, n_urls - 1, k)) % n_urls
        rows["page_url"] = take(events.url_vocab, other)
        rows["properties"] = pa.array(['{"delivery": "retry"}'] * k, type=pa.string())
        parts.add(rows, shifted + rng.integers(5, 600, k))
    return k
