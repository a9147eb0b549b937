"""Who the leads are: the accounts of a chunk and its leads, with their latent fit and intent.

Everything later in a chunk (engagement, hand-offs, sales, mess) is driven by the people
drawn here: their persona, company, title, source and creation time, and the two latent
variables the simulation never writes to the raw files (only to the ground truth). The
accounts and leads tables are written here too, once the mess step has added its merged
duplicates and padded emails.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from lead_funnel.generator import vocab as V
from lead_funnel.generator.encode import DAY, campaign_ids, ids, take, ts_strings
from lead_funnel.generator.profiles import Profile
from lead_funnel.generator.state import Run

if TYPE_CHECKING:
    from lead_funnel.generator.mess import LeadMess

BUYER, STUDENT, CONSULTANT, JOB_SEEKER = 0, 1, 2, 3
# Lead sources beyond the marketing channels (positions in `V.LEAD_SOURCES`).
FREE_TRIAL = len(V.CHANNELS)
SALES_PROSPECTING = len(V.CHANNELS) + 1


def _buyer_titles() -> tuple[list[str], list[int]]:
    """Every buyer job title with its seniority tier (0 = executive ... 3 = contributor)."""
    titles: list[str] = []
    tiers: list[int] = []
    for tier, templates in enumerate(
        (V.EXECUTIVE_TITLES, V.DIRECTOR_TITLES, V.MANAGER_TITLES, V.CONTRIBUTOR_TITLES)
    ):
        for template in templates:
            for dept in V.DEPARTMENTS if "{dept}" in template else ("",):
                titles.append(template.format(dept=dept))
                tiers.append(tier)
    return titles, tiers


_BUYER_TITLES, _BUYER_TIERS = _buyer_titles()
_TIER_FIT = np.array([1.0, 0.85, 0.6, 0.3])
_TIER_P = np.array([0.08, 0.17, 0.35, 0.40])
_PERSONA_TITLE_FIT = {STUDENT: 0.0, CONSULTANT: 0.15, JOB_SEEKER: 0.2}
_PERSONA_TITLES = {
    STUDENT: V.STUDENT_TITLES,
    CONSULTANT: V.CONSULTANT_TITLES,
    JOB_SEEKER: V.JOB_SEEKER_TITLES,
}
# Lead source mix over the marketing channels, before free trials and sales prospecting.
_SOURCE_WEIGHTS = {
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
_UNCAMPAIGNED_CHANNELS = ("organic_search", "referral", "direct")


@dataclass
class Accounts:
    """The accounts of one chunk, position-indexed (lead_acc values point here)."""

    num: np.ndarray
    industry: np.ndarray
    employees: np.ndarray
    revenue: np.ndarray
    revenue_missing: np.ndarray
    country: np.ndarray
    names: list[str]
    domains: list[str]
    is_competitor: np.ndarray
    fit: np.ndarray

    @property
    def size(self) -> int:
        """Number of accounts."""
        return int(self.num.size)


@dataclass
class Leads:
    """The (surviving) leads of one chunk; `account` is -1 for a free-mail lead."""

    num: np.ndarray
    persona: np.ndarray
    free: np.ndarray
    account: np.ndarray
    titles: list[str]
    fit: np.ndarray
    intent: np.ndarray
    low_fit_persona: np.ndarray
    source: np.ndarray
    outbound: np.ndarray
    campaign: np.ndarray
    created: np.ndarray
    updated: np.ndarray
    country: np.ndarray
    first_idx: np.ndarray
    last_idx: np.ndarray
    emails: list[str]

    @property
    def size(self) -> int:
        """Number of leads."""
        return int(self.num.size)

    @property
    def is_trial(self) -> np.ndarray:
        """Whether each lead signed up for the free trial."""
        return self.source == FREE_TRIAL


def _country_weights() -> np.ndarray:
    """The country mix of accounts (and of free-mail leads)."""
    return np.array(V.COUNTRY_WEIGHTS) / sum(V.COUNTRY_WEIGHTS)


# ---------------------------------------------------------------------------------------
# accounts
# ---------------------------------------------------------------------------------------
def account_fit(employees: np.ndarray, industry: np.ndarray, country: np.ndarray) -> np.ndarray:
    """Latent firmographic fit in [0, 1]: company size, target industry and core country."""
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


def simulate_accounts(run: Run, rng: np.random.Generator, chunk_index: int, n: int) -> Accounts:
    """The accounts of a chunk of `n` leads; the first chunk also holds the competitors."""
    n_acc = max(1, int(round(n / run.profile.leads_per_account)))
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
    country = rng.choice(len(V.COUNTRIES), n_acc, p=_country_weights())
    names, domains = _company_names(rng, acc_num)
    is_competitor = np.zeros(n_acc, dtype=bool)
    if chunk_index == 0:
        _place_competitors(run, rng, is_competitor, names, domains, industry)
    fit = account_fit(employees, industry, country)
    fit[is_competitor] = 0.0
    return Accounts(
        num=acc_num,
        industry=industry,
        employees=employees,
        revenue=revenue,
        revenue_missing=revenue_missing,
        country=country,
        names=names,
        domains=domains,
        is_competitor=is_competitor,
        fit=fit,
    )


def _company_names(rng: np.random.Generator, acc_num: np.ndarray) -> tuple[list[str], list[str]]:
    """A made-up company name and a unique web domain per account."""
    n_acc = acc_num.size
    prefix = rng.integers(0, len(V.COMPANY_PREFIXES), n_acc)
    suffix = rng.integers(0, len(V.COMPANY_SUFFIXES), n_acc)
    form = rng.integers(0, len(V.COMPANY_FORMS), n_acc)
    tld = rng.integers(0, len(V.DOMAIN_TLDS), n_acc)
    names: list[str] = []
    domains: list[str] = []
    for i in range(n_acc):
        stem = V.COMPANY_PREFIXES[prefix[i]] + V.COMPANY_SUFFIXES[suffix[i]]
        names.append(f"{stem} {V.COMPANY_FORMS[form[i]]}")
        domains.append(f"{stem.lower()}{int(acc_num[i])}.{V.DOMAIN_TLDS[tld[i]]}")
    return names, domains


def _place_competitors(
    run: Run,
    rng: np.random.Generator,
    is_competitor: np.ndarray,
    names: list[str],
    domains: list[str],
    industry: np.ndarray,
) -> None:
    """Turn a few accounts (about 0.2% of the run's) into competitors, in place."""
    n_acc = is_competitor.size
    k = min(len(V.COMPETITOR_DOMAINS), max(1, round(run.total_accounts * 0.002)), n_acc)
    for j, pos in enumerate(rng.choice(n_acc, k, replace=False).tolist()):
        is_competitor[pos] = True
        domain = V.COMPETITOR_DOMAINS[j]
        domains[pos] = domain
        names[pos] = domain.split(".")[0].title()
        industry[pos] = V.INDUSTRIES.index("software")


def write_accounts(run: Run, rng: np.random.Generator, accounts: Accounts, leads: Leads) -> None:
    """Write the accounts; each is created some time before its first lead."""
    n_acc = accounts.size
    free, created = leads.free, leads.created
    first_lead_created = np.full(n_acc, np.iinfo(np.int64).max)
    np.minimum.at(first_lead_created, leads.account[~free], created[~free])
    acc_created = np.where(
        first_lead_created == np.iinfo(np.int64).max,
        run.start + (rng.random(n_acc) * (run.last_created - run.start)).astype(np.int64),
        first_lead_created - rng.integers(3600, 30 * DAY, n_acc),
    )
    acc_updated = acc_created + (rng.random(n_acc) * (run.end - acc_created) * 0.5).astype(np.int64)
    run.writers["accounts"].write(
        {
            "account_id": ids("A", accounts.num),
            "account_name": accounts.names,
            "domain": accounts.domains,
            "industry": take(V.INDUSTRIES, accounts.industry),
            "employee_count": pa.array(accounts.employees),
            "annual_revenue": pa.array(
                accounts.revenue.astype(np.int64), mask=accounts.revenue_missing
            ),
            "country": take(V.COUNTRIES, accounts.country),
            "created_at": ts_strings(acc_created),
            "updated_at": ts_strings(acc_updated),
        }
    )


# ---------------------------------------------------------------------------------------
# leads
# ---------------------------------------------------------------------------------------
def simulate_leads(run: Run, rng: np.random.Generator, accounts: Accounts, n: int) -> Leads:
    """The `n` leads of a chunk, spread over its accounts (or on free mail)."""
    P = run.profile
    lead_num = run.next_lead + np.arange(n)
    run.next_lead += n
    persona, free = _personas(P, rng, n)
    weights = accounts.employees.astype(float) ** 0.35
    lead_acc = rng.choice(accounts.size, n, p=weights / weights.sum())
    lead_acc[free] = -1
    titles, title_fit = _titles(rng, persona)
    fit, intent, low_fit_persona = _fit_and_intent(
        P, rng, accounts, lead_acc, free, persona, title_fit
    )
    source, outbound, campaign = _sources(run, rng, persona, free)
    created, updated = _creation_times(run, rng, n)
    country = np.where(
        free,
        rng.choice(len(V.COUNTRIES), n, p=_country_weights()),
        accounts.country[np.maximum(lead_acc, 0)],
    )
    first_idx, last_idx, emails = _names_and_emails(rng, lead_num, free, lead_acc, accounts)
    return Leads(
        num=lead_num,
        persona=persona,
        free=free,
        account=lead_acc,
        titles=titles,
        fit=fit,
        intent=intent,
        low_fit_persona=low_fit_persona,
        source=source,
        outbound=outbound,
        campaign=campaign,
        created=created,
        updated=updated,
        country=country,
        first_idx=first_idx,
        last_idx=last_idx,
        emails=emails,
    )


def _personas(P: Profile, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(persona, uses free mail) per lead; students and consultants mostly use free mail."""
    u = rng.random(n)
    persona = np.full(n, BUYER)
    persona[u < P.student_share + P.consultant_share + P.job_seeker_share] = JOB_SEEKER
    persona[u < P.student_share + P.consultant_share] = CONSULTANT
    persona[u < P.student_share] = STUDENT
    free = rng.random(n) < P.free_mail_share
    free |= np.isin(persona, (STUDENT, CONSULTANT)) & (rng.random(n) < 0.6)
    return persona, free


def _titles(rng: np.random.Generator, persona: np.ndarray) -> tuple[list[str], np.ndarray]:
    """A job title per lead and its fit: buyers by seniority tier, others by persona."""
    n = persona.size
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
            options = _PERSONA_TITLES[p_i]
            title_fit[i] = _PERSONA_TITLE_FIT[p_i]
        titles.append(options[title_pick[i] % len(options)])
    return titles, title_fit


def _fit_and_intent(
    P: Profile,
    rng: np.random.Generator,
    accounts: Accounts,
    lead_acc: np.ndarray,
    free: np.ndarray,
    persona: np.ndarray,
    title_fit: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(latent fit, latent intent, is a poor-fit persona) per lead.

    Fit blends the account's fit with the title's; intent is drawn from the profile's Beta
    and tilted by fit, raised for poor-fit personas and damped for job seekers.
    """
    n = persona.size
    at_competitor = (lead_acc >= 0) & accounts.is_competitor[np.maximum(lead_acc, 0)]
    acc_fit_of_lead = np.where(free, 0.2, accounts.fit[np.maximum(lead_acc, 0)])
    fit = np.clip(0.6 * acc_fit_of_lead + 0.4 * title_fit + rng.normal(0, 0.05, n), 0, 1)
    fit[free] = np.clip(0.5 * fit[free], 0, 1)
    fit[at_competitor] = 0.0
    raw_intent = rng.beta(P.intent_alpha, P.intent_beta, n)
    intent = raw_intent ** (1.0 + P.intent_fit_link * (1.0 - 2.0 * fit))
    low_fit_persona = np.isin(persona, (STUDENT, CONSULTANT)) | (free & (fit < 0.3))
    intent = np.where(low_fit_persona, intent + P.low_fit_intent_boost * (1 - intent), intent)
    intent = np.where(persona == JOB_SEEKER, 0.3 * intent, intent)
    intent = np.clip(intent, 0, 1)
    return fit, intent, low_fit_persona


def _sources(
    run: Run, rng: np.random.Generator, persona: np.ndarray, free: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lead source, is sales-sourced, campaign number or -1) per lead."""
    P = run.profile
    n = persona.size
    n_src = len(V.CHANNELS)
    source = rng.choice(n_src, n, p=np.array([_SOURCE_WEIGHTS[c] for c in V.CHANNELS]) / 1.0)
    u = rng.random(n)
    source[u < P.free_trial_share] = FREE_TRIAL
    outbound = (
        (u >= P.free_trial_share)
        & (u < P.free_trial_share + P.sales_prospecting_share / 0.8)
        & ~free
        & (persona == BUYER)
    )
    source[outbound] = SALES_PROSPECTING
    campaign = np.full(n, -1)
    for c, channel in enumerate(V.CHANNELS):
        options = run.campaigns_by_channel.get(channel, [])
        if channel in _UNCAMPAIGNED_CHANNELS or not options:
            continue
        sel = source == c
        campaign[sel] = np.array(options)[rng.integers(0, len(options), int(sel.sum()))]
    return source, outbound, campaign


def _creation_times(run: Run, rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(created_at, updated_at) per lead: created during office-ish hours of a random day."""
    start, end, last_created = run.start, run.end, run.last_created
    day = rng.integers(0, max(1, (last_created - start) // DAY), n)
    sec = np.clip(rng.normal(15 * 3600, 3.5 * 3600, n), 0, DAY - 1).astype(np.int64)
    created = np.minimum(start + day * DAY + sec, last_created)
    updated = created + (rng.random(n) * 0.5 * (end - created)).astype(np.int64)
    return created, updated


def _names_and_emails(
    rng: np.random.Generator,
    lead_num: np.ndarray,
    free: np.ndarray,
    lead_acc: np.ndarray,
    accounts: Accounts,
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(first name index, last name index, email) per lead; emails are unique in the chunk."""
    n = lead_num.size
    first_idx = rng.integers(0, len(V.FIRST_NAMES), n)
    last_idx = rng.integers(0, len(V.LAST_NAMES), n)
    fm_domains = V.free_mail_domains()
    fm_idx = rng.integers(0, len(fm_domains), n)
    domains = accounts.domains
    emails: list[str] = []
    seen_emails: set[str] = set()
    for i in range(n):
        local = f"{V.FIRST_NAMES[first_idx[i]]}.{V.LAST_NAMES[last_idx[i]]}"
        if free[i]:
            email = f"{local}{int(lead_num[i])}@{fm_domains[fm_idx[i]]}"
        else:
            email = f"{local}@{domains[lead_acc[i]]}"
            if email in seen_emails:
                email = f"{local}{int(lead_num[i])}@{domains[lead_acc[i]]}"
        seen_emails.add(email)
        emails.append(email)
    return first_idx, last_idx, emails


def write_leads(
    run: Run, rng: np.random.Generator, accounts: Accounts, leads: Leads, lead_mess: LeadMess
) -> None:
    """Write the leads (survivors, then their merged duplicates) and the leads' truth."""
    n, n_merge = leads.size, lead_mess.merged.size
    merged = lead_mess.merged
    lead_num = leads.num
    src_idx = np.concatenate([leads.source, leads.source[merged]])
    acct_ix = np.concatenate([leads.account, leads.account[merged]])
    acct_col = ids("A", accounts.num[np.maximum(acct_ix, 0)], mask=acct_ix < 0)
    # The CRM links some business-mail leads to no account (a web form, a list import): their
    # raw row has no account_id, the truth keeps the account their email domain names.
    unlinked = np.concatenate(
        [_unlinked_in_crm(lead_num, leads, lead_mess), np.zeros(n_merge, dtype=bool)]
    )
    raw_acct_col = ids("A", accounts.num[np.maximum(acct_ix, 0)], mask=(acct_ix < 0) | unlinked)
    camp = np.concatenate([leads.campaign, leads.campaign[merged]])
    first_names = [V.FIRST_NAMES[k].title() for k in leads.first_idx.tolist()]
    last_names = [V.LAST_NAMES[k].title() for k in leads.last_idx.tolist()]
    ms = merged.tolist()
    all_created = np.concatenate([leads.created, lead_mess.dup_created])
    all_updated = np.concatenate(
        [leads.updated, lead_mess.dup_created + (rng.random(n_merge) * DAY).astype(np.int64)]
    )
    survivor_ids = ids("L", lead_num)
    titles = leads.titles
    run.writers["leads"].write(
        {
            "lead_id": ids("L", np.concatenate([lead_num, lead_mess.dup_num])),
            "account_id": raw_acct_col,
            "email": lead_mess.emails + lead_mess.dup_emails,
            "first_name": first_names + [first_names[i] for i in ms],
            "last_name": last_names + [last_names[i] for i in ms],
            "job_title": titles + [titles[i] for i in ms],
            "country": take(V.COUNTRIES, np.concatenate([leads.country, leads.country[merged]])),
            "lead_source": take(list(V.LEAD_SOURCES), src_idx),
            "campaign_id": campaign_ids(camp),
            "created_at": ts_strings(all_created),
            "updated_at": ts_strings(all_updated),
            "merged_into_lead_id": pa.concat_arrays(
                [pa.nulls(n, pa.string()), survivor_ids.take(pa.array(merged))]
            ),
        }
    )
    _write_lead_truth(run, leads, lead_mess, acct_col, all_created)


#: Share (per mille) of business-mail leads the CRM links to no account.
UNLINKED_BUSINESS_LEADS_PER_MILLE = 60


def _unlinked_in_crm(lead_num: np.ndarray, leads: Leads, lead_mess: LeadMess) -> np.ndarray:
    """Business-mail leads whose raw row names no account: a fixed share chosen by a hash of
    the lead number (no random draw, so the rest of the data does not move), among leads whose
    address the mess left as it was, so their email domain still names the account."""
    spread = (lead_num.astype(np.uint64) * np.uint64(2654435761)) % np.uint64(2**32)
    chosen = (spread % np.uint64(1000)) < UNLINKED_BUSINESS_LEADS_PER_MILLE
    clean = np.array(
        [a == b for a, b in zip(lead_mess.emails, leads.emails, strict=True)], dtype=bool
    )
    return chosen & ~leads.free & (leads.account >= 0) & clean


def _write_lead_truth(
    run: Run, leads: Leads, lead_mess: LeadMess, acct_col: pa.Array, all_created: np.ndarray
) -> None:
    """Write ground_truth/leads_truth: survivor, latent variables and mess flags per lead row."""
    n, n_merge = leads.size, lead_mess.merged.size
    merged = lead_mess.merged
    lead_num, fit, intent = leads.num, leads.fit, leads.intent
    run.truth["leads_truth"].write(
        {
            "lead_id": ids("L", np.concatenate([lead_num, lead_mess.dup_num])),
            "survivor_lead_id": ids("L", np.concatenate([lead_num, lead_num[merged]])),
            "account_id": acct_col,
            "profile": pa.array([run.profile.name] * (n + n_merge), type=pa.string()),
            "latent_fit": [f"{x:.4f}" for x in np.concatenate([fit, fit[merged]]).tolist()],
            "latent_intent": [
                f"{x:.4f}" for x in np.concatenate([intent, intent[merged]]).tolist()
            ],
            "created_at": ts_strings(all_created),
            "is_merged_duplicate": ["false"] * n + ["true"] * n_merge,
            "has_padded_email": ["true" if p else "false" for p in lead_mess.padded.tolist()]
            + ["false"] * n_merge,
        }
    )
