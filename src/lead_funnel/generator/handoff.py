"""The marketing hand-off (MQL moment) the generator uses to drive its sales simulation.

A lead is handed to sales when the warehouse would call it marketing qualified: at a scoring
event where the MQL condition of the ``default`` scoring model holds (`is_mql_eligible` of
the scoring spec, ``models/marts/scoring/_scoring__docs.md``). The rules come from the same
seeds the warehouse loads, the scores from `lead_funnel.scoring.fast`, which equals the plain
Python reference.

* Hand-off 1 is the lead's first eligible scoring event.
* After a recycle at r, the next hand-off is the first eligible scoring event with
  occurred_at > r. A recycle does not reset the score: decayed points from before count.

Everything here reads only what the raw files carry, as staging cleans it (lower-cased and
trimmed email, its domain after '@'; the lead's country, else the account's; industry, size,
revenue and domain of the account), never the generator's latent variables.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
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


def eligible_events(
    lead: np.ndarray,
    occurred_at: np.ndarray,
    event_type: np.ndarray,
    type_vocab: Sequence[str],
    properties: np.ndarray,
    properties_vocab: Sequence[str | None],
    profiles: Sequence[LeadProfile],
) -> np.ndarray:
    """Per event, whether the default model's MQL condition holds right after it.

    Events are grouped by `lead` (indexes into `profiles`) and ordered by (occurred_at,
    event_id) within a lead; codes index the vocabularies as in `FastScorer.score_events`.
    """
    fast = scorer()
    fits = [fast.fit(p) for p in profiles]
    fit = np.fromiter((f[0] for f in fits), dtype=float, count=len(fits))
    disqualified = np.fromiter((f[1] for f in fits), dtype=bool, count=len(fits))
    scores = fast.score_events(
        lead, occurred_at, event_type, type_vocab, properties, properties_vocab, fit, disqualified
    )
    return scores.is_mql_eligible


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
