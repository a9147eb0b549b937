"""The marketing hand-off (MQL moment) the generator uses to drive its sales simulation.

A lead is handed to sales when the warehouse would call it marketing qualified: at a scoring
event where the MQL condition of the ``default`` scoring model holds (`is_mql_eligible` of
the scoring spec, ``models/marts/scoring/_scoring__docs.md``). The rules come from the same
seeds the warehouse loads, the scores from `lead_funnel.scoring.fast`, which equals the plain
Python reference.

* Hand-off 1 is the lead's first eligible scoring event.
* After a recycle at r, the next hand-off is the first eligible scoring event with
  occurred_at > r, eligibility computed as the warehouse computes it from the lead's status
  changes: under the default model's `on_recycle = reset_behavior` a recycle (and a rejection,
  were `reset_on_rejection` set) resets behaviour, so the points earned up to r stop counting
  after r (events at the very second r still belong to the old segment); fit stays, and
  suppression and the recency gate run on over all events.

Eligibility at an event depends only on the resets strictly before it, and every reset of a
cycle comes after that cycle's hand-off, so the simulation scores in rounds (`HandoffScores`):
the full scoring gives hand-off 1; the sales simulation of a cycle produces its resets; the
leads with new resets are re-scored together, with all their resets so far, which leaves
their eligibility up to the new resets unchanged and gives the next hand-off after each
recycle; and so on. The last re-scoring of a lead is its eligibility under all of its resets,
the MQL candidates of the ground truth.

Everything here reads only what the raw files carry, as staging cleans it (lower-cased and
trimmed email, its domain after '@'; the lead's country, else the account's; industry, size,
revenue and domain of the account), never the generator's latent variables.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np

from lead_funnel.scoring.fast import FastScorer
from lead_funnel.scoring.reference import LeadProfile, email_domain, load_rules

SCORING_MODEL = "default"


@lru_cache(maxsize=1)
def scorer() -> FastScorer:
    """The vectorised scorer of the default model, on the project's seeds."""
    return FastScorer(load_rules(), SCORING_MODEL)


def lead_profile(
    lead_id: str,
    *,
    job_title: str | None,
    email: str | None,
    country: str | None,
    account_domain: str | None = None,
    industry: str | None = None,
    employee_count: float | None = None,
    annual_revenue: float | None = None,
    account_country: str | None = None,
) -> LeadProfile:
    """A lead's scoring profile from raw lead and account values, cleaned like staging."""

    def clean(value: str | None) -> str | None:
        value = value.strip() if value is not None else None
        return value or None

    def lower(value: str | None) -> str | None:
        value = clean(value)
        return value.lower() if value is not None else None

    def upper(value: str | None) -> str | None:
        value = clean(value)
        return value.upper() if value is not None else None

    return LeadProfile(
        lead_id=lead_id,
        job_title=clean(job_title),
        email_domain=email_domain(clean(email)),
        country=upper(country),
        industry=lower(industry),
        employee_count=employee_count,
        annual_revenue=annual_revenue,
        account_country=upper(account_country),
        account_domain=lower(account_domain),
    )


def _fits(profiles: Sequence[LeadProfile]) -> tuple[np.ndarray, np.ndarray]:
    fast = scorer()
    fits = [fast.fit(p) for p in profiles]
    fit = np.fromiter((f[0] for f in fits), dtype=float, count=len(fits))
    disqualified = np.fromiter((f[1] for f in fits), dtype=bool, count=len(fits))
    return fit, disqualified


def eligible_events(
    lead: np.ndarray,
    occurred_at: np.ndarray,
    event_type: np.ndarray,
    type_vocab: Sequence[str],
    properties: np.ndarray,
    properties_vocab: Sequence[str | None],
    profiles: Sequence[LeadProfile],
    resets: Mapping[int, Sequence[int]] | None = None,
) -> np.ndarray:
    """Per event, whether the default model's MQL condition holds right after it.

    Events are grouped by `lead` (indexes into `profiles`) and ordered by (occurred_at,
    event_id) within a lead; codes index the vocabularies as in `FastScorer.score_events`.
    `resets` maps a lead to the moments at which its behaviour resets (its recycles).
    """
    fit, disqualified = _fits(profiles)
    reset_lead, reset_at = _reset_arrays(resets)
    scores = scorer().score_events(
        lead,
        occurred_at,
        event_type,
        type_vocab,
        properties,
        properties_vocab,
        fit,
        disqualified,
        reset_lead,
        reset_at,
    )
    return scores.is_mql_eligible


