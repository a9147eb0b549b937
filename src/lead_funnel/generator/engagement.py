"""What the leads do before and beside sales: marketing engagement events and product usage.

Engagement is the scoring model's input, so it is simulated before the hand-offs: volume and
the share of buying-burst ("hot") events follow a lead's latent intent, the event mix its
persona, and forms, pages and campaigns are attached the way the raw feed carries them.
Free-trial leads also use the product, activating and upgrading with fit and intent.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from lead_funnel.generator import vocab as V
from lead_funnel.generator.encode import DAY, campaign_ids, ids, take, ts_strings
from lead_funnel.generator.population import JOB_SEEKER, Leads
from lead_funnel.generator.profiles import Profile
from lead_funnel.generator.state import Run

# Engagement mixes: probabilities per event type for a lead's ordinary ("cold") events and
# for the events of its buying burst ("hot"); poor-fit personas have their own hot mix.
_COLD = {
    "email_open": 0.46,
    "email_click": 0.09,
    "page_view": 0.32,
    "pricing_page_view": 0.01,
    "content_download": 0.035,
    "webinar_registered": 0.03,
    "webinar_attended": 0.01,
    "form_submit": 0.015,
    "careers_page_view": 0.006,
    "unsubscribe": 0.004,
    "email_bounce": 0.005,
    "chat_conversation": 0.003,
    "demo_request": 0.0004,
    "contact_sales": 0.0004,
}
_JOB_SEEKER = {
    "careers_page_view": 0.35,
    "page_view": 0.35,
    "email_open": 0.20,
    "email_click": 0.04,
    "content_download": 0.02,
    "unsubscribe": 0.02,
    "email_bounce": 0.02,
}
_HOT = {
    "pricing_page_view": 0.24,
    "page_view": 0.22,
    "webinar_attended": 0.08,
    "form_submit": 0.10,
    "demo_request": 0.045,
    "contact_sales": 0.03,
    "chat_conversation": 0.08,
    "content_download": 0.08,
    "email_click": 0.08,
    "webinar_registered": 0.045,
}
_HOT_LOW_FIT = {
    "pricing_page_view": 0.12,
    "page_view": 0.25,
    "webinar_attended": 0.14,
    "form_submit": 0.10,
    "demo_request": 0.006,
    "contact_sales": 0.004,
    "chat_conversation": 0.08,
    "content_download": 0.16,
    "email_click": 0.08,
    "webinar_registered": 0.06,
}
_COLD_CONTENT = frozenset(
    {
        "pricing_page_view",
        "content_download",
        "webinar_registered",
        "webinar_attended",
        "form_submit",
        "chat_conversation",
    }
)
# Event types whose page is always the same one.
_FIXED_PAGES = {
    "pricing_page_view": "/pricing",
    "careers_page_view": "/careers",
    "demo_request": "/demo",
    "contact_sales": "/contact-sales",
    "form_submit": "/contact",
    "unsubscribe": "/email-preferences",
}


def _cold_mix(P: Profile) -> dict[str, float]:
    """The ordinary-engagement mix with the profile's weight on mid-funnel content."""
    return {k: w * (P.cold_content_scale if k in _COLD_CONTENT else 1.0) for k, w in _COLD.items()}


def _hot_low_fit_mix(P: Profile) -> dict[str, float]:
    """The buying-burst mix of poor-fit personas with the profile's weight on sales requests."""
    return {
        k: w * (P.low_fit_request_scale if k in ("demo_request", "contact_sales") else 1.0)
        for k, w in _HOT_LOW_FIT.items()
    }


def _mix(weights: dict[str, float]) -> np.ndarray:
    """Event-type weights -> probabilities in the seed's event-type order."""
    types = V.engagement_event_types()
    unknown = set(weights) - set(types)
    if unknown:
        raise ValueError(f"event types not in the seed: {sorted(unknown)}")
    p = np.array([weights.get(t, 0.0) for t in types], dtype=float)
    return p / p.sum()


