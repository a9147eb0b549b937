"""The marketing hand-off (MQL moment) the generator uses to drive its sales simulation.

Self-contained on purpose: the scoring engine's Python reference implementation replaces this
module later, so that the hand-offs the generator writes equal the MQL moments the warehouse
derives. Everything here reads only what the raw files carry (title, email domain, account
firmographics, engagement events), never the generator's latent variables.

Rules
-----
* Fit points (constant per lead): employee count band, industry, country, title seniority,
  free-mail and competitor domains (see ``fit_points``).
* Behaviour points per engagement event type (``EVENT_POINTS``); a ``form_submit`` adds the
  bonus of its self-declared ``buying_timeline``. The low-value types in ``CAPPED_TYPES`` count
  at most ``DAILY_CAP`` times per type per UTC calendar day (in (occurred_at, event_id) order).
* Behaviour points decay exponentially with a half-life of ``HALF_LIFE_DAYS``.
* Score at a moment t = fit points + sum of decayed behaviour points of the counted events with
  occurred_at <= t (all events sharing one timestamp are applied together before comparing).
* Hand-off at the first event timestamp where the score reaches ``MQL_THRESHOLD`` (>=), or at the
  first ``demo_request`` / ``contact_sales`` of a lead that is not disqualified (competitor
  domain or student/intern title), whichever comes first.
* A new cycle after a recycle at time r only counts events with occurred_at > r, starting from
  a behaviour score of zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import NamedTuple

from lead_funnel.generator.vocab import (
    COMPETITOR_DOMAINS,
    CORE_COUNTRIES,
    POOR_FIT_INDUSTRIES,
    TARGET_INDUSTRIES,
    free_mail_domains,
)

MQL_THRESHOLD = 60.0
HALF_LIFE_DAYS = 30.0
DAILY_CAP = 3
CAPPED_TYPES = frozenset({"email_open", "email_click", "page_view"})
TRIGGER_TYPES = frozenset({"demo_request", "contact_sales"})
EVENT_POINTS: dict[str, float] = {
    "email_open": 1,
    "email_click": 3,
    "page_view": 1,
    "pricing_page_view": 10,
    "content_download": 8,
    "webinar_registered": 5,
    "webinar_attended": 12,
    "form_submit": 5,
    "demo_request": 30,
    "contact_sales": 30,
    "chat_conversation": 10,
    "careers_page_view": -5,
    "unsubscribe": -15,
    "email_bounce": -5,
}
TIMELINE_POINTS: dict[str, float] = {
    "0-3 months": 20,
    "3-6 months": 10,
    "6-12 months": 5,
    "no timeline": 0,
}
_DECAY_PER_SECOND = math.log(2.0) / (HALF_LIFE_DAYS * 86400.0)


class LeadAttributes(NamedTuple):
    """What the raw lead and account rows say about a lead (clean values)."""

    job_title: str | None
    email: str | None
    employee_count: int | None
    industry: str | None
    country: str | None


class LeadEvents(NamedTuple):
    """A lead's clean engagement events sorted by (occurred_at, event_id).

    occurred_at holds UTC epoch seconds; buying_timeline is the form's declared timeline or None.
    """

    occurred_at: Sequence[int]
    event_type: Sequence[str]
    buying_timeline: Sequence[str | None]


def email_domain(email: str | None) -> str:
    if not email or "@" not in email:
        return ""
    return email.strip().lower().rsplit("@", 1)[1]


def title_points(job_title: str | None) -> float:
    """Seniority and persona of the title: buyers score, students and consultants do not."""
    title = (job_title or "").lower()
    if "student" in title or "intern" in title:
        return -50.0
    if "consultant" in title or "freelance" in title:
        return -10.0
    if "chief" in title or "vp " in title or "vice president" in title:
        return 15.0
    if "director" in title or "head of" in title:
        return 12.0
    if "manager" in title or "lead" in title:
        return 6.0
    return 0.0


def is_disqualified(lead: LeadAttributes) -> bool:
    """Leads that never get a hand-off on a demo request: competitors and students."""
    title = (lead.job_title or "").lower()
    return email_domain(lead.email) in COMPETITOR_DOMAINS or "student" in title or "intern" in title


def fit_points(lead: LeadAttributes) -> float:
    """Firmographic and persona points, constant over the lead's life."""
    domain = email_domain(lead.email)
    if domain in COMPETITOR_DOMAINS:
        return -100.0
    points = title_points(lead.job_title)
    if domain in free_mail_domains():
        points -= 10.0
    employees = lead.employee_count
    if employees is not None:
        if 200 <= employees < 5000:
            points += 15.0
        elif 50 <= employees < 200 or employees >= 5000:
            points += 10.0
        elif employees >= 10:
            points += 3.0
    if lead.industry in TARGET_INDUSTRIES:
        points += 10.0
    elif lead.industry in POOR_FIT_INDUSTRIES:
        points -= 5.0
    if lead.country in CORE_COUNTRIES:
        points += 5.0
    return points


def next_handoff(
    lead: LeadAttributes,
    events: LeadEvents,
    after: int | None = None,
    *,
    fit: float | None = None,
    disqualified: bool | None = None,
) -> int | None:
    """The first hand-off moment (epoch seconds) counting only events strictly after `after`.

    `fit` and `disqualified` may be passed precomputed (they depend on the lead only).
    """
    fit = fit_points(lead) if fit is None else fit
    disqualified = is_disqualified(lead) if disqualified is None else disqualified
    times = events.occurred_at
    types = events.event_type
    timelines = events.buying_timeline
    n = len(times)
    start = 0
    if after is not None:
        while start < n and times[start] <= after:
            start += 1
    score = 0.0
    last_t = None
    day_counts: dict[tuple[str, int], int] = {}
    points_of = EVENT_POINTS
    for i in range(start, n):
        t = times[i]
        kind = types[i]
        if last_t is not None and t != last_t:
            score *= math.exp(-_DECAY_PER_SECOND * (t - last_t))
        last_t = t
        if kind in TRIGGER_TYPES and not disqualified:
            return t
        if kind in CAPPED_TYPES:
            key = (kind, t // 86400)
            seen = day_counts.get(key, 0)
            day_counts[key] = seen + 1
            if seen < DAILY_CAP:
                score += points_of[kind]
        else:
            score += points_of.get(kind, 0.0)
            if kind == "form_submit":
                timeline = timelines[i]
                if timeline:
                    score += TIMELINE_POINTS.get(timeline, 0.0)
        if fit + score >= MQL_THRESHOLD and (i + 1 == n or times[i + 1] != t):
            return t
    return None


def handoff_moments(
    lead: LeadAttributes, events: LeadEvents, recycled_at: Sequence[int] = ()
) -> list[datetime]:
    """All hand-off moments of a lead: the first, then one after each recycle that follows it.

    `recycled_at` holds the epoch seconds at which sales sent the lead back to nurture; a
    recycle only opens a new cycle when it comes after the previous hand-off.
    """
    fit = fit_points(lead)
    disqualified = is_disqualified(lead)
    moments: list[int] = []
    after: int | None = None
    pending = sorted(recycled_at)
    while True:
        moment = next_handoff(lead, events, after, fit=fit, disqualified=disqualified)
        if moment is None:
            break
        moments.append(moment)
        later = [r for r in pending if r >= moment]
        if not later:
            break
        after = later[0]
        pending = later[1:]
    return [datetime.fromtimestamp(m, tz=timezone.utc).replace(tzinfo=None) for m in moments]
