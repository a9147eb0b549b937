"""Hand-worked cases for the plain-Python scoring reference.

Every expected number below is worked out in the comments from the project's seeds
(`seeds/scoring/*.csv`), not by running the code. Seed values used (scoring model `default`,
MQL threshold 60, fit gate 15):

    fit       industry software +15, employee band 1000-4999 +15, 200-999 +12, 5000+ +10,
              region north_america +5, email business +5, free_mail -10,
              persona consultant -10, persona student -30 (disqualifying),
              competitor -50 (disqualifying)
    behaviour email_open 2 (cap 3 per 30 days, half-life 30)
              webinar_registered 5 (no half-life, lifespan 90)
              webinar_attended 12 (half-life 60)
              content_download 8 (cap 3 per 30 days, half-life 45)
              form_submit 10 (cap 2 per 30 days, half-life 45)
              buying_timeline "0-3 months" +25, "3-6 months" +15 (not repeatable, no decay)
              demo_request 30 (half-life 90, fast-track type)
              unsubscribe -20 (not repeatable, lifespan 365), email_bounce -15 (not repeatable)
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections import Counter
from datetime import datetime, timedelta

import pytest

from lead_funnel.scoring import (
    Event,
    LeadProfile,
    LeadRecord,
    load_rules,
    resolve_survivors,
    score_lead,
    score_population,
)
from lead_funnel.scoring.reference import (
    Snapshot,
    StatusChange,
    TitlePattern,
    cap_period,
    email_domain,
    is_recent,
    lead_attributes,
    mql_trigger,
    occurrences_of,
    title_attributes,
)

RULES = load_rules()
START = datetime(2025, 1, 1, 10, 0, 0)

# software +15, 1000 employees -> band 1000-4999 +15, US -> north_america +5,
# acme.com is a business domain +5: fit 40, which passes the fit gate of 15.
GOOD_FIT = LeadProfile(
    lead_id="L1", email_domain="acme.com", country="US", industry="software", employee_count=1000
)
# No attribute at all: fit 0.
NO_FIT = LeadProfile(lead_id="L0")


def at(days: float, seconds: int = 0) -> datetime:
    """START plus a number of days (and seconds)."""
    return START + timedelta(days=days, seconds=seconds)


def ev(event_id: str, event_type: str, when: datetime, properties: str | None = None) -> Event:
    return Event(event_id=event_id, event_type=event_type, occurred_at=when, properties=properties)


def assert_components_add_up(score) -> None:
    assert math.isclose(sum(score.components.values()), score.raw_score, abs_tol=1e-9)


# --- fit --------------------------------------------------------------------------------------


def test_good_fit_profile_scores_40() -> None:
    score = score_lead(RULES, "default", GOOD_FIT, [], at(0))
    assert score.fit_score == 40
    assert score.components == {
        "fit_industry_software": 15,
        "fit_size_1000_4999": 15,
        "fit_region_na": 5,
        "fit_email_business": 5,
    }
    # No events: engagement 0 -> digit 4; fit 40 -> letter A (min 40 inclusive).
    assert score.lead_grade == "A4"
    assert score.marketing_qualified_at is None
    assert score.history == []


@pytest.mark.parametrize(
    ("employees", "band"),
    [(49, "1-49"), (50, "50-199"), (199, "50-199"), (200, "200-999"), (999, "200-999"),
     (1000, "1000-4999"), (4999, "1000-4999"), (5000, "5000+"), (None, None)],
)  # fmt: skip
def test_employee_bands_are_lower_inclusive_upper_exclusive(employees, band) -> None:
    attributes = lead_attributes(RULES, LeadProfile(lead_id="L", employee_count=employees))
    assert attributes["employee_band"] == band


def test_country_falls_back_to_the_account_and_unknown_countries_have_no_region() -> None:
    fallback = lead_attributes(RULES, LeadProfile(lead_id="L", account_country="DE"))
    assert (fallback["country"], fallback["region"]) == ("DE", "emea")
    own_first = lead_attributes(RULES, LeadProfile(lead_id="L", country="US", account_country="DE"))
    assert own_first["region"] == "north_america"
    unknown = lead_attributes(RULES, LeadProfile(lead_id="L", country="ZZ"))
    assert unknown["region"] is None


def test_title_patterns_are_substrings_and_the_highest_priority_wins() -> None:
    # "vp" (seniority vp, 90); "marketing" (persona marketing, 70).
    assert title_attributes(RULES, "VP Marketing") == {"seniority": "vp", "persona": "marketing"}
    # "head of" (director, 85) and "head of it" (persona it, 56) beat nothing else here.
    assert title_attributes(RULES, "Head of IT") == {"seniority": "director", "persona": "it"}
    # "director" (80) gives the seniority, "sales" (65) the persona.
    assert title_attributes(RULES, "Director of Sales") == {
        "seniority": "director",
        "persona": "sales",
    }
    # Substrings are literal: "chief" (c_level, 100) and "chief technology" (it, 56).
    assert title_attributes(RULES, "Chief Technology Officer") == {
        "seniority": "c_level",
        "persona": "it",
    }
    assert title_attributes(RULES, "Gardener") == {}
    assert title_attributes(RULES, None) == {}


def test_title_priority_ties_go_to_the_alphabetically_first_pattern() -> None:
    patterns = [
        TitlePattern("zeta", "persona", "last", 50),
        TitlePattern("alpha", "persona", "first", 50),
        TitlePattern("beta", "persona", "low", 10),
    ]
    rules = dataclasses.replace(RULES, title_patterns=patterns)
    assert title_attributes(rules, "zeta alpha beta") == {"persona": "first"}


def test_email_type_and_competitor_domains() -> None:
    free = lead_attributes(RULES, LeadProfile(lead_id="L", email_domain="gmail.com"))
    assert free["email_type"] == "free_mail"
    none = lead_attributes(RULES, LeadProfile(lead_id="L"))
    assert none["email_type"] is None
    # A competitor's account domain disqualifies even with a business email:
    # business +5, competitor -50 -> fit -45, disqualified, graded D.
    rival = LeadProfile(lead_id="L", email_domain="acme.com", account_domain="rivalfunnel.com")
    score = score_lead(RULES, "default", rival, [], at(0))
    assert score.fit_score == -45
    assert score.is_fit_disqualified
    assert score.fit_grade == "D"
    assert email_domain("  Jane@Acme.COM ") == "acme.com"
    assert email_domain("no-at-sign") is None
    assert email_domain("@acme.com") is None


# --- the threshold ----------------------------------------------------------------------------


def test_exactly_at_the_threshold_qualifies() -> None:
    # fit 40; E1 webinar_attended +12 (age 0, no decay yet) -> 52;
    # E2 content_download +8 at the same instant -> 60 >= 60: MQL at E2, by threshold.
    events = [ev("E1", "webinar_attended", at(0)), ev("E2", "content_download", at(0))]
    score = score_lead(RULES, "default", GOOD_FIT, events, at(0))
    assert [row.lead_score for row in score.history] == [52, 60]
    assert score.lead_score == 60
    assert score.marketing_qualified_at == at(0)
    assert score.mql_trigger == "threshold"
    assert score.mql_trigger_event_id == "E2"
    # engagement 20 -> digit 2.
    assert score.lead_grade == "A2"
    assert_components_add_up(score)


def test_one_point_below_the_threshold_does_not_qualify() -> None:
    # fit 40 + webinar_attended 12 + webinar_registered 5 + email_open 2 = 59 < 60.
    events = [
        ev("E1", "webinar_attended", at(0)),
        ev("E2", "webinar_registered", at(0)),
        ev("E3", "email_open", at(0)),
    ]
    score = score_lead(RULES, "default", GOOD_FIT, events, at(0))
    assert score.lead_score == 59
    assert not any(row.is_mql_eligible for row in score.history)
    assert score.marketing_qualified_at is None
    assert score.mql_trigger is None


def test_the_threshold_needs_the_fit_gate() -> None:
    # fit 0 < 15. Three form submits at the same instant:
    # eng_form_submit 10 + 10 (the third is capped: 2 per 30 days) = 20;
    # "0-3 months" +25 once; "3-6 months" +15 once -> 0 + 20 + 40 = 60, yet no MQL.
    events = [
        ev("E1", "form_submit", at(0), '{"buying_timeline": "0-3 months"}'),
        ev("E2", "form_submit", at(0), '{"buying_timeline": "0-3 months"}'),
        ev("E3", "form_submit", at(0), '{"buying_timeline": "3-6 months"}'),
    ]
    score = score_lead(RULES, "default", NO_FIT, events, at(0))
    assert (score.engagement_score, score.intent_score, score.lead_score) == (20, 40, 60)
    assert score.marketing_qualified_at is None


# --- caps -------------------------------------------------------------------------------------


def test_caps_count_per_calendar_period():
    # email_open: at most 3 per 30-day period; periods run from 2000-01-03, so one ends at
    # 2025-01-21 00:00. Opens on days 0-3 (Jan 1-4): three count, the fourth does not; day 19
    # (Jan 20) is still in that period; day 20 (Jan 21, 10:00) starts a new one and counts.
    days = [0, 1, 2, 3, 19, 20]
    events = [ev(f"E{i}", "email_open", at(day)) for i, day in enumerate(days, start=1)]
    counted = [o.is_counted for o in occurrences_of(RULES.behavior_rules_of("default"), events)]
    assert counted == [True, True, True, False, False, True]
    # Worth at day 20 (half-life 30): three opens of days 0-2 decayed plus the new one.
    score = score_lead(RULES, "default", NO_FIT, events, at(20))
    expected = sum(2 * 0.5 ** ((20 - d) / 30) for d in (0, 1, 2)) + 2.0
    assert score.engagement_score == pytest.approx(expected, abs=1e-12)
    assert score.occurrence_counts == {"eng_email_open": (6, 4)}


def test_a_steady_engager_earns_the_cap_in_every_period():
    # An email open every day for 13 months under "3 per 30 days": 3 count in every 30-day
    # period (never 4), so at least 13 * 3 = 39 count.
    events = [ev(f"E{day:03d}", "email_open", at(day)) for day in range(395)]
    occurrences = occurrences_of(RULES.behavior_rules_of("default"), events)
    rule = RULES.behavior_rules_of("default")[0]
    assert rule.rule_id == "eng_email_open"
    per_period = Counter(cap_period(rule, o.occurred_at) for o in occurrences if o.is_counted)
    assert sum(per_period.values()) >= 39
    assert set(per_period.values()) == {3}
    periods = {cap_period(rule, o.occurred_at) for o in occurrences}
    assert set(per_period) == periods  # every period the lead was active in earned points


def test_a_score_group_is_capped_at_its_maximum_and_shows_an_adjustment():
    # email group (opens and clicks) at most 20 points. Five clicks (4 each, cap 5 per period)
    # and three opens (2 each) at one moment: 26 earned, 20 kept, an adjustment of -6.
    events = [ev(f"C{i}", "email_click", at(0)) for i in range(5)]
    events += [ev(f"O{i}", "email_open", at(0)) for i in range(3)]
    score = score_lead(RULES, "default", GOOD_FIT, events, at(0))
    assert score.engagement_score == pytest.approx(20.0)
    assert score.components["eng_email_click"] == pytest.approx(20.0)
    assert score.components["eng_email_open"] == pytest.approx(6.0)
    assert score.components["group_cap:email"] == pytest.approx(-6.0)
    assert score.history[-1].raw_score == pytest.approx(60.0)
    assert_components_add_up(score)
    # Ten days later both decay (half-life 30) to 26 * 0.5^(1/3) = 20.6: still capped at 20.
    later = score_lead(RULES, "default", GOOD_FIT, events, at(10))
    assert later.engagement_score == pytest.approx(20.0)
    # After 30 days they are worth 13: under the cap, no adjustment.
    month = score_lead(RULES, "default", GOOD_FIT, events, at(30))
    assert month.engagement_score == pytest.approx(13.0)
    assert "group_cap:email" not in month.components


def test_linear_decay_falls_to_zero():
    # intent: webinar_registered 3 points falling linearly to 0 over 60 days.
    events = [ev("E1", "webinar_registered", at(0))]
    assert score_lead(RULES, "intent", NO_FIT, events, at(15)).engagement_score == pytest.approx(
        2.25
    )
    assert score_lead(RULES, "intent", NO_FIT, events, at(30)).engagement_score == pytest.approx(
        1.5
    )
    assert score_lead(RULES, "intent", NO_FIT, events, at(60)).engagement_score == 0.0
    assert score_lead(RULES, "intent", NO_FIT, events, at(60, -1)).engagement_score > 0.0


def test_a_recycle_resets_behaviour_but_keeps_fit():
    # Webinar (12, half-life 60) on day 0, recycled on day 5, a page view (1) on day 6: the new
    # cycle starts from fit 40 + 1; the webinar no longer counts. With on_recycle=keep it does.
    events = [ev("E1", "webinar_attended", at(0)), ev("E2", "page_view", at(6))]
    changes = [StatusChange(at(5), "recycled")]
    score = score_lead(RULES, "default", GOOD_FIT, events, at(6), changes)
    assert score.history[-1].raw_score == pytest.approx(41.0)
    assert score.behavior_reset_at == at(5)
    assert score.components["eng_webinar_attended"] == 0.0
    assert score.occurrence_counts["eng_webinar_attended"] == (1, 0)
    assert_components_add_up(score)
    keep = dataclasses.replace(RULES.model("default"), on_recycle="keep")
    kept_rules = dataclasses.replace(RULES, models={**RULES.models, "default": keep})
    kept = score_lead(kept_rules, "default", GOOD_FIT, events, at(6), changes)
    assert kept.history[-1].raw_score == pytest.approx(41.0 + 12 * 0.5 ** (6 / 60))
    # A rejection resets only when the model says so.
    rejected = [StatusChange(at(5), "sales_rejected")]
    assert score_lead(RULES, "default", GOOD_FIT, events, at(6), rejected).behavior_reset_at is None
    on_reject = dataclasses.replace(RULES.model("default"), reset_on_rejection=True)
    reject_rules = dataclasses.replace(RULES, models={**RULES.models, "default": on_reject})
    assert score_lead(
        reject_rules, "default", GOOD_FIT, events, at(6), rejected
    ).behavior_reset_at == at(5)


def test_an_event_at_the_recycle_moment_belongs_to_the_old_cycle():
    events = [ev("E1", "pricing_page_view", at(5)), ev("E2", "page_view", at(6))]
    score = score_lead(RULES, "default", GOOD_FIT, events, at(6), [StatusChange(at(5), "recycled")])
    assert score.history[0].behavior_reset_at is None
    assert score.history[1].raw_score == pytest.approx(41.0)


def test_an_unsubscribed_lead_is_suppressed_until_a_form_submit():
    # Unsubscribe (-20 for a year) on day 0; three pricing views (10) and a webinar (12) on day 1:
    # 40 - 20 + 30 + 12 = 62, above 60, but suppressed. A form on day 2 lifts it: MQL there.
    events = [ev("E1", "unsubscribe", at(0))]
    events += [ev(f"E2{i}", "pricing_page_view", at(1)) for i in range(3)]
    events += [ev("E3", "webinar_attended", at(1)), ev("E4", "form_submit", at(2))]
    score = score_lead(RULES, "default", GOOD_FIT, events, at(3))
    by_event = {row.event_id: row for row in score.history}
    assert by_event["E3"].raw_score == pytest.approx(62.0)
    assert by_event["E3"].is_suppressed and not by_event["E3"].is_mql_eligible
    assert not by_event["E4"].is_suppressed and by_event["E4"].mql_trigger == "threshold"
    assert score.marketing_qualified_at == at(2)
    assert not score.is_suppressed
    # Without the form the lead stays suppressed, with its reason.
    held = score_lead(RULES, "default", GOOD_FIT, events[:-1], at(3))
    assert held.marketing_qualified_at is None
    assert (held.is_suppressed, held.suppressed_reason) == (True, "unsubscribe")


def test_a_demo_request_lifts_suppression_and_fast_tracks():
    events = [ev("E1", "email_bounce", at(0)), ev("E2", "demo_request", at(1))]
    score = score_lead(RULES, "default", NO_FIT, events, at(1))
    assert score.mql_trigger == "fast_track"


def test_the_recency_gate():
    model = dataclasses.replace(RULES.model("default"), requires_activity_within_days=30)
    assert is_recent(model, at(0), at(30))
    assert not is_recent(model, at(0), at(30, 1))
    assert not is_recent(model, None, at(0))
    assert is_recent(RULES.model("default"), None, at(0))
    snapshot = Snapshot(fit_score=40, engagement_score=30, intent_score=0, negative_score=0)
    assert mql_trigger(model, snapshot, "page_view", frozenset(), False) == "threshold"
    assert (
        mql_trigger(model, snapshot, "page_view", frozenset(), False, is_recent_enough=False)
        is None
    )


def test_not_repeatable_rules_count_once() -> None:
    # email_bounce -15, not repeatable and no decay: two bounces are still -15.
    events = [ev("E1", "email_bounce", at(0)), ev("E2", "email_bounce", at(10))]
    score = score_lead(RULES, "default", NO_FIT, events, at(20))
    assert score.negative_score == -15
    assert len(score.history) == 2  # both are scoring events: they match a rule


# --- decay ------------------------------------------------------------------------------------


def test_decay_keeps_a_lead_below_the_threshold() -> None:
    # fit 40; webinar_attended 12 on day 0 (half-life 60); content_download 8 on day 60.
    # Without decay: 40 + 12 + 8 = 60 (an MQL). At day 60: 12 * 0.5^(60/60) = 6 -> 54.
    events = [ev("E1", "webinar_attended", at(0)), ev("E2", "content_download", at(60))]
    score = score_lead(RULES, "default", GOOD_FIT, events, at(60))
    assert [row.lead_score for row in score.history] == [52, 54]
    assert score.lead_score == 54
    assert score.marketing_qualified_at is None


def test_lifespan_expires_at_exactly_the_lifespan() -> None:
    # webinar_registered 5, lifespan 90 days, no half-life: worth 5 until age 90, then 0.
    events = [ev("E1", "webinar_registered", at(0))]
    just_before = score_lead(RULES, "default", NO_FIT, events, at(90, seconds=-1))
    assert just_before.engagement_score == 5
    expired = score_lead(RULES, "default", NO_FIT, events, at(90))
    assert expired.engagement_score == 0
    # The rule still had an occurrence: it is listed, with contribution 0.
    assert expired.components == {"eng_webinar_registered": 0}


def test_negative_points_push_the_raw_score_below_zero() -> None:
    # Title "Consultant" -> persona consultant -10; gmail.com -> free_mail -10: fit -20.
    # email_bounce -15 (forever), unsubscribe -20 (until age 365): raw -20 - 15 - 20 = -55.
    lead = LeadProfile(lead_id="L", job_title="Consultant", email_domain="gmail.com")
    events = [ev("E1", "email_bounce", at(0)), ev("E2", "unsubscribe", at(0))]
    score = score_lead(RULES, "default", lead, events, at(100))
    assert score.fit_score == -20
    assert score.negative_score == -35
    assert score.raw_score == -55
    assert score.lead_score == 0  # clamped once, on the total
    assert score.components == {
        "fit_persona_consultant": -10,
        "fit_email_free": -10,
        "neg_email_bounce": -15,
        "neg_unsubscribe": -20,
    }
    assert_components_add_up(score)
    # A year later the unsubscribe has expired: -20 - 15 = -35, still clamped to 0.
    later = score_lead(RULES, "default", lead, events, at(365))
    assert later.raw_score == -35
    assert later.lead_score == 0


def test_scores_above_100_clamp_to_100() -> None:
    # fit 40 + demo 30 + contact_sales 30 + webinar_attended 12 = 112 -> 100.
    events = [
        ev("E1", "demo_request", at(0)),
        ev("E2", "contact_sales", at(0)),
        ev("E3", "webinar_attended", at(0)),
    ]
    score = score_lead(RULES, "default", GOOD_FIT, events, at(0))
    assert (score.raw_score, score.lead_score) == (112, 100)
    assert_components_add_up(score)


# --- fast track -------------------------------------------------------------------------------


def test_fast_track_with_a_disqualifying_fit_does_not_qualify() -> None:
    # "Student" -> persona student -30, disqualifying. A demo request is fast-track, but a
    # fit-disqualified lead never qualifies; its fit letter is D (intent 30 -> digit 2).
    lead = LeadProfile(lead_id="L", job_title="Student")
    score = score_lead(RULES, "default", lead, [ev("E1", "demo_request", at(0))], at(0))
    assert score.is_fit_disqualified
    assert score.marketing_qualified_at is None
    assert score.history[0].is_mql_eligible is False
    assert score.lead_grade == "D2"


def test_fast_track_with_ordinary_fit_qualifies_at_the_demo() -> None:
    # fit 0; page_view +1 on day 0; demo_request +30 on day 5 -> 0.78 + 30 < 60, but the demo
    # is a fast-track type: MQL at the demo's own timestamp, trigger fast_track.
    events = [ev("E1", "page_view", at(0)), ev("E2", "demo_request", at(5, seconds=3600))]
    score = score_lead(RULES, "default", NO_FIT, events, at(40))
    assert score.marketing_qualified_at == at(5, seconds=3600)
    assert score.mql_trigger == "fast_track"
    assert score.mql_trigger_event_id == "E2"
    assert [row.is_mql_eligible for row in score.history] == [False, True]


def test_threshold_wins_over_fast_track() -> None:
    # fit 40 + demo 30 = 70 >= 60 on a fast-track event: the trigger is threshold.
    score = score_lead(RULES, "default", GOOD_FIT, [ev("E1", "demo_request", at(0))], at(0))
    assert score.mql_trigger == "threshold"


# --- order and ties ---------------------------------------------------------------------------


def test_ties_at_the_same_timestamp_are_ordered_by_event_id_as_text() -> None:
    # Same instant; text order puts "E10" before "E9".
    # After E10 (content_download +8): 40 + 8 = 48. After E9 (webinar_attended +12): 60.
    events = [ev("E9", "webinar_attended", at(0)), ev("E10", "content_download", at(0))]
    score = score_lead(RULES, "default", GOOD_FIT, events, at(0))
    assert [(row.event_id, row.lead_score) for row in score.history] == [("E10", 48), ("E9", 60)]
    assert score.mql_trigger_event_id == "E9"


# --- properties -------------------------------------------------------------------------------


def test_buying_timeline_counts_once_and_the_form_still_earns_engagement() -> None:
    # Two "0-3 months" submits a day apart: form_submit 10 each (half-life 45, evaluated
    # at day 1: 10 * 0.5^(1/45) + 10), "0-3 months" +25 only once, never decaying.
    properties = json.dumps({"buying_timeline": "0-3 months", "source": "pricing"})
    events = [
        ev("E1", "form_submit", at(0), properties),
        ev("E2", "form_submit", at(1), properties),
    ]
    score = score_lead(RULES, "default", NO_FIT, events, at(1))
    assert score.intent_score == 25
    assert score.engagement_score == pytest.approx(10 * 0.5 ** (1 / 45) + 10, abs=1e-12)
    assert score.components["int_timeline_0_3"] == 25
    assert_components_add_up(score)


@pytest.mark.parametrize(
    "properties",
    [
        '{"buying_timeline": "0-3 months"',  # unterminated object: invalid JSON
        "buying_timeline=0-3 months",  # not JSON at all
        '{"buying_timeline": NaN}',  # not JSON either (Python would accept it)
        '{"buying_timeline": "0-3 Months"}',  # valid, but not exactly the value
        '["buying_timeline", "0-3 months"]',  # valid, but no such key
        "{}",
        None,
    ],
)
def test_properties_that_do_not_hold_the_value_match_no_property_rule(properties) -> None:
    # Only eng_form_submit matches: 10 at age 0.
    score = score_lead(
        RULES, "default", NO_FIT, [ev("E1", "form_submit", at(0), properties)], at(0)
    )
    assert score.components == {"eng_form_submit": 10}


# --- the as-of cutoff -------------------------------------------------------------------------


def test_events_after_as_of_are_ignored() -> None:
    # Only the demo at day 0 counts at day 5: 30 * 0.5^(5/90). The second demo at day 6 is
    # invisible; an event exactly at as_of is visible.
    events = [
        ev("E1", "demo_request", at(0)),
        ev("E2", "email_open", at(5)),
        ev("E3", "demo_request", at(6)),
    ]
    score = score_lead(RULES, "default", NO_FIT, events, at(5))
    assert [row.event_id for row in score.history] == ["E1", "E2"]
    assert score.intent_score == pytest.approx(30 * 0.5 ** (5 / 90), abs=1e-12)
    assert score.engagement_score == 2
    assert score.scored_as_of == at(5)


# --- merged leads -----------------------------------------------------------------------------


def test_merge_chains_are_followed_to_the_end() -> None:
    survivors = resolve_survivors({"A": "B", "B": "C", "C": None, "D": None})
    assert survivors == {"A": "C", "B": "C", "C": "C", "D": "D"}
    with pytest.raises(ValueError, match="loops"):
        resolve_survivors({"A": "B", "B": "A"})


def test_events_of_merged_leads_count_for_the_survivor_with_its_own_fit() -> None:
    # L2 -> L3 -> L1. L1 has GOOD_FIT (40); L2's gmail address and L3's title do not matter.
    # L2's webinar_attended +12 and L3's content_download +8 count for L1: 60, an MQL.
    # L4 was created after as_of and is not scored.
    leads = [
        LeadRecord(GOOD_FIT, created_at=at(0)),
        LeadRecord(LeadProfile("L2", email_domain="gmail.com"), at(0), merged_into_lead_id="L3"),
        LeadRecord(LeadProfile("L3", job_title="Student"), at(0), merged_into_lead_id="L1"),
        LeadRecord(LeadProfile("L4"), created_at=at(3)),
    ]
    events = [
        Event("E1", "webinar_attended", at(1), lead_id="L2"),
        Event("E2", "content_download", at(1), lead_id="L3"),
    ]
    scores = score_population(RULES, "default", leads, events, at(1))
    assert set(scores) == {"L1"}
    assert scores["L1"].lead_score == 60
    assert scores["L1"].mql_trigger_event_id == "E2"
    assert not scores["L1"].is_fit_disqualified


def test_the_intent_model_uses_its_own_rules() -> None:
    # Model intent: chat_conversation 15 is a fast-track type there (not in default).
    events = [ev("E1", "chat_conversation", at(0))]
    intent = score_lead(RULES, "intent", NO_FIT, events, at(0))
    default = score_lead(RULES, "default", NO_FIT, events, at(0))
    assert (intent.intent_score, intent.mql_trigger) == (15, "fast_track")
    assert (default.intent_score, default.mql_trigger) == (8, None)


def test_fit_alone_never_makes_an_mql():
    # Threshold lowered to 40 so that fit 40 alone reaches it: a page view (1) gives 41, but the
    # behaviour part (1) is below min_behavior_score 15; two pricing views (20) make it.
    model = dataclasses.replace(RULES.model("default"), mql_threshold=40.0)
    rules = dataclasses.replace(RULES, models={**RULES.models, "default": model})
    assert model.min_behavior_score == 15.0
    events = [ev("E1", "page_view", at(0)), ev("E2", "pricing_page_view", at(1))]
    events.append(ev("E3", "pricing_page_view", at(1, 1)))
    score = score_lead(rules, "default", GOOD_FIT, events, at(2))
    assert [row.is_mql_eligible for row in score.history] == [False, False, True]
    assert score.marketing_qualified_at == at(1, 1)