@dataclass
class Events:
    """The clean engagement events of a chunk, sorted by (lead, occurred_at).

    `lead` indexes the chunk's leads; `etype`, `url` and `props_idx` index the event types,
    `url_vocab` and `props_vocab` (-1 = null); `campaign` is a campaign number or -1.
    """

    lead: np.ndarray
    occurred: np.ndarray
    etype: np.ndarray
    props_idx: np.ndarray
    props_vocab: list[str]
    url: np.ndarray
    url_vocab: list[str]
    campaign: np.ndarray
    loaded: np.ndarray

    @property
    def size(self) -> int:
        """Number of events."""
        return int(self.lead.size)


def simulate_events(run: Run, rng: np.random.Generator, leads: Leads) -> Events:
    """The clean engagement events of the chunk's leads, with their pages, forms and campaigns."""
    P = run.profile
    ev_lead, occurred, hot = _event_times(P, rng, leads, run.end)
    etype = _event_types(P, rng, leads, ev_lead, hot)
    order = np.lexsort((occurred, ev_lead))
    ev_lead, occurred, etype = ev_lead[order], occurred[order], etype[order]
    total = ev_lead.size
    props_idx, props_vocab = _form_properties(rng, etype, leads.intent[ev_lead])
    url, url_vocab = _page_urls(rng, etype)
    campaign = _event_campaigns(run, rng, etype, leads.campaign[ev_lead])
    loaded = occurred + np.maximum(5, rng.lognormal(math.log(180), 0.8, total)).astype(np.int64)
    return Events(
        lead=ev_lead,
        occurred=occurred,
        etype=etype,
        props_idx=props_idx,
        props_vocab=props_vocab,
        url=url,
        url_vocab=url_vocab,
        campaign=campaign,
        loaded=loaded,
    )


def _event_times(
    P: Profile, rng: np.random.Generator, leads: Leads, end: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lead index, occurred_at, is in the buying burst) per event, grouped by lead.

    A lead's volume grows with intent (gamma-Poisson, so a long tail); its ordinary events
    spread over its activity span, its burst events cluster around one moment of it.
    """
    n = leads.size
    persona, intent, created = leads.persona, leads.intent, leads.created
    window = end - created
    span = np.minimum(
        window, np.maximum(DAY, rng.lognormal(math.log(P.activity_span_days * DAY), 0.7, n))
    )
    volume = P.events_base + P.events_intent_slope * intent**1.5
    volume = np.where(persona == JOB_SEEKER, 0.6 * volume, volume)
    volume = np.where(leads.outbound, 0.3 * volume, volume)
    lam = volume * rng.gamma(P.events_dispersion, 1.0 / P.events_dispersion, n)
    n_ev = rng.poisson(lam)
    hot_share = P.hot_share_scale * intent**P.hot_share_power
    hot_share = np.where(leads.low_fit_persona, hot_share + P.low_fit_hot_share, hot_share)
    hot_share = np.where(persona == JOB_SEEKER, 0.0, np.clip(hot_share, 0, 0.7))
    n_hot = rng.binomial(n_ev, hot_share)
    total = int(n_ev.sum())
    ev_lead = np.repeat(np.arange(n), n_ev)
    first_pos = np.concatenate([[0], np.cumsum(n_ev)[:-1]])
    pos = np.arange(total) - np.repeat(first_pos, n_ev)
    hot = pos < np.repeat(n_hot, n_ev)
    burst_center = span * (0.15 + 0.85 * rng.random(n))
    offset = np.where(
        hot,
        burst_center[ev_lead] + np.abs(rng.normal(0, 4 * DAY, total)),
        span[ev_lead] * rng.random(total) ** 1.4,
    )
    offset = np.clip(offset, 60, window[ev_lead]).astype(np.int64)
    return ev_lead, created[ev_lead] + offset, hot


def _event_types(
    P: Profile, rng: np.random.Generator, leads: Leads, ev_lead: np.ndarray, hot: np.ndarray
) -> np.ndarray:
    """Event type index per event, from the mix of its lead's persona and burst state."""
    etype = np.empty(ev_lead.size, dtype=np.int64)
    ev_persona = leads.persona[ev_lead]
    ev_low_fit = leads.low_fit_persona[ev_lead]
    groups = (
        (~hot & (ev_persona == JOB_SEEKER), _mix(_JOB_SEEKER)),
        (~hot & (ev_persona != JOB_SEEKER), _mix(_cold_mix(P))),
        (hot & ~ev_low_fit, _mix(_HOT)),
        (hot & ev_low_fit, _mix(_hot_low_fit_mix(P))),
    )
    for mask, p in groups:
        etype[mask] = rng.choice(p.size, int(mask.sum()), p=p)
    return etype