def _reset_arrays(resets: Mapping[int, Sequence[int]] | None) -> tuple[np.ndarray, np.ndarray]:
    items = sorted(resets.items()) if resets else []
    reset_lead = np.fromiter((i for i, moments in items for _ in moments), dtype=np.int64, count=-1)
    reset_at = np.fromiter((m for _, moments in items for m in moments), dtype=np.int64, count=-1)
    return reset_lead, reset_at


class HandoffScores:
    """The eligible moments of one chunk's leads, re-scored as their resets become known.

    Holds the chunk's events (grouped by lead in ascending order, leads indexing `profiles`,
    ordered by (occurred_at, event_id) within a lead) and scores any subset of its leads at
    once, vectorised.
    """

    def __init__(
        self,
        lead: np.ndarray,
        occurred_at: np.ndarray,
        event_type: np.ndarray,
        type_vocab: Sequence[str],
        properties: np.ndarray,
        properties_vocab: Sequence[str | None],
        profiles: Sequence[LeadProfile],
    ) -> None:
        self.lead = np.asarray(lead, dtype=np.int64)
        self.occurred_at = np.asarray(occurred_at, dtype=np.int64)
        self.event_type = np.asarray(event_type, dtype=np.int64)
        self.properties = np.asarray(properties, dtype=np.int64)
        self.type_vocab = list(type_vocab)
        self.properties_vocab = list(properties_vocab)
        self.fit, self.disqualified = _fits(profiles)
        self.bounds = np.searchsorted(self.lead, np.arange(len(profiles) + 1))

    def resets_on(self, status: str) -> bool:
        """Whether a status change of this kind resets behaviour under the default model."""
        return scorer().resets_on(status)

    def eligible_at(
        self,
        leads: Sequence[int] | None = None,
        resets: Mapping[int, Sequence[int]] | None = None,
    ) -> dict[int, list[int]]:
        """Ascending eligible moments of each lead of `leads` (default: every lead with
        events), its behaviour reset at its `resets` moments; leads without any are left out."""
        if leads is None:
            idx = np.arange(self.lead.size)
        else:
            chosen = np.unique(np.asarray(leads, dtype=np.int64))
            starts, stops = self.bounds[chosen], self.bounds[chosen + 1]
            lengths = stops - starts
            first = np.cumsum(lengths) - lengths
            idx = np.repeat(starts - first, lengths) + np.arange(int(lengths.sum()))
        reset_lead, reset_at = _reset_arrays(resets)
        scores = scorer().score_events(
            self.lead[idx],
            self.occurred_at[idx],
            self.event_type[idx],
            self.type_vocab,
            self.properties[idx],
            self.properties_vocab,
            self.fit,
            self.disqualified,
            reset_lead,
            reset_at,
        )
        hits = idx[scores.is_mql_eligible]
        times = self.occurred_at[hits].tolist()
        found, first = np.unique(self.lead[hits], return_index=True)
        stops = np.append(first[1:], hits.size)
        return {
            i: times[a:b]
            for i, a, b in zip(found.tolist(), first.tolist(), stops.tolist(), strict=True)
        }


def next_handoff(eligible_at: Sequence[int], after: int | None = None) -> int | None:
    """The first eligible moment (ascending `eligible_at`) strictly after `after`."""
    j = 0 if after is None else bisect_right(eligible_at, after)
    return eligible_at[j] if j < len(eligible_at) else None


def handoff_moments(eligible_at: Sequence[int], recycled_at: Sequence[int] = ()) -> list[int]:
    """All hand-offs: the first eligible moment, then the first after each later recycle."""
    moments: list[int] = []
    moment = next_handoff(eligible_at)
    pending = sorted(recycled_at)
    while moment is not None:
        moments.append(moment)
        pending = [r for r in pending if r >= moment]
        if not pending:
            break
        moment = next_handoff(eligible_at, pending[0])
        pending = pending[1:]
    return moments
