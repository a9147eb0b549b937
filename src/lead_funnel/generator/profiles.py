"""Population and behaviour parameters of each generator profile.

All tunable numbers of the simulation live in one dataclass so a recalibration touches one
place. Conversion rates are never set directly: they emerge from latent fit and intent, the
engagement they drive, the hand-off rules and the sales-response behaviour below.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Profile:
    """Knobs of one simulated go-to-market motion."""

    name: str
    description: str
    # --- population -------------------------------------------------------------------
    leads_per_account: float = 4.0
    free_mail_share: float = 0.15
    student_share: float = 0.03
    consultant_share: float = 0.04
    job_seeker_share: float = 0.04
    free_trial_share: float = 0.12
    sales_prospecting_share: float = 0.05
    # Latent buying intent ~ Beta(a, b), blended with fit by `intent_fit_link`.
    intent_alpha: float = 1.1
    intent_beta: float = 3.6
    intent_fit_link: float = 0.25
    # Extra intent given to poor-fit personas (junk: enthusiastic people who will never buy).
    low_fit_intent_boost: float = 0.0
    # --- engagement -------------------------------------------------------------------
    events_base: float = 24.0
    events_intent_slope: float = 125.0
    # Weight of mid-funnel content (pricing, downloads, webinars, forms, chat) in ordinary
    # engagement, relative to the base mix.
    cold_content_scale: float = 0.3
    events_dispersion: float = 0.9  # gamma shape of the per-lead volume (long tail)
    hot_share_scale: float = 0.35  # share of a lead's events in its buying burst at intent 1
    hot_share_power: float = 2.2
    low_fit_hot_share: float = 0.0  # burst share given to poor-fit personas regardless of intent
    low_fit_request_scale: float = 1.0  # weight of demo/sales requests in their bursts
    activity_span_days: float = 210.0
    # --- sales response ---------------------------------------------------------------
    n_reps: int = 30
    never_touched_share: float = 0.06
    fast_touch_share: float = 0.25  # touched within minutes
    hours_touch_share: float = 0.45  # touched within hours; the rest within days
    # Response quality q(d) = floor + (1 - floor) * exp(-d / tau) for a first touch d minutes
    # after the hand-off; conversion probabilities are multiplied by q ** exponent.
    response_floor: float = 0.2
    response_tau_minutes: float = 20.0
    accept_bias: float = 3.25
    accept_fit: float = 3.5
    accept_intent: float = 2.0
    accept_response_exp: float = 0.3
    qualify_bias: float = 0.0
    qualify_fit: float = 3.5
    qualify_intent: float = 3.0
    qualify_response_exp: float = 1.0
    opportunity_bias: float = -0.05
    opportunity_fit: float = 2.0
    opportunity_intent: float = 2.0
    opportunity_response_exp: float = 0.5
    win_bias: float = -1.55
    win_fit: float = 2.0
    win_intent: float = 1.5
    recycle_share: float = 0.55
    outbound_accept_bias: float = 1.0
    outbound_qualify_bias: float = -0.8


PROFILES: dict[str, Profile] = {}


def _register(profile: Profile) -> None:
    PROFILES[profile.name] = profile


_DEFAULT = Profile(
    name="default",
    description="A healthy funnel aimed at the documented benchmark ranges.",
)
_register(_DEFAULT)
_register(
    replace(
        _DEFAULT,
        name="junk",
        description="Marketing passes many highly engaged, poorly fitting leads to sales.",
        free_mail_share=0.30,
        student_share=0.12,
        consultant_share=0.12,
        job_seeker_share=0.08,
        intent_fit_link=0.0,
        low_fit_intent_boost=0.35,
        low_fit_hot_share=0.35,
        # ... who consume content and ask for demos they will never buy from.
        cold_content_scale=0.8,
        low_fit_request_scale=8.0,
        events_base=30.0,
        events_intent_slope=110.0,
        # The flood of hand-offs overloads the reps: slower and patchier first touches.
        fast_touch_share=0.15,
        hours_touch_share=0.40,
        never_touched_share=0.10,
        qualify_bias=-0.5,
    )
)
_register(
    replace(
        _DEFAULT,
        name="strict",
        description="Marketing sits on warm leads: few reach the hand-off, but those convert.",
        free_mail_share=0.10,
        student_share=0.02,
        consultant_share=0.02,
        job_seeker_share=0.03,
        intent_alpha=0.5,
        intent_fit_link=1.0,
        cold_content_scale=0.4,
        events_base=4.0,
        events_intent_slope=220.0,
        hot_share_power=4.0,
        # Few hand-offs leave the reps time: they answer fast and almost always.
        fast_touch_share=0.60,
        hours_touch_share=0.35,
        never_touched_share=0.02,
    )
)