def _form_properties(
    rng: np.random.Generator, etype: np.ndarray, ev_intent: np.ndarray
) -> tuple[np.ndarray, list[str]]:
    """(properties index, properties vocabulary): every form names itself; half of the form
    submissions are contact forms stating a buying timeline, sooner with more intent."""
    total = etype.size
    t_index = {t: i for i, t in enumerate(V.engagement_event_types())}
    is_form = etype == t_index["form_submit"]
    has_timeline = is_form & (rng.random(total) < 0.5)
    r = 1.0 - ev_intent + rng.normal(0, 0.15, total)
    timeline = np.where(r < 0.35, 0, np.where(r < 0.6, 1, np.where(r < 0.85, 2, 3)))
    timeline = np.where(has_timeline, timeline, -1)
    form_name = np.where(has_timeline, 0, rng.integers(0, len(V.FORM_NAMES), total))
    props_vocab = ["{}"] + [json.dumps({"form_name": f}) for f in V.FORM_NAMES]
    for tl in V.BUYING_TIMELINES:
        props_vocab.append(json.dumps({"form_name": "contact_us", "buying_timeline": tl}))
    props_idx = np.where(
        has_timeline, 1 + len(V.FORM_NAMES) + timeline, np.where(is_form, 1 + form_name, 0)
    )
    return props_idx, props_vocab


