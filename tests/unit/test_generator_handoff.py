"""Boundary tests of the generator's marketing hand-off rules."""

from __future__ import annotations

from datetime import datetime, timezone

from lead_funnel.generator.handoff import (
    LeadAttributes,
    LeadEvents,
    fit_points,
    handoff_moments,
    is_disqualified,
    next_handoff,
)

DAY = 86400
T0 = 1_750_000_000 - 1_750_000_000 % DAY  # midnight UTC
# 200-4999 employees (15) + software (10) + US (5) + director (12) = 42 fit points
BUYER = LeadAttributes("Director of Marketing", "ann.lee@acme.com", 800, "software", "US")
STUDENT = LeadAttributes("Graduate Student", "sam@gmail.com", None, None, "US")


def _utc(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=timezone.utc).replace(tzinfo=None)


def _events(*items: tuple[int, str] | tuple[int, str, str]) -> LeadEvents:
    return LeadEvents(
        [i[0] for i in items], [i[1] for i in items], [i[2] if len(i) > 2 else None for i in items]
    )


def test_fit_points_and_disqualification() -> None:
    assert fit_points(BUYER) == 42
    assert fit_points(STUDENT) == -50 - 10 + 5
    assert fit_points(LeadAttributes("VP of Sales", "x@pipewise.io", 500, "software", "US")) == -100
    assert is_disqualified(STUDENT) and not is_disqualified(BUYER)


def test_threshold_is_reached_at_exactly_sixty() -> None:
    # 42 fit + 10 pricing + 8 content = 60, both at the same moment
    ev = _events((T0 + 10, "pricing_page_view"), (T0 + 10, "content_download"))
    assert next_handoff(BUYER, ev) == T0 + 10
    assert next_handoff(BUYER, _events((T0 + 10, "pricing_page_view"))) is None


def test_events_sharing_a_timestamp_are_applied_together() -> None:
    ev = _events(
        (T0, "pricing_page_view"),
        (T0 + 5, "content_download"),
        (T0 + 5, "unsubscribe"),  # same second: the -15 cancels the crossing
    )
    assert next_handoff(BUYER, ev) is None


def test_demo_request_triggers_unless_disqualified() -> None:
    ev = _events((T0 + 100, "page_view"), (T0 + 200, "demo_request"))
    assert next_handoff(BUYER, ev) == T0 + 200
    assert next_handoff(STUDENT, ev) is None


def test_low_value_events_are_capped_per_day() -> None:
    # 42 + 3 page views a day count; 18 points need 6 days of views, not one busy day
    busy_day = _events(*[(T0 + i, "page_view") for i in range(30)])
    assert next_handoff(BUYER, busy_day) is None
    hourly = _events(*[(T0 + d * 3600, "email_click") for d in range(6)])
    # six clicks within one day: only three count (9 points), 42 + 9 < 60
    assert next_handoff(BUYER, hourly) is None


def test_points_decay_with_a_thirty_day_half_life() -> None:
    ev = _events((T0, "webinar_attended"), (T0 + 60 * DAY, "content_download"))
    # 12 halves twice to 3: 42 + 3 + 8 = 53 < 60
    assert next_handoff(BUYER, ev) is None
    ev = _events((T0, "webinar_attended"), (T0 + 60, "content_download"))
    assert next_handoff(BUYER, ev) == T0 + 60


def test_recycle_restarts_the_score_from_later_events() -> None:
    ev = _events(
        (T0, "demo_request"),
        (T0 + 10 * DAY, "contact_sales"),
        (T0 + 40 * DAY, "contact_sales"),
    )
    assert handoff_moments(BUYER, ev) == [_utc(T0)]
    moments = handoff_moments(BUYER, ev, recycled_at=[T0 + 20 * DAY])
    assert moments == [_utc(T0), _utc(T0 + 40 * DAY)]
    assert next_handoff(BUYER, ev, after=T0 + 10 * DAY) == T0 + 40 * DAY
