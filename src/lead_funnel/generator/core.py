"""The synthetic CRM: accounts, leads, engagement, hand-offs, sales response and outcomes.

Leads are simulated in chunks (accounts of the chunk first), each chunk from its own random
stream seeded by (seed, chunk index), and appended to open files, so memory stays bounded and
the output is byte-identical for the same seed and chunk size.
"""

from __future__ import annotations

import json
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from tqdm import tqdm

from lead_funnel.contract import raw_tables
from lead_funnel.generator import vocab as V
from lead_funnel.generator.cycles import Opportunity, StatusChange, Touch, derive_cycles
from lead_funnel.generator.handoff import HandoffScores, next_handoff
from lead_funnel.generator.profiles import PROFILES, Profile
from lead_funnel.generator.writers import TableWriter
from lead_funnel.scoring.reference import LeadProfile

DAY = 86400
# Zero-padded id widths: room for 1,000,000+ leads and tens of billions of events.
ID_WIDTHS = {
    "A": 7,  # accounts
    "L": 8,  # leads
    "E": 11,  # engagement events
    "S": 10,  # sales activities
    "C": 10,  # lead status changes
    "O": 8,  # opportunities
    "U": 10,  # product usage events
}
UNKNOWN_LEAD_BASE = 90_000_000  # lead ids from here on never exist in leads
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
TRUTH_LEAD_COLUMNS = (
    "lead_id",
    "survivor_lead_id",
    "account_id",
    "profile",
    "latent_fit",
    "latent_intent",
    "created_at",
    "is_merged_duplicate",
    "has_padded_email",
)
# One row per free-trial lead (ground_truth/product_usage_truth.csv): its sign-up, whether the
# simulation activated it, and its paid upgrade; written apart from mess.json's tallies.
TRUTH_PRODUCT_COLUMNS = ("lead_id", "signed_up_at", "is_activated", "upgraded_at")
TRUTH_CYCLE_COLUMNS = (
    "lead_id",
    "cycle_number",
    "is_inferred_mql",
    "marketing_qualified_at",
    "first_touched_at",
    "first_touch_rep_id",
    "sales_accepted_at",
    "sales_rejected_at",
    "rejection_reason",
    "recycled_at",
    "sales_qualified_at",
    "disqualified_at",
    "opportunity_id",
    "opportunity_created_at",
    "closed_won_at",
    "closed_lost_at",
    "is_contradictory",
)

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
BUYER, STUDENT, CONSULTANT, JOB_SEEKER = 0, 1, 2, 3


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
    types = V.engagement_event_types()
    unknown = set(weights) - set(types)
    if unknown:
        raise ValueError(f"event types not in the seed: {sorted(unknown)}")
    p = np.array([weights.get(t, 0.0) for t in types], dtype=float)
    return p / p.sum()


def _epoch(day: str) -> int:
    d = datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    return int(d.timestamp())


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def ts_strings(seconds: Any, mask: Any = None) -> pa.Array:
    """Epoch seconds -> 'YYYY-MM-DD HH:MM:SS' strings (None or a True mask entry -> null)."""
    if isinstance(seconds, list):
        arr = pa.array(seconds, type=pa.int64())
    else:
        arr = pa.array(np.asarray(seconds, dtype=np.int64), mask=mask)
    return arr.cast(pa.timestamp("s")).cast(pa.string())


