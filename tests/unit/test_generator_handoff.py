"""The generator's marketing hand-off: the default scoring model's MQL moments."""

from __future__ import annotations

import numpy as np

from lead_funnel.generator import vocab as V
from lead_funnel.generator.cycles import Opportunity, StatusChange, Touch, derive_cycles
from lead_funnel.generator.handoff import (
    eligible_events,
    handoff_moments,
    lead_profile,
    next_handoff,
    scorer,
)

DAY = 86400
T0 = 1_750_000_000 - 1_750_000_000 % DAY  # midnight UTC
TYPES = V.engagement_event_types()
PROPS = ["{}", '{"form_name": "contact_us", "buying_timeline": "0-3 months"}']
# software (15) + 200-999 employees (12) + north america (5) + director (10) + business
# email (5) = 47 fit points; the marketing persona adds 10 more
BUYER = lead_profile(
    "L1",
    job_title="Director of Operations",
    email="  Ann.Lee@ACME.com ",
    country="us",
    account_domain="Acme.com",
    industry="Software",
    employee_count=800.0,
)
STUDENT = lead_profile("L2", job_title="Graduate Student", email="sam@gmail.com", country="DE")


def _eligible(profile, *items: tuple[int, str] | tuple[int, str, int]) -> list[int]:
    """Eligible moments of one lead's events (time, type[, properties index])."""
    eligible = eligible_events(
        np.zeros(len(items), dtype=np.int64),
        np.array([i[0] for i in items]),
        np.array([TYPES.index(i[1]) for i in items]),
        TYPES,
        np.array([i[2] if len(i) > 2 else 0 for i in items]),
        PROPS,
        [profile],
    )
    return [i[0] for i, ok in zip(items, eligible.tolist(), strict=True) if ok]


def test_profiles_are_cleaned_like_staging() -> None:
    assert BUYER.email_domain == "acme.com" and BUYER.account_domain == "acme.com"
    assert BUYER.industry == "software" and BUYER.country == "US"
    assert scorer().fit(BUYER) == (47.0, False)
    assert scorer().fit(STUDENT)[1]


def test_threshold_needs_sixty_points_after_the_event() -> None:
    # 47 + 10 (pricing) = 57; + 4 (click) = 61 at the same second, applied in event order
    got = _eligible(BUYER, (T0, "pricing_page_view"), (T0, "email_click"), (T0 + 60, "page_view"))
    assert got == [T0, T0 + 60]
    assert _eligible(BUYER, (T0, "pricing_page_view")) == []


def test_a_form_with_a_short_timeline_qualifies_and_decays() -> None:
    # 47 + 10 + 25 = 82; forty-five days on, the form's 10 points have halved: 47 + 5 + 25 + 2
    got = _eligible(BUYER, (T0, "form_submit", 1), (T0 + 45 * DAY, "email_open"))
    assert got == [T0, T0 + 45 * DAY]


def test_demo_requests_fast_track_unless_fit_disqualified() -> None:
    events = ((T0, "page_view"), (T0 + 100, "demo_request"))
    assert _eligible(STUDENT, *events) == []
    low = lead_profile("L3", job_title="Nurse", email="x@gmail.com", country="BR")
    assert _eligible(low, *events) == [T0 + 100]


def test_recycles_do_not_reset_the_score() -> None:
    eligible = [T0, T0 + 5 * DAY, T0 + 40 * DAY, T0 + 41 * DAY]
    assert handoff_moments(eligible) == [T0]
    assert handoff_moments(eligible, [T0 + 20 * DAY]) == [T0, T0 + 40 * DAY]
    # a recycle before the latest hand-off opens nothing new; one at a hand-off looks later
    assert handoff_moments(eligible, [T0 + 2 * DAY, T0 + 3 * DAY]) == [T0, T0 + 5 * DAY]
    assert next_handoff(eligible, T0 + 5 * DAY) == T0 + 40 * DAY
    assert next_handoff(eligible, T0 + 41 * DAY) is None


def test_cycles_follow_the_documented_semantics() -> None:
    touches = [Touch(T0 + 600, "R001"), Touch(T0 + 30 * DAY, "R002")]
    changes = [
        StatusChange(T0 + 3600, "sales_rejected", "not_ready"),
        StatusChange(T0 + 10 * DAY, "recycled", "back_to_nurture"),
        StatusChange(T0 + 31 * DAY, "sales_accepted", None),
        StatusChange(T0 + 35 * DAY, "sales_qualified", None),
    ]
    # marketing qualifies again only at day 40: the qualification at day 35 is not covered
    cycles = derive_cycles([T0, T0 + 40 * DAY], touches, changes, [])
    assert [(c["marketing_qualified_at"], c["is_inferred_mql"]) for c in cycles] == [
        (T0, False),
        (T0 + 30 * DAY, True),
    ]
    assert cycles[0]["recycled_at"] == T0 + 10 * DAY and cycles[0]["first_touch_rep_id"] == "R001"
    assert cycles[1]["sales_qualified_at"] == T0 + 35 * DAY
    # with a hand-off at day 20, the qualification is covered: no inferred cycle
    cycles = derive_cycles([T0, T0 + 20 * DAY], touches, changes, [])
    assert [c["is_inferred_mql"] for c in cycles] == [False, False]
    assert cycles[1]["first_touched_at"] == T0 + 30 * DAY
    # an opportunity won before the first touch is kept and flagged
    won = Opportunity(T0 + 100, 7, T0 + 300, True)
    (cycle,) = derive_cycles([T0], touches[:1], [], [won])
    assert cycle["opportunity_id"] == 7 and cycle["is_contradictory"]