def _page_urls(rng: np.random.Generator, etype: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """(page index or -1, page vocabulary): site pages, fixed pages, resources and webinars."""
    total = etype.size
    t_index = {t: i for i, t in enumerate(V.engagement_event_types())}
    url_vocab = [V.SITE + p for p in V.WEB_PAGES]
    fixed_idx = {}
    for kind, path in _FIXED_PAGES.items():
        fixed_idx[kind] = len(url_vocab)
        url_vocab.append(V.SITE + path)
    resources0 = len(url_vocab)
    url_vocab += [f"{V.SITE}/resources/{s}" for s in V.CONTENT_SLUGS]
    webinars0 = len(url_vocab)
    url_vocab += [f"{V.SITE}/webinars/{s}" for s in V.CONTENT_SLUGS]
    url = np.full(total, -1, dtype=np.int64)
    page_pick = rng.integers(0, len(V.WEB_PAGES), total)
    slug_pick = rng.integers(0, len(V.CONTENT_SLUGS), total)
    for kind in ("page_view", "chat_conversation"):
        m = etype == t_index[kind]
        url[m] = page_pick[m]
    for kind, idx in fixed_idx.items():
        url[etype == t_index[kind]] = idx
    m = etype == t_index["content_download"]
    url[m] = resources0 + slug_pick[m]
    m = etype == t_index["webinar_registered"]
    url[m] = webinars0 + slug_pick[m]
    return url, url_vocab


def _event_campaigns(
    run: Run, rng: np.random.Generator, etype: np.ndarray, lead_campaign: np.ndarray
) -> np.ndarray:
    """Campaign number or -1 per event: a quarter carry the lead's campaign, email and webinar
    events their own channel's campaigns, unsubscribes none."""
    types = V.engagement_event_types()
    t_index = {t: i for i, t in enumerate(types)}
    ev_campaign = np.where(rng.random(etype.size) < 0.25, lead_campaign, -1)
    for kind_prefix, channel in (("email_", "email"), ("webinar_", "webinar")):
        options = np.array(run.campaigns_by_channel[channel])
        m = np.isin(etype, [t_index[t] for t in types if t.startswith(kind_prefix)])
        ev_campaign[m] = options[rng.integers(0, options.size, int(m.sum()))]
    ev_campaign[etype == t_index["unsubscribe"]] = -1
    return ev_campaign


def event_columns(run: Run, events: Events, lead_num: np.ndarray) -> dict[str, pa.Array]:
    """The clean events as raw columns (without loaded_at), numbered from the run's counter.

    `lead_num` is the lead number written per event (a merged duplicate's for moved events).
    """
    ev_num = run.next_event + np.arange(events.size)
    run.next_event += events.size
    return {
        "event_id": ids("E", ev_num),
        "lead_id": ids("L", lead_num),
        "event_type": take(V.engagement_event_types(), events.etype),
        "occurred_at": ts_strings(events.occurred),
        "campaign_id": campaign_ids(events.campaign),
        "page_url": take(events.url_vocab, events.url),
        "properties": take(events.props_vocab, events.props_idx),
    }


# ---------------------------------------------------------------------------------------
# product usage
# ---------------------------------------------------------------------------------------
def write_product_usage(run: Run, rng: np.random.Generator, leads: Leads) -> None:
    """Free-trial sign-ups and what they do in the product; activation follows fit and intent."""
    idx = np.flatnonzero(leads.is_trial)
    m = idx.size
    if m == 0:
        return
    f, it = leads.fit[idx], leads.intent[idx]
    signup = leads.created[idx] + rng.integers(30, 900, m)
    window = np.maximum(3600, np.minimum(run.end - signup, 90 * DAY))
    activated = rng.random(m) < 1 / (1 + np.exp(-(-1.0 + 2.0 * f + 2.5 * it)))
    kinds = V.product_usage_event_types()
    k_of = {k: i for i, k in enumerate(kinds)}
    counts = np.zeros((m, len(kinds)), dtype=np.int64)
    counts[:, k_of["signup"]] = 1
    counts[:, k_of["key_action"]] = activated * rng.poisson(2 + 25 * it)
    counts[:, k_of["invite_teammate"]] = activated * rng.poisson(0.3 + 1.5 * f)
    counts[:, k_of["integration_connected"]] = activated * (rng.random(m) < 0.2 + 0.4 * f)
    counts[:, k_of["plan_limit_approached"]] = activated * (rng.random(m) < 0.1 + 0.5 * it)
    counts[:, k_of["pricing_viewed_in_app"]] = activated * rng.poisson(0.3 + 2.0 * it)
    upgraded = activated & (rng.random(m) < 1 / (1 + np.exp(-(-3.9 + 2.5 * f + 2.5 * it))))
    counts[:, k_of["plan_upgraded"]] = upgraded
    per_lead = counts.sum(axis=1)
    lead_rep = np.repeat(np.arange(m), per_lead)
    kind_rep = np.concatenate([np.repeat(np.arange(len(kinds)), row) for row in counts])
    frac = rng.random(lead_rep.size) ** 1.5
    frac[kind_rep == k_of["signup"]] = 0.0
    up = kind_rep == k_of["plan_upgraded"]
    frac[up] = 0.6 + 0.4 * frac[up]
    at = signup[lead_rep] + (frac * window[lead_rep]).astype(np.int64)
    at = np.minimum(at, run.end)
    order = np.lexsort((kind_rep, at, lead_rep))
    lead_rep, kind_rep, at = lead_rep[order], kind_rep[order], at[order]
    nums = run.next_usage + np.arange(at.size)
    run.next_usage += at.size
    trial_num = leads.num[idx]
    run.writers["product_usage_events"].write(
        {
            "event_id": ids("U", nums),
            "lead_id": ids("L", trial_num[lead_rep]),
            "event_type": take(kinds, kind_rep),
            "occurred_at": ts_strings(at),
        }
    )
    upgraded_at = np.full(m, -1, dtype=np.int64)
    is_up = kind_rep == k_of["plan_upgraded"]
    upgraded_at[lead_rep[is_up]] = at[is_up]
    _write_product_truth(run, trial_num, np.minimum(signup, run.end), activated, upgraded_at)


def _write_product_truth(
    run: Run,
    trial_num: np.ndarray,
    signed_up: np.ndarray,
    activated: np.ndarray,
    upgraded_at: np.ndarray,
) -> None:
    """Write ground_truth/product_usage_truth: per trial lead, sign-up, activation, upgrade."""
    if run.product_truth is None:
        return
    run.product_truth.write(
        {
            "lead_id": ids("L", trial_num),
            "signed_up_at": ts_strings(signed_up),
            "is_activated": ["true" if a else "false" for a in activated.tolist()],
            "upgraded_at": ts_strings(upgraded_at, mask=upgraded_at < 0),
        }
    )