def date_strings(seconds: np.ndarray) -> pa.Array:
    return (
        pa.array(np.asarray(seconds, dtype=np.int64) // DAY, type=pa.int32())
        .cast(pa.date32())
        .cast(pa.string())
    )


def ids(prefix: str, numbers: Any, mask: Any = None) -> pa.Array:
    """Prefixed zero-padded ids, e.g. ids('L', [1, 2]) -> L00000001, L00000002."""
    arr = pa.array(np.asarray(numbers, dtype=np.int64), mask=mask).cast(pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(arr, ID_WIDTHS[prefix], "0"), "")


def _take(vocabulary: Any, index: np.ndarray) -> pa.Array:
    """vocabulary[index] as an arrow string array; negative index -> null."""
    index = np.asarray(index, dtype=np.int64)
    return pc.take(pa.array(list(vocabulary), type=pa.string()), pa.array(index, mask=index < 0))


def _campaign_ids(numbers: np.ndarray) -> pa.Array:
    """Campaign numbers -> CMP001-style ids; negative -> null."""
    numbers = np.asarray(numbers, dtype=np.int64)
    arr = pa.array(numbers, mask=numbers < 0).cast(pa.string())
    return pc.binary_join_element_wise("CMP", pc.utf8_lpad(arr, 3, "0"), "")


@dataclass
class _Run:
    """State shared by the chunks of one run: parameters, counters, writers and tallies."""

    seed: int
    profile: Profile
    start: int
    end: int
    mess_rate: float
    n_leads: int
    writers: dict[str, TableWriter] = field(default_factory=dict)
    truth: dict[str, TableWriter] = field(default_factory=dict)
    product_truth: TableWriter | None = None
    next_account: int = 1
    next_lead: int = 1
    next_event: int = 1
    next_activity: int = 1
    next_change: int = 1
    next_opportunity: int = 1
    next_usage: int = 1
    next_unknown_lead: int = UNKNOWN_LEAD_BASE
    mess: dict[str, dict[str, int]] = field(default_factory=dict)
    contradictory: list[dict[str, str]] = field(default_factory=list)
    campaigns_by_channel: dict[str, list[int]] = field(default_factory=dict)
    total_accounts: int = 0

    def tally(self, table: str, kind: str, count: int) -> None:
        bucket = self.mess.setdefault(table, {})
        bucket[kind] = bucket.get(kind, 0) + int(count)


# ---------------------------------------------------------------------------------------
# campaigns and spend (small, written once)
# ---------------------------------------------------------------------------------------
def _write_campaigns_and_spend(run: _Run) -> None:
    rng = np.random.default_rng([run.seed, 1_000_003])
    names, channels = [], []
    windows: list[tuple[int, int]] = []
    n = 0
    for channel in V.CHANNELS:
        for k in range(V.CAMPAIGNS_PER_CHANNEL[channel]):
            n += 1
            theme = V.CAMPAIGN_THEMES[int(rng.integers(len(V.CAMPAIGN_THEMES)))]
            names.append(f"{channel.replace('_', ' ').title()} - {theme} {k + 1:02d}")
            channels.append(channel)
            run.campaigns_by_channel.setdefault(channel, []).append(n)
            span = run.end - run.start
            length = int(span * rng.uniform(0.25, 1.0))
            begin = run.start + int((span - length) * rng.random())
            windows.append((begin, begin + length))
    run.writers["campaigns"].write(
        {
            "campaign_id": [f"CMP{i:03d}" for i in range(1, n + 1)],
            "campaign_name": names,
            "channel": channels,
        }
    )
    days_all: list[np.ndarray] = []
    cmp_all: list[np.ndarray] = []
    amount_all: list[np.ndarray] = []
    for i, channel in enumerate(channels):
        if channel not in V.PAID_CHANNELS:
            continue
        begin, stop = windows[i]
        days = np.arange(begin // DAY, stop // DAY + 1, dtype=np.int64)
        if channel in ("events", "webinar"):
            days = days[::7]  # these are paid weekly
        budget = float(rng.lognormal(math.log(400.0), 0.6))
        amounts = np.round(budget * rng.lognormal(0.0, 0.3, days.size), 2)
        days_all.append(days)
        cmp_all.append(np.full(days.size, i + 1))
        amount_all.append(amounts)
    days = np.concatenate(days_all)
    cmp = np.concatenate(cmp_all)
    amounts = np.concatenate(amount_all)
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
    channel_arr = np.array(channels, dtype=object)[cmp - 1]
    run.writers["marketing_spend"].write(
        {
            "spend_date": date_strings(days * DAY),
            "channel": pa.array(channel_arr.tolist(), type=pa.string()),
            "campaign_id": [f"CMP{c:03d}" for c in cmp.tolist()],
            "amount": [f"{a:.2f}" for a in amounts.tolist()],
        }
    )
    run.tally("marketing_spend", "negative_amount", n_neg)


# ---------------------------------------------------------------------------------------
# one chunk
# ---------------------------------------------------------------------------------------
_BUYER_TITLES: list[str] = []
_BUYER_TIERS: list[int] = []
for _tier, _templates in enumerate(
    (V.EXECUTIVE_TITLES, V.DIRECTOR_TITLES, V.MANAGER_TITLES, V.CONTRIBUTOR_TITLES)
):
    for _template in _templates:
        for _dept in V.DEPARTMENTS if "{dept}" in _template else ("",):
            _BUYER_TITLES.append(_template.format(dept=_dept))
            _BUYER_TIERS.append(_tier)
_TIER_FIT = np.array([1.0, 0.85, 0.6, 0.3])
_TIER_P = np.array([0.08, 0.17, 0.35, 0.40])
_PERSONA_TITLE_FIT = {STUDENT: 0.0, CONSULTANT: 0.15, JOB_SEEKER: 0.2}


def _account_fit(employees: np.ndarray, industry: np.ndarray, country: np.ndarray) -> np.ndarray:
    emp = np.select(
        [
            (employees >= 200) & (employees < 5000),
            ((employees >= 50) & (employees < 200)) | (employees >= 5000),
            employees >= 10,
        ],
        [1.0, 0.7, 0.35],
        0.1,
    )
    target = np.array([i in V.TARGET_INDUSTRIES for i in V.INDUSTRIES])
    poor = np.array([i in V.POOR_FIT_INDUSTRIES for i in V.INDUSTRIES])
    ind = np.where(target[industry], 1.0, np.where(poor[industry], 0.1, 0.5))
    core = np.array([c in V.CORE_COUNTRIES for c in V.COUNTRIES])
    ctry = np.where(core[country], 1.0, 0.4)
    return 0.5 * emp + 0.3 * ind + 0.2 * ctry


def _simulate_chunk(run: _Run, chunk_index: int, n: int) -> None:
    P = run.profile
    rng = np.random.default_rng([run.seed, chunk_index])
    prng = random.Random(int(rng.integers(0, 2**62)))
    start, end = run.start, run.end
    last_created = end - 30 * DAY

    # ---- accounts ------------------------------------------------------------------
    n_acc = max(1, int(round(n / P.leads_per_account)))
    acc_num = run.next_account + np.arange(n_acc)
    run.next_account += n_acc
    industry = rng.choice(
        len(V.INDUSTRIES), n_acc, p=np.array(V.INDUSTRY_WEIGHTS) / sum(V.INDUSTRY_WEIGHTS)
    )
    employees = np.clip(np.round(rng.lognormal(math.log(150), 1.5, n_acc)), 1, 250_000).astype(
        np.int64
    )
    revenue = np.round(employees * rng.lognormal(math.log(180_000), 0.5, n_acc), -3)
    revenue_missing = rng.random(n_acc) < 0.12
    acc_country = rng.choice(
        len(V.COUNTRIES), n_acc, p=np.array(V.COUNTRY_WEIGHTS) / sum(V.COUNTRY_WEIGHTS)
    )
    prefix = rng.integers(0, len(V.COMPANY_PREFIXES), n_acc)
    suffix = rng.integers(0, len(V.COMPANY_SUFFIXES), n_acc)
    form = rng.integers(0, len(V.COMPANY_FORMS), n_acc)
    tld = rng.integers(0, len(V.DOMAIN_TLDS), n_acc)
    acc_names: list[str] = []
    acc_domains: list[str] = []
    for i in range(n_acc):
        stem = V.COMPANY_PREFIXES[prefix[i]] + V.COMPANY_SUFFIXES[suffix[i]]
        acc_names.append(f"{stem} {V.COMPANY_FORMS[form[i]]}")
        acc_domains.append(f"{stem.lower()}{int(acc_num[i])}.{V.DOMAIN_TLDS[tld[i]]}")
    is_competitor = np.zeros(n_acc, dtype=bool)
    if chunk_index == 0:
        k = min(len(V.COMPETITOR_DOMAINS), max(1, round(run.total_accounts * 0.002)), n_acc)
        for j, pos in enumerate(rng.choice(n_acc, k, replace=False).tolist()):
            is_competitor[pos] = True
            domain = V.COMPETITOR_DOMAINS[j]
            acc_domains[pos] = domain
            acc_names[pos] = domain.split(".")[0].title()
            industry[pos] = V.INDUSTRIES.index("software")
    acc_fit = _account_fit(employees, industry, acc_country)
    acc_fit[is_competitor] = 0.0

    # ---- leads ---------------------------------------------------------------------
    lead_num = run.next_lead + np.arange(n)
    run.next_lead += n
    u = rng.random(n)
    persona = np.full(n, BUYER)
    persona[u < P.student_share + P.consultant_share + P.job_seeker_share] = JOB_SEEKER
    persona[u < P.student_share + P.consultant_share] = CONSULTANT
    persona[u < P.student_share] = STUDENT
    free = rng.random(n) < P.free_mail_share
    free |= np.isin(persona, (STUDENT, CONSULTANT)) & (rng.random(n) < 0.6)
    weights = employees.astype(float) ** 0.35
    lead_acc = rng.choice(n_acc, n, p=weights / weights.sum())
    lead_acc[free] = -1
    at_competitor = (lead_acc >= 0) & is_competitor[np.maximum(lead_acc, 0)]

    tier = rng.choice(4, n, p=_TIER_P)
    tier_titles = [
        [t for t, tr in zip(_BUYER_TITLES, _BUYER_TIERS, strict=True) if tr == k] for k in range(4)
    ]
    title_pick = rng.integers(0, 1_000_000, n)
    titles: list[str] = []
    title_fit = np.empty(n)
    for i in range(n):
        p_i = persona[i]
        if p_i == BUYER:
            options = tier_titles[tier[i]]
            title_fit[i] = _TIER_FIT[tier[i]]
        else:
            options = {
                STUDENT: V.STUDENT_TITLES,
                CONSULTANT: V.CONSULTANT_TITLES,
                JOB_SEEKER: V.JOB_SEEKER_TITLES,
            }[p_i]
            title_fit[i] = _PERSONA_TITLE_FIT[p_i]
        titles.append(options[title_pick[i] % len(options)])

    acc_fit_of_lead = np.where(free, 0.2, acc_fit[np.maximum(lead_acc, 0)])
    fit = np.clip(0.6 * acc_fit_of_lead + 0.4 * title_fit + rng.normal(0, 0.05, n), 0, 1)
    fit[free] = np.clip(0.5 * fit[free], 0, 1)
    fit[at_competitor] = 0.0
    raw_intent = rng.beta(P.intent_alpha, P.intent_beta, n)
    intent = raw_intent ** (1.0 + P.intent_fit_link * (1.0 - 2.0 * fit))
    low_fit_persona = np.isin(persona, (STUDENT, CONSULTANT)) | (free & (fit < 0.3))
    intent = np.where(low_fit_persona, intent + P.low_fit_intent_boost * (1 - intent), intent)
    intent = np.where(persona == JOB_SEEKER, 0.3 * intent, intent)
    intent = np.clip(intent, 0, 1)

    src_weights = {
        "paid_search": 0.20,
        "paid_social": 0.12,
        "organic_search": 0.20,
        "email": 0.08,
        "webinar": 0.10,
        "events": 0.06,
        "content_syndication": 0.10,
        "referral": 0.06,
        "direct": 0.08,
    }
    n_src = len(V.CHANNELS)
    source = rng.choice(n_src, n, p=np.array([src_weights[c] for c in V.CHANNELS]) / 1.0)
    u = rng.random(n)
    source[u < P.free_trial_share] = n_src  # free_trial
    outbound = (
        (u >= P.free_trial_share)
        & (u < P.free_trial_share + P.sales_prospecting_share / 0.8)
        & ~free
        & (persona == BUYER)
    )
    source[outbound] = n_src + 1  # sales_prospecting
    lead_campaign = np.full(n, -1)
    for c, channel in enumerate(V.CHANNELS):
        options = run.campaigns_by_channel.get(channel, [])
        if channel in ("organic_search", "referral", "direct") or not options:
            continue
        sel = source == c
        lead_campaign[sel] = np.array(options)[rng.integers(0, len(options), int(sel.sum()))]

    day = rng.integers(0, max(1, (last_created - start) // DAY), n)
    sec = np.clip(rng.normal(15 * 3600, 3.5 * 3600, n), 0, DAY - 1).astype(np.int64)
    created = np.minimum(start + day * DAY + sec, last_created)
    updated = created + (rng.random(n) * 0.5 * (end - created)).astype(np.int64)
    lead_country = np.where(
        free,
        rng.choice(len(V.COUNTRIES), n, p=np.array(V.COUNTRY_WEIGHTS) / sum(V.COUNTRY_WEIGHTS)),
        acc_country[np.maximum(lead_acc, 0)],
    )
    first_idx = rng.integers(0, len(V.FIRST_NAMES), n)
    last_idx = rng.integers(0, len(V.LAST_NAMES), n)
    fm_domains = V.free_mail_domains()
    fm_idx = rng.integers(0, len(fm_domains), n)
    emails: list[str] = []
    seen_emails: set[str] = set()
    for i in range(n):
        local = f"{V.FIRST_NAMES[first_idx[i]]}.{V.LAST_NAMES[last_idx[i]]}"
        if free[i]:
            email = f"{local}{int(lead_num[i])}@{fm_domains[fm_idx[i]]}"
        else:
            email = f"{local}@{acc_domains[lead_acc[i]]}"
            if email in seen_emails:
                email = f"{local}{int(lead_num[i])}@{acc_domains[lead_acc[i]]}"
        seen_emails.add(email)
        emails.append(email)

    # ---- engagement events ----------------------------------------------------------
    window = end - created
    span = np.minimum(
        window, np.maximum(DAY, rng.lognormal(math.log(P.activity_span_days * DAY), 0.7, n))
    )
    volume = P.events_base + P.events_intent_slope * intent**1.5
    volume = np.where(persona == JOB_SEEKER, 0.6 * volume, volume)
    volume = np.where(outbound, 0.3 * volume, volume)
    lam = volume * rng.gamma(P.events_dispersion, 1.0 / P.events_dispersion, n)
    n_ev = rng.poisson(lam)
    hot_share = P.hot_share_scale * intent**P.hot_share_power
    hot_share = np.where(low_fit_persona, hot_share + P.low_fit_hot_share, hot_share)
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
    occurred = created[ev_lead] + offset
    etype = np.empty(total, dtype=np.int64)
    ev_persona = persona[ev_lead]
    ev_low_fit = low_fit_persona[ev_lead]
    groups = (
        (~hot & (ev_persona == JOB_SEEKER), _mix(_JOB_SEEKER)),
        (~hot & (ev_persona != JOB_SEEKER), _mix(_cold_mix(P))),
        (hot & ~ev_low_fit, _mix(_HOT)),
        (hot & ev_low_fit, _mix(_hot_low_fit_mix(P))),
    )
    for mask, p in groups:
        etype[mask] = rng.choice(p.size, int(mask.sum()), p=p)
    order = np.lexsort((occurred, ev_lead))
    ev_lead, occurred, etype = ev_lead[order], occurred[order], etype[order]
    ev_intent = intent[ev_lead]
    types = V.engagement_event_types()
    t_index = {t: i for i, t in enumerate(types)}
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
    # page urls
    url_vocab = [V.SITE + p for p in V.WEB_PAGES]
    fixed = {
        "pricing_page_view": "/pricing",
        "careers_page_view": "/careers",
        "demo_request": "/demo",
        "contact_sales": "/contact-sales",
        "form_submit": "/contact",
        "unsubscribe": "/email-preferences",
    }
    fixed_idx = {}
    for kind, path in fixed.items():
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
    # campaigns
    ev_campaign = np.where(rng.random(total) < 0.25, lead_campaign[ev_lead], -1)
    for kind_prefix, channel in (("email_", "email"), ("webinar_", "webinar")):
        options = np.array(run.campaigns_by_channel[channel])
        m = np.isin(etype, [t_index[t] for t in types if t.startswith(kind_prefix)])
        ev_campaign[m] = options[rng.integers(0, options.size, int(m.sum()))]
    ev_campaign[etype == t_index["unsubscribe"]] = -1
    loaded = occurred + np.maximum(5, rng.lognormal(math.log(180), 0.8, total)).astype(np.int64)

    # ---- hand-offs and the sales process (per lead) -------------------------------------
    # Hand-offs are the default scoring model's MQL moments, scored from what the files say.
    # Generated values are already as staging leaves them (trimmed; lower-case emails,
    # domains and industries; upper-case countries).
    country_codes = list(V.COUNTRIES)
    profiles = []
    for i in range(n):
        acc = int(lead_acc[i])
        if acc >= 0:
            profiles.append(
                LeadProfile(
                    lead_id="",
                    job_title=titles[i],
                    email_domain=emails[i].rsplit("@", 1)[1],
                    country=country_codes[lead_country[i]],
                    industry=V.INDUSTRIES[industry[acc]],
                    employee_count=float(employees[acc]),
                    annual_revenue=None if revenue_missing[acc] else float(revenue[acc]),
                    account_country=country_codes[acc_country[acc]],
                    account_domain=acc_domains[acc],
                )
            )
        else:
            profiles.append(
                LeadProfile(
                    lead_id="",
                    job_title=titles[i],
                    email_domain=emails[i].rsplit("@", 1)[1],
                    country=country_codes[lead_country[i]],
                )
            )
    scores = HandoffScores(ev_lead, occurred, etype, types, props_idx, props_vocab, profiles)
    outbound_at: dict[int, int] = {}
    for i in np.flatnonzero(outbound).tolist():
        at = int(created[i] + prng.lognormvariate(math.log(3 * DAY), 1.0))
        if at <= end:
            outbound_at[i] = at
    sim = _SalesSimulator(run, prng, lead_num, lead_acc, acc_num, employees, fit, intent, persona)
    sim.run_leads(scores, created.tolist(), outbound_at)
    sim.derive_all()

    # ---- mess on leads: merged duplicates and padded emails ------------------------------
    mr = run.mess_rate
    n_merge = int(rng.binomial(n, min(1.0, mr * MERGED_DUPLICATE_WEIGHT))) if mr > 0 else 0
    n_pad = int(rng.binomial(n, min(1.0, mr * PADDED_EMAIL_WEIGHT))) if mr > 0 else 0
    perm = rng.permutation(n)
    merged_src = np.sort(perm[:n_merge])
    padded = np.zeros(n, dtype=bool)
    padded[perm[n_merge : n_merge + n_pad]] = True
    dup_num = run.next_lead + np.arange(n_merge)
    run.next_lead += n_merge
    dup_created = created[merged_src] + (
        rng.random(n_merge) * np.maximum(0, last_created - created[merged_src]) * 0.5
    ).astype(np.int64)
    ev_lead_num = lead_num[ev_lead].copy()
    moved = 0
    if n_merge:
        dup_of_lead = np.full(n, -1, dtype=np.int64)
        dup_of_lead[merged_src] = np.arange(n_merge)
        d = dup_of_lead[ev_lead]
        cand = (d >= 0) & (occurred >= dup_created[np.maximum(d, 0)]) & (rng.random(total) < 0.5)
        ev_lead_num[cand] = dup_num[d[cand]]
        moved = int(cand.sum())
    run.tally("engagement_events", "events_moved_to_merged_duplicates", moved)
    run.tally("leads", "merged_duplicate", n_merge)
    run.tally("leads", "padded_email", n_pad)
    out_emails = list(emails)
    for i in np.flatnonzero(padded).tolist():
        out_emails[i] = "  " + _mixed_case(emails[i]) + " "
    dup_emails = [emails[i].upper() for i in merged_src.tolist()]

    # ---- contradictory opportunities -------------------------------------------------------
    eligible = sim.contradiction_candidates()
    n_contra = 0
    if mr > 0 and eligible:
        n_contra = int(rng.binomial(len(eligible), min(1.0, mr * CONTRADICTORY_WEIGHT)))
        if chunk_index == 0:
            n_contra = max(1, n_contra)
        n_contra = min(n_contra, len(eligible))
        for j in sorted(rng.choice(len(eligible), n_contra, replace=False).tolist()):
            sim.add_contradiction(*eligible[j])
    run.tally("opportunities", "contradictory_closed_won_before_first_touch", n_contra)

    # ---- write accounts and leads --------------------------------------------------------
    first_lead_created = np.full(n_acc, np.iinfo(np.int64).max)
    np.minimum.at(first_lead_created, lead_acc[~free], created[~free])
    acc_created = np.where(
        first_lead_created == np.iinfo(np.int64).max,
        start + (rng.random(n_acc) * (last_created - start)).astype(np.int64),
        first_lead_created - rng.integers(3600, 30 * DAY, n_acc),
    )
    acc_updated = acc_created + (rng.random(n_acc) * (end - acc_created) * 0.5).astype(np.int64)
    run.writers["accounts"].write(
        {
            "account_id": ids("A", acc_num),
            "account_name": acc_names,
            "domain": acc_domains,
            "industry": _take(V.INDUSTRIES, industry),
            "employee_count": pa.array(employees),
            "annual_revenue": pa.array(revenue.astype(np.int64), mask=revenue_missing),
            "country": _take(V.COUNTRIES, acc_country),
            "created_at": ts_strings(acc_created),
            "updated_at": ts_strings(acc_updated),
        }
    )
    all_src = list(V.LEAD_SOURCES)
    src_idx = np.concatenate([source, source[merged_src]])
    acct_ix = np.concatenate([lead_acc, lead_acc[merged_src]])
    acct_col = ids("A", acc_num[np.maximum(acct_ix, 0)], mask=acct_ix < 0)
    camp = np.concatenate([lead_campaign, lead_campaign[merged_src]])
    first_names = [V.FIRST_NAMES[k].title() for k in first_idx.tolist()]
    last_names = [V.LAST_NAMES[k].title() for k in last_idx.tolist()]
    ms = merged_src.tolist()
    all_created = np.concatenate([created, dup_created])
    all_updated = np.concatenate(
        [updated, dup_created + (rng.random(n_merge) * DAY).astype(np.int64)]
    )
    survivor_ids = ids("L", lead_num)
    run.writers["leads"].write(
        {
            "lead_id": ids("L", np.concatenate([lead_num, dup_num])),
            "account_id": acct_col,
            "email": out_emails + dup_emails,
            "first_name": first_names + [first_names[i] for i in ms],
            "last_name": last_names + [last_names[i] for i in ms],
            "job_title": titles + [titles[i] for i in ms],
            "country": _take(V.COUNTRIES, np.concatenate([lead_country, lead_country[merged_src]])),
            "lead_source": _take(all_src, src_idx),
            "campaign_id": _campaign_ids(camp),
            "created_at": ts_strings(all_created),
            "updated_at": ts_strings(all_updated),
            "merged_into_lead_id": pa.concat_arrays(
                [pa.nulls(n, pa.string()), survivor_ids.take(pa.array(merged_src))]
            ),
        }
    )
    n_all = n + n_merge
    run.truth["leads_truth"].write(
        {
            "lead_id": ids("L", np.concatenate([lead_num, dup_num])),
            "survivor_lead_id": ids("L", np.concatenate([lead_num, lead_num[merged_src]])),
            "account_id": acct_col,
            "profile": pa.array([P.name] * n_all, type=pa.string()),
            "latent_fit": [f"{x:.4f}" for x in np.concatenate([fit, fit[merged_src]]).tolist()],
            "latent_intent": [
                f"{x:.4f}" for x in np.concatenate([intent, intent[merged_src]]).tolist()
            ],
            "created_at": ts_strings(all_created),
            "is_merged_duplicate": ["false"] * n + ["true"] * n_merge,
            "has_padded_email": ["true" if p else "false" for p in padded.tolist()]
            + ["false"] * n_merge,
        }
    )

    # ---- engagement events (clean, then mess) -----------------------------------------------
    ev_num = run.next_event + np.arange(total)
    run.next_event += total
    _write_events(
        run,
        rng,
        ev_num=ev_num,
        ev_lead_num=ev_lead_num,
        etype=etype,
        occurred=occurred,
        campaign=ev_campaign,
        url=url,
        url_vocab=url_vocab,
        props_idx=props_idx,
        props_vocab=props_vocab,
        loaded=loaded,
    )

    sim.flush(chunk_index)
    _write_product_usage(run, rng, lead_num, created, fit, intent, source == n_src)


def _mixed_case(email: str) -> str:
    local, _, domain = email.partition("@")
    labels = domain.split(".")
    labels = [labels[0].title()] + [x.upper() for x in labels[1:]]
    return ".".join(p.title() for p in local.split(".")) + "@" + ".".join(labels)


def _write_events(
    run: _Run,
    rng: np.random.Generator,
    *,
    ev_num: np.ndarray,
    ev_lead_num: np.ndarray,
    etype: np.ndarray,
    occurred: np.ndarray,
    campaign: np.ndarray,
    url: np.ndarray,
    url_vocab: list[str],
    props_idx: np.ndarray,
    props_vocab: list[str],
    loaded: np.ndarray,
) -> None:
    total = ev_num.size
    mr = run.mess_rate
    counts = {
        k: (int(rng.binomial(total, min(1.0, mr * w))) if mr > 0 and total else 0)
        for k, w in EVENT_MESS_WEIGHTS.items()
    }
    # late arrivals: loaded 2-20 days after they occurred (kept downstream)
    late = rng.choice(total, counts["late_arriving"], replace=False) if total else []
    clean_loaded = loaded
    loaded = loaded.copy()
    loaded[late] = occurred[late] + rng.integers(2 * DAY, 20 * DAY + 1, len(late))

    types = V.engagement_event_types()
    occ_str = ts_strings(occurred)
    columns = {
        "event_id": ids("E", ev_num),
        "lead_id": ids("L", ev_lead_num),
        "event_type": _take(types, etype),
        "occurred_at": occ_str,
        "campaign_id": _campaign_ids(campaign),
        "page_url": _take(url_vocab, url),
        "properties": _take(props_vocab, props_idx),
    }
    parts: list[dict[str, pa.Array]] = [columns]
    loaded_parts: list[np.ndarray] = [loaded]

    def copy_rows(index: np.ndarray) -> dict[str, pa.Array]:
        taker = pa.array(np.asarray(index, dtype=np.int64))
        return {k: v.take(taker) for k, v in columns.items()}

    def fresh_ids(rows: dict[str, pa.Array], k: int) -> None:
        rows["event_id"] = ids("E", run.next_event + np.arange(k))
        run.next_event += k

    perm = rng.permutation(total) if total else np.zeros(0, dtype=np.int64)
    n_exact = counts["exact_duplicate"]
    exact = np.sort(perm[:n_exact])
    if n_exact:
        parts.append(copy_rows(exact))
        loaded_parts.append(loaded[exact])
    rest = perm[n_exact:]
    rest = rest[occurred[rest] <= run.end - 2 * 3600]
    conflict = np.sort(rest[: counts["conflicting_duplicate_id"]])
    counts["conflicting_duplicate_id"] = k = conflict.size
    if k:
        rows = copy_rows(conflict)
        shifted = occurred[conflict] + rng.integers(60, 7201, k)
        rows["occurred_at"] = ts_strings(shifted)
        other = (url[conflict] + 1 + rng.integers(0, len(url_vocab) - 1, k)) % len(url_vocab)
        rows["page_url"] = _take(url_vocab, other)
        rows["properties"] = pa.array(['{"delivery": "retry"}'] * k, type=pa.string())
        parts.append(rows)
        loaded_parts.append(shifted + rng.integers(5, 600, k))

    def single_defect(kind: str, mutate) -> None:
        k = counts[kind]
        if not k:
            return
        base = np.sort(rng.integers(0, total, k))
        rows = copy_rows(base)
        fresh_ids(rows, k)
        mutate(rows, base, k)
        parts.append(rows)
        loaded_parts.append(clean_loaded[base])

    def unknown_lead(rows, base, k):
        rows["lead_id"] = ids("L", run.next_unknown_lead + np.arange(k))
        run.next_unknown_lead += k

    def unknown_type(rows, base, k):
        rows["event_type"] = _take(
            V.UNKNOWN_EVENT_TYPES, rng.integers(0, len(V.UNKNOWN_EVENT_TYPES), k)
        )

    def unreadable(rows, base, k):
        rows["occurred_at"] = _take(
            V.UNREADABLE_TIMESTAMPS, rng.integers(0, len(V.UNREADABLE_TIMESTAMPS), k)
        )

    def future(rows, base, k):
        s = pc.utf8_replace_slice(rows["occurred_at"], 0, 4, "2099")
        rows["occurred_at"] = pc.replace_substring(s, "2099-02-29", "2099-02-28")

    single_defect("unknown_lead", unknown_lead)
    single_defect("unknown_event_type", unknown_type)
    single_defect("unreadable_timestamp", unreadable)
    single_defect("future_timestamp", future)

    loaded_all = np.concatenate(loaded_parts)
    order = pa.array(np.argsort(loaded_all, kind="stable"))
    out = {k: pa.concat_arrays([p[k] for p in parts]).take(order) for k in columns}
    out["loaded_at"] = ts_strings(loaded_all).take(order)
    run.writers["engagement_events"].write(out)
    for kind, k in counts.items():
        run.tally("engagement_events", kind, k)


def _write_product_usage(
    run: _Run,
    rng: np.random.Generator,
    lead_num: np.ndarray,
    created: np.ndarray,
    fit: np.ndarray,
    intent: np.ndarray,
    trial: np.ndarray,
) -> None:
    """Free-trial sign-ups and what they do in the product; activation follows fit and intent."""
    idx = np.flatnonzero(trial)
    m = idx.size
    if m == 0:
        return
    f, it = fit[idx], intent[idx]
    signup = created[idx] + rng.integers(30, 900, m)
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
    run.writers["product_usage_events"].write(
        {
            "event_id": ids("U", nums),
            "lead_id": ids("L", lead_num[idx][lead_rep]),
            "event_type": _take(kinds, kind_rep),
            "occurred_at": ts_strings(at),
        }
    )
    if run.product_truth is not None:
        upgraded_at = np.full(m, -1, dtype=np.int64)
        is_up = kind_rep == k_of["plan_upgraded"]
        upgraded_at[lead_rep[is_up]] = at[is_up]
        run.product_truth.write(
            {
                "lead_id": ids("L", lead_num[idx]),
                "signed_up_at": ts_strings(np.minimum(signup, run.end)),
                "is_activated": ["true" if a else "false" for a in activated.tolist()],
                "upgraded_at": ts_strings(upgraded_at, mask=upgraded_at < 0),
            }
        )


# ---------------------------------------------------------------------------------------
# sales process
# ---------------------------------------------------------------------------------------
class _SalesSimulator:
    """Turns each lead's hand-offs into sales touches, decisions and opportunities."""

    MAX_CYCLES = 4

    def __init__(
        self,
        run: _Run,
        prng: random.Random,
        lead_num: np.ndarray,
        lead_acc: np.ndarray,
        acc_num: np.ndarray,
        employees: np.ndarray,
        fit: np.ndarray,
        intent: np.ndarray,
        persona: np.ndarray,
    ) -> None:
        self.run = run
        self.P = run.profile
        self.prng = prng
        self.lead_num = lead_num
        self.lead_acc = lead_acc
        self.acc_num = acc_num
        self.employees = employees
        self.fit = fit.tolist()
        self.intent = intent.tolist()
        self.persona = persona.tolist()
        self.reps = [f"R{k:03d}" for k in range(1, self.P.n_reps + 1)]
        rep_rng = random.Random(run.seed * 7919 + 17)
        self.rep_load = [rep_rng.lognormvariate(0.0, 0.45) for _ in self.reps]
        self.rep_weight = [1.0 / x for x in self.rep_load]
        self.activities: list[tuple[int, str, str, int]] = []
        self.changes: list[tuple[int, str, str | None, int, str]] = []
        self.opps: list[tuple[int, int, int, str, float, int | None, str | None]] = []
        # per lead: real MQL candidates, sales-side records (for deriving the truth's cycles)
        self.candidates: dict[int, list[int]] = {}
        self.touches: dict[int, list[Touch]] = defaultdict(list)
        self.lead_changes: dict[int, list[StatusChange]] = defaultdict(list)
        self.lead_opps: dict[int, list[Opportunity]] = defaultdict(list)
        self.created: dict[int, int] = {}
        self.cycles: dict[int, list[dict[str, Any]]] = {}

    # -- helpers ------------------------------------------------------------------------
    def _rep(self) -> int:
        return self.prng.choices(range(len(self.reps)), weights=self.rep_weight)[0]

    def _quality(self, delay_minutes: float) -> float:
        P = self.P
        return P.response_floor + (1 - P.response_floor) * math.exp(
            -delay_minutes / P.response_tau_minutes
        )

    def _touch_delay_minutes(self, rep: int) -> float | None:
        P, r = self.P, self.prng
        u = r.random()
        if u < P.never_touched_share:
            return None
        u = (u - P.never_touched_share) / (1 - P.never_touched_share)
        if u < P.fast_touch_share:
            d = r.lognormvariate(math.log(3.0), 0.8)
        elif u < P.fast_touch_share + P.hours_touch_share:
            d = r.lognormvariate(math.log(150.0), 1.0)
        else:
            d = r.lognormvariate(math.log(36 * 60.0), 0.7)
        return max(0.5, d * self.rep_load[rep])

    def _reason(self, i: int, rejection: bool) -> str:
        r = self.prng.random()
        if self.persona[i] in (STUDENT, JOB_SEEKER):
            return "wrong_contact"
        if rejection and r < 0.03:
            return "duplicate"
        if self.fit[i] < 0.45:
            return "bad_fit" if r < 0.6 else "no_budget"
        if self.intent[i] < 0.3:
            return "not_ready" if r < 0.5 else "no_response"
        return ("no_budget", "not_ready", "no_response", "bad_fit")[int(r * 4)]

    def _activity(self, i: int, rep: int, at: int, kinds: tuple[str, ...]) -> None:
        kind = kinds[int(self.prng.random() * len(kinds))]
        self.activities.append((i, self.reps[rep], kind, at))
        self.touches[i].append(Touch(at, self.reps[rep]))

    def _change(self, i: int, status: str, reason: str | None, at: int, by: str) -> None:
        self.changes.append((i, status, reason, at, by))
        self.lead_changes[i].append(StatusChange(at, status, reason))

    # -- the leads of the chunk, cycle by cycle ---------------------------------------------
    def run_leads(
        self, scores: HandoffScores, created: list[int], outbound_at: dict[int, int]
    ) -> None:
        """Simulate every lead's cycles from its hand-offs, in rounds of one cycle per lead.

        Round k simulates the k-th cycle of every lead still in play (in lead order). A lead
        whose cycle reset its behaviour (a recycle) is re-scored, together with the other
        such leads, under all of its resets so far: that gives its next hand-off, the first
        eligible moment after the recycle, and its MQL candidates for the truth.

        A sales-sourced lead (`outbound_at`) is worked from that moment when it comes before
        its next hand-off; the warehouse infers a cycle from it only if sales qualify the lead
        (or open an opportunity) before marketing qualifies it.
        """
        candidates = scores.eligible_at()
        in_play = sorted(set(candidates) | set(outbound_at))
        after: dict[int, int | None] = {}
        resets: dict[int, list[int]] = {}
        for i in in_play:
            self.created[i] = created[i]
            self.candidates[i] = candidates.get(i, [])
            after[i] = None
        outbound = dict(outbound_at)
        for cycle_number in range(1, self.MAX_CYCLES + 1):
            next_round, rescore = [], []
            for i in in_play:
                moment = next_handoff(self.candidates[i], after[i])
                inferred = False
                at = outbound.get(i)
                if at is not None and (moment is None or at < moment):
                    if after[i] is None or at > after[i]:
                        moment, inferred = at, True
                    del outbound[i]
                if moment is None:
                    continue
                known = len(self.lead_changes[i])
                recycled = self._cycle(i, cycle_number, moment, inferred)
                new_resets = [
                    c.at for c in self.lead_changes[i][known:] if scores.resets_on(c.status)
                ]
                if new_resets:
                    resets.setdefault(i, []).extend(new_resets)
                    rescore.append(i)
                if recycled is not None:
                    after[i] = recycled
                    next_round.append(i)
            if rescore:
                found = scores.eligible_at(rescore, {i: resets[i] for i in rescore})
                for i in rescore:
                    self.candidates[i] = found.get(i, [])
            in_play = next_round
            if not in_play:
                break

    def _cycle(self, i: int, number: int, mql: int, inferred: bool) -> int | None:
        """Simulate one cycle from its hand-off; returns the recycle moment if there is one."""
        P, r, end = self.P, self.prng, self.run.end
        fit, intent = self.fit[i], self.intent[i]
        c: dict[str, Any] = {k: None for k in TRUTH_CYCLE_COLUMNS}
        c.update(lead=i, cycle_number=number, is_inferred_mql=inferred, is_contradictory=False)
        c["marketing_qualified_at"] = mql
        rep = self._rep()
        if inferred:
            delay = 0.0
            touch = mql
        else:
            d = self._touch_delay_minutes(rep)
            if d is None:
                return None
            delay = d
            touch = mql + max(30, int(d * 60))
            if touch > end:
                return None
        rep_id = self.reps[rep]
        c["first_touched_at"] = touch
        c["first_touch_rep_id"] = rep_id
        self._activity(i, rep, touch, ("call", "email", "call", "linkedin_message"))
        q = self._quality(delay) if not inferred else 0.6
        recycled = None
        last = touch
        if inferred:
            accepted = True
            accepted_at = touch
        else:
            p_acc = (
                _sigmoid(
                    P.accept_bias + P.accept_fit * (fit - 0.5) + P.accept_intent * (intent - 0.5)
                )
                * q**P.accept_response_exp
            )
            accepted = r.random() < p_acc
            accepted_at = touch + int(r.lognormvariate(math.log(40 * 60), 1.0))
        if not accepted:
            rejected_at = touch + int(r.lognormvariate(math.log(4 * 3600), 1.2))
            if rejected_at > end:
                return None
            reason = self._reason(i, rejection=True)
            c["sales_rejected_at"], c["rejection_reason"] = rejected_at, reason
            self._change(i, "sales_rejected", reason, rejected_at, rep_id)
            last = rejected_at
            if reason != "duplicate" and r.random() < P.recycle_share * (0.5 + intent):
                recycled = rejected_at + int(r.uniform(7, 60) * DAY)
        else:
            if accepted_at > end:
                return None
            c["sales_accepted_at"] = accepted_at
            self._change(i, "sales_accepted", None, accepted_at, rep_id)
            last = accepted_at
            bias = P.outbound_qualify_bias if inferred else P.qualify_bias
            p_sql = (
                _sigmoid(bias + P.qualify_fit * (fit - 0.5) + P.qualify_intent * (intent - 0.5))
                * q**P.qualify_response_exp
            )
            if r.random() < p_sql:
                sql_at = accepted_at + int(r.lognormvariate(math.log(5 * DAY), 0.8))
                if sql_at <= end:
                    c["sales_qualified_at"] = sql_at
                    self._change(i, "sales_qualified", None, sql_at, rep_id)
                    last = sql_at
                    self._opportunity(i, c, sql_at, q, rep)
                    last = max(last, c["opportunity_created_at"] or last)
            else:
                u = r.random()
                at = accepted_at + int(r.lognormvariate(math.log(10 * DAY), 0.7))
                if at <= end and u < 0.5:
                    c["disqualified_at"] = at
                    self._change(i, "disqualified", self._reason(i, False), at, rep_id)
                    last = at
                elif at <= end and u < 0.8:
                    recycled = at
        if recycled is not None and recycled <= end:
            c["recycled_at"] = recycled
            self._change(i, "recycled", "back_to_nurture", recycled, rep_id)
            limit = recycled - 60
        else:
            recycled = None
            limit = min(end, last + 21 * DAY)
        # follow-up activities strictly inside the cycle
        n_follow = 0 if limit <= touch + 60 else r.choice((0, 1, 1, 2, 3) if accepted else (0, 1))
        for _ in range(n_follow):
            at = touch + 60 + int(r.random() * (limit - touch - 60))
            kinds = SALES_FOLLOW_UP_KINDS if accepted else ("call", "email")
            self._activity(i, rep, at, kinds)
        return recycled

    def _opportunity(self, i: int, c: dict[str, Any], sql_at: int, q: float, rep: int) -> None:
        P, r, end = self.P, self.prng, self.run.end
        fit, intent = self.fit[i], self.intent[i]
        p_opp = (
            _sigmoid(
                P.opportunity_bias
                + P.opportunity_fit * (fit - 0.5)
                + P.opportunity_intent * (intent - 0.5)
            )
            * q**P.opportunity_response_exp
        )
        if r.random() >= p_opp:
            return
        created = sql_at + int(r.lognormvariate(math.log(2 * DAY), 0.8))
        if created > end:
            return
        opp_num = self.run.next_opportunity
        self.run.next_opportunity += 1
        c["opportunity_id"] = opp_num
        c["opportunity_created_at"] = created
        acc = self.lead_acc[i]
        size = float(self.employees[acc]) if acc >= 0 else 20.0
        amount = round(r.lognormvariate(math.log(12_000 * (size / 200) ** 0.3), 0.6), 2)
        p_win = _sigmoid(P.win_bias + P.win_fit * (fit - 0.5) + P.win_intent * (intent - 0.5))
        closed = created + int(r.lognormvariate(math.log(45 * DAY), 0.6))
        if closed <= end:
            won = r.random() < p_win
            c["closed_won_at" if won else "closed_lost_at"] = closed
            stage = "closed_won" if won else "closed_lost"
            self.opps.append(
                (opp_num, i, created, stage, amount, closed, "true" if won else "false")
            )
            self.lead_opps[i].append(Opportunity(created, opp_num, closed, won))
        else:
            age = (end - created) / DAY
            stage = "discovery" if age < 14 else "proposal" if age < 40 else "negotiation"
            self.opps.append((opp_num, i, created, stage, amount, None, None))
            self.lead_opps[i].append(Opportunity(created, opp_num, None, None))
        self._activity(i, rep, created, ("meeting",))

    # -- the truth's cycles ---------------------------------------------------------------
    def derive(self, i: int) -> None:
        """Derive lead i's cycles from its candidates and sales records, as the warehouse does."""
        touches = sorted(self.touches.get(i, ()), key=lambda t: t.at)
        changes = sorted(self.lead_changes.get(i, ()), key=lambda c: c.at)
        opps = self.lead_opps.get(i, [])
        self.cycles[i] = derive_cycles(self.candidates.get(i, []), touches, changes, opps)

    def derive_all(self) -> None:
        for i in self.created:
            self.derive(i)

    # -- contradictions -----------------------------------------------------------------
    def contradiction_candidates(self) -> list[tuple[int]]:
        """Leads without opportunities whose first cycle is a hand-off touched > 2 h later by
        the lead's first sales activity ever."""
        out = []
        for i, cycles in self.cycles.items():
            if not cycles or i in self.lead_opps:
                continue
            c = cycles[0]
            touch = c["first_touched_at"]
            if c["is_inferred_mql"] or touch is None:
                continue
            if touch - c["marketing_qualified_at"] <= 2 * 3600:
                continue
            if min(t.at for t in self.touches[i]) < touch:
                continue
            out.append((i,))
        return out

    def add_contradiction(self, i: int) -> None:
        """An opportunity closed-won before the lead's first sales touch (kept, flagged).

        It is created after the hand-off, so the warehouse counts it in the first cycle.
        """
        c = self.cycles[i][0]
        r = self.prng
        mql, touch = c["marketing_qualified_at"], c["first_touched_at"]
        opp_created = mql + 1 + int((touch - mql - 1) * r.uniform(0.05, 0.4))
        closed = opp_created + 1 + int((touch - opp_created - 1) * r.uniform(0.3, 0.9))
        opp_num = self.run.next_opportunity
        self.run.next_opportunity += 1
        self.opps.append((opp_num, i, opp_created, "closed_won", 5000.0, closed, "true"))
        self.lead_opps[i].append(Opportunity(opp_created, opp_num, closed, True))
        self.derive(i)
        assert self.cycles[i][0]["is_contradictory"]
        self.run.contradictory.append(
            {
                "opportunity_id": f"O{opp_num:0{ID_WIDTHS['O']}d}",
                "lead_id": f"L{int(self.lead_num[i]):0{ID_WIDTHS['L']}d}",
            }
        )

    # -- output -------------------------------------------------------------------------
    def flush(self, chunk_index: int) -> None:
        run = self.run
        lead_num = self.lead_num
        acts = sorted(self.activities, key=lambda a: (a[0], a[3]))
        n = len(acts)
        run.writers["sales_activities"].write(
            {
                "activity_id": ids("S", run.next_activity + np.arange(n)),
                "lead_id": ids("L", lead_num[[a[0] for a in acts]] if n else []),
                "rep_id": [a[1] for a in acts],
                "activity_type": [a[2] for a in acts],
                "occurred_at": ts_strings([a[3] for a in acts]),
            }
        )
        run.next_activity += n
        # a marketing_qualified status at every hand-off the warehouse sees (real cycle starts)
        for i in sorted(self.cycles):
            for c in self.cycles[i]:
                if not c["is_inferred_mql"]:
                    at = c["marketing_qualified_at"]
                    by = "marketing_automation"
                    self.changes.append((i, "marketing_qualified", None, at, by))
        changes = sorted(self.changes, key=lambda c: (c[0], c[3]))
        n = len(changes)
        run.writers["lead_status_changes"].write(
            {
                "change_id": ids("C", run.next_change + np.arange(n)),
                "lead_id": ids("L", lead_num[[c[0] for c in changes]] if n else []),
                "status": [c[1] for c in changes],
                "reason": [c[2] for c in changes],
                "changed_at": ts_strings([c[3] for c in changes]),
                "changed_by": [c[4] for c in changes],
            }
        )
        run.next_change += n
        opps = sorted(self.opps)
        n = len(opps)
        acc_ix = np.array([self.lead_acc[o[1]] for o in opps], dtype=np.int64)
        run.writers["opportunities"].write(
            {
                "opportunity_id": ids("O", [o[0] for o in opps]),
                "account_id": ids(
                    "A", self.acc_num[np.maximum(acc_ix, 0)] if n else [], acc_ix < 0
                ),
                "lead_id": ids("L", lead_num[[o[1] for o in opps]] if n else []),
                "created_at": ts_strings([o[2] for o in opps]),
                "stage": [o[3] for o in opps],
                "amount": [f"{o[4]:.2f}" for o in opps],
                "closed_at": ts_strings([o[5] for o in opps]),
                "is_won": [o[6] for o in opps],
            }
        )
        cycles = [dict(c, lead=i) for i in sorted(self.cycles) for c in self.cycles[i]]
        n = len(cycles)
        out: dict[str, Any] = {
            "lead_id": ids("L", lead_num[[c["lead"] for c in cycles]] if n else []),
            "cycle_number": [str(c["cycle_number"]) for c in cycles],
            "is_inferred_mql": ["true" if c["is_inferred_mql"] else "false" for c in cycles],
            "is_contradictory": ["true" if c["is_contradictory"] else "false" for c in cycles],
            "first_touch_rep_id": [c["first_touch_rep_id"] for c in cycles],
            "rejection_reason": [c["rejection_reason"] for c in cycles],
            "opportunity_id": [
                None if c["opportunity_id"] is None else f"O{c['opportunity_id']:08d}"
                for c in cycles
            ],
        }
        for col in TRUTH_CYCLE_COLUMNS:
            if col not in out:
                out[col] = ts_strings([c[col] for c in cycles])
        run.truth["mql_cycles_truth"].write(out)


SALES_FOLLOW_UP_KINDS = ("call", "email", "meeting", "linkedin_message")


# ---------------------------------------------------------------------------------------
# entry point
# ---------------------------------------------------------------------------------------
def generate(
    n_leads: int,
    seed: int,
    out_dir: Path,
    profile: str = "default",
    mess_rate: float = 0.02,
    fmt: str = "csv",
    chunk_size: int = 20_000,
    progress: bool = True,
    start_date: str = "2025-01-01",
    end_date: str = "2026-09-30",
) -> dict[str, Any]:
    """Write the raw CRM tables and their ground truth for `n_leads` leads to `out_dir`.

    Returns the summary also written to ground_truth/mess.json: rows written per table,
    injected mess per kind, and the run parameters.
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose from {sorted(PROFILES)}")
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"unknown format {fmt!r}; use 'csv' or 'parquet'")
    if n_leads < 1 or chunk_size < 1:
        raise ValueError("n_leads and chunk_size must be positive")
    if not 0.0 <= mess_rate <= 1.0:
        raise ValueError("mess_rate must lie in [0, 1]")
    start, end = _epoch(start_date), _epoch(end_date)
    if end - start < 60 * DAY:
        raise ValueError("the period must span at least 60 days")
    out_dir = Path(out_dir)
    truth_dir = out_dir / "ground_truth"
    truth_dir.mkdir(parents=True, exist_ok=True)
    run = _Run(
        seed=seed,
        profile=PROFILES[profile],
        start=start,
        end=end,
        mess_rate=mess_rate,
        n_leads=n_leads,
    )
    run.total_accounts = max(1, round(n_leads / run.profile.leads_per_account))
    tables = raw_tables()
    try:
        for name, table in tables.items():
            run.writers[name] = TableWriter(out_dir, name, table.columns, fmt)
        run.truth["leads_truth"] = TableWriter(truth_dir, "leads_truth", TRUTH_LEAD_COLUMNS, "csv")
        run.truth["mql_cycles_truth"] = TableWriter(
            truth_dir, "mql_cycles_truth", TRUTH_CYCLE_COLUMNS, "csv"
        )
        run.product_truth = TableWriter(
            truth_dir, "product_usage_truth", TRUTH_PRODUCT_COLUMNS, "csv"
        )
        _write_campaigns_and_spend(run)
        n_chunks = math.ceil(n_leads / chunk_size)
        with tqdm(total=n_leads, unit="lead", desc="generating", disable=not progress) as bar:
            for chunk in range(n_chunks):
                size = min(chunk_size, n_leads - chunk * chunk_size)
                _simulate_chunk(run, chunk, size)
                bar.update(size)
    finally:
        for w in (*run.writers.values(), *run.truth.values()):
            w.close()
        if run.product_truth is not None:
            run.product_truth.close()
    summary: dict[str, Any] = {
        "seed": seed,
        "profile": profile,
        "n_leads": n_leads,
        "mess_rate": mess_rate,
        "format": fmt,
        "chunk_size": chunk_size,
        "start_date": start_date,
        "end_date": end_date,
        "tables": {
            name: {"rows": w.rows, "mess": dict(sorted(run.mess.get(name, {}).items()))}
            for name, w in run.writers.items()
        },
        "ground_truth": {name: {"rows": w.rows} for name, w in run.truth.items()},
    }
    with open(truth_dir / "contradictory_opportunities.csv", "w", encoding="utf-8") as fh:
        fh.write("opportunity_id,lead_id\n")
        for item in run.contradictory:
            fh.write(f"{item['opportunity_id']},{item['lead_id']}\n")
    with open(truth_dir / "mess.json", "w", encoding="utf-8") as fh:
        json.dump(summary, fh, indent=2, sort_keys=False)
        fh.write("\n")
    return summary
