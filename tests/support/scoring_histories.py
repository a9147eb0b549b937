"""Random lead histories for comparing the SQL scoring models with the Python reference.

`generate` draws accounts, leads and engagement events from a seeded `random.Random`, aiming
at the places where scoring is easy to get wrong: band boundaries, title patterns, free-mail
and competitor domains, merged leads, ties at one timestamp, bursts that hit caps, gaps that
cross half-lives, lifespans and cap windows exactly, timeline properties and invalid JSON.

`write_raw` writes the population as raw CSV files in the project's raw-data contract;
`reference_inputs` turns the same rows into the reference's inputs, normalised the way staging
normalises them (trimmed text, lower-case industry, email and event type, upper-case country).
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from lead_funnel.scoring import Event, LeadProfile, LeadRecord
from lead_funnel.scoring.reference import (
    AccountCandidate,
    StatusChange,
    email_domain,
    load_rules,
    match_account,
)

TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"

ACCOUNT_COLUMNS = [
    "account_id", "account_name", "domain", "industry", "employee_count", "annual_revenue",
    "country", "created_at", "updated_at",
]  # fmt: skip
LEAD_COLUMNS = [
    "lead_id", "account_id", "email", "first_name", "last_name", "job_title", "country",
    "lead_source", "campaign_id", "created_at", "updated_at", "merged_into_lead_id",
]  # fmt: skip
EVENT_COLUMNS = [
    "event_id", "lead_id", "event_type", "occurred_at", "campaign_id", "page_url", "properties",
]  # fmt: skip
STATUS_COLUMNS = ["change_id", "lead_id", "status", "reason", "changed_at", "changed_by"]
# Statuses that reset behaviour (recycled; sales_rejected for a model that says so) and one
# that does not.
STATUSES = ["recycled", "recycled", "sales_rejected", "sales_accepted"]

INDUSTRIES = [
    "software", "Software", "financial_services", "healthcare", "manufacturing", "retail",
    "education", "SOFTWARE", None,
]  # fmt: skip
# Band boundaries on both sides, plus ordinary values and missing ones.
EMPLOYEE_COUNTS = [0, 1, 49, 50, 51, 199, 200, 201, 999, 1000, 1001, 4999, 5000, 5001, 250000]
REVENUES = [0, 9999999.99, 10000000, 49999999, 50000000, 250000000, 999999999.99, 1000000000]
COUNTRIES = ["US", "us", "CA", "GB", "DE", "fr", "BR", "JP", "IN", "ZZ", "XK", "Atlantis", None]
JOB_TITLES = [
    "VP Marketing", "Vice President of Sales", "Chief Marketing Officer", "CMO", "CEO",
    "Founder & CEO", "Director of Sales", "Director, Demand Gen", "Head of IT", "Head of HR",
    "Revenue Operations Manager", "RevOps Lead", "Marketing Operations Specialist",
    "Marketing Coordinator", "Growth Marketing Manager", "Sales Manager", "Account Executive",
    "Business Development Representative", "IT Manager", "Software Engineer",
    "Senior Developer", "Product Manager", "Owner", "HR Manager", "Recruiter",
    "Human Resources Generalist", "Finance Analyst", "Student", "Marketing Intern",
    "International Relations Officer", "Freelance Consultant", "Consultant", "CTO",
    "Chief Revenue Officer", "  vp sales  ", "Team Lead", "Gardener", "Teacher", "Nurse",
    "Procurement Officer", "", None,
]  # fmt: skip
FREE_MAIL = ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "GMAIL.com"]
COMPETITORS = ["rivalfunnel.com", "leadscoreco.com", "pipelinepro.io"]

EVENT_TYPES = [
    "email_open", "email_click", "page_view", "pricing_page_view", "content_download",
    "webinar_registered", "webinar_attended", "form_submit", "demo_request", "contact_sales",
    "chat_conversation", "careers_page_view", "unsubscribe", "email_bounce",
]  # fmt: skip
EVENT_WEIGHTS = [20, 10, 25, 6, 5, 3, 3, 6, 1, 1, 3, 2, 1, 1]
# Types that have a cap window, and the window in days, for bursts and window-edge gaps.
CAPPED_TYPES = {
    "email_open": 30, "email_click": 30, "page_view": 7, "pricing_page_view": 30,
    "content_download": 30, "form_submit": 30, "chat_conversation": 7, "careers_page_view": 30,
}  # fmt: skip
# Ages (in days) at which some rule's decay or lifespan changes: half-lives and lifespans.
CRITICAL_AGES = [7, 14, 21, 30, 45, 60, 90, 365]

TIMELINES = ["0-3 months", "3-6 months", "6-12 months", "no timeline"]
FORM_PROPERTIES = [
    *[json.dumps({"buying_timeline": value}) for value in TIMELINES],
    *[json.dumps({"form": "contact", "buying_timeline": value}) for value in TIMELINES],
    json.dumps({"buying_timeline": "0-3 Months"}),  # not exactly the value
    json.dumps({"buying_timeline": " 3-6 months"}),  # nor this
    json.dumps({"timeline": "0-3 months"}),  # another key
    json.dumps({"buying_timeline": None}),
    json.dumps({"buying_timeline": 3}),
    json.dumps(["buying_timeline", "0-3 months"]),  # valid JSON, not an object
    '{"buying_timeline": "0-3 months"',  # invalid: unterminated
    "{buying_timeline: 0-3 months}",  # invalid: unquoted
    "buying_timeline=3-6 months",  # invalid: not JSON
    "{}",
    None,
]
OTHER_PROPERTIES = [None, None, "{}", json.dumps({"utm_source": "newsletter"}), "not json"]


@dataclass
class Population:
    """Raw rows of one generated data set, as text cells (None = empty cell)."""

    accounts: list[dict[str, str | None]] = field(default_factory=list)
    leads: list[dict[str, str | None]] = field(default_factory=list)
    events: list[dict[str, str | None]] = field(default_factory=list)
    status_changes: list[dict[str, str | None]] = field(default_factory=list)


def _ts(moment: datetime) -> str:
    return moment.strftime(TIMESTAMP_FORMAT)


def parse_ts(text: str) -> datetime:
    return datetime.strptime(text, TIMESTAMP_FORMAT)


def _random_moment(rng: random.Random, start: datetime, end: datetime) -> datetime:
    seconds = int((end - start).total_seconds())
    return start + timedelta(seconds=rng.randint(0, seconds))


def _pick_properties(rng: random.Random, event_type: str) -> str | None:
    if event_type == "form_submit":
        return rng.choice(FORM_PROPERTIES)
    return rng.choice(OTHER_PROPERTIES)


def _accounts(rng: random.Random, count: int, prefix: str) -> list[dict[str, str | None]]:
    rows = []
    for number in range(1, count + 1):
        roll = rng.random()
        if roll < 0.05:
            domain = rng.choice(COMPETITORS)
        elif roll < 0.12:
            domain = None
        else:
            domain = f"{prefix.lower()}co{number}.com"
        employees = rng.choice(EMPLOYEE_COUNTS + [None, rng.randint(0, 20000)])
        revenue = rng.choice(REVENUES + [None, round(rng.uniform(0, 2e9), 2)])
        created = _random_moment(rng, datetime(2023, 1, 1), datetime(2024, 6, 1))
        rows.append(
            {
                "account_id": f"{prefix}A{number}",
                "account_name": f"Company {number}",
                "domain": domain,
                "industry": rng.choice(INDUSTRIES),
                "employee_count": None if employees is None else str(employees),
                "annual_revenue": None if revenue is None else f"{revenue:.2f}",
                "country": rng.choice(COUNTRIES),
                "created_at": _ts(created),
                "updated_at": _ts(created),
            }
        )
    return rows


def _email(rng: random.Random, number: int, account: dict | None) -> str | None:
    local = f"person{number}"
    roll = rng.random()
    if roll < 0.08:
        return None
    if roll < 0.10:
        return f"broken-address-{number}"
    if roll < 0.35:
        return f"{local}@{rng.choice(FREE_MAIL)}"
    if roll < 0.40:
        return f"{local}@{rng.choice(COMPETITORS)}"
    if roll < 0.45:
        return f"  {local.upper()}@Mixed-Case{number}.COM "
    if account is not None and account["domain"] is not None and roll < 0.85:
        return f"{local}@{account['domain']}"
    return f"{local}@independent{number}.io"


def _leads(
    rng: random.Random,
    count: int,
    prefix: str,
    accounts: list[dict],
    created_between: tuple[datetime, datetime],
) -> list[dict[str, str | None]]:
    rows = []
    for number in range(1, count + 1):
        account = rng.choice(accounts) if rng.random() < 0.85 else None
        created = _random_moment(rng, *created_between)
        rows.append(
            {
                "lead_id": f"{prefix}L{number}",
                "account_id": account["account_id"] if account else None,
                "email": _email(rng, number, account),
                "first_name": "Pat",
                "last_name": f"Lead{number}",
                "job_title": rng.choice(JOB_TITLES),
                "country": rng.choice(COUNTRIES) if rng.random() < 0.6 else None,
                "lead_source": "web",
                "campaign_id": None,
                "created_at": _ts(created),
                "updated_at": _ts(created),
                "merged_into_lead_id": None,
            }
        )
    # A few merges, always into a lead with a smaller number, so chains end and never loop.
    # Some merge targets are merged themselves, which makes chains of two or three.
    for number in range(2, count + 1):
        if rng.random() < 0.04:
            target = rng.randint(1, number - 1)
            rows[number - 1]["merged_into_lead_id"] = f"{prefix}L{target}"
    return rows


def _event_moments(
    rng: random.Random, window: tuple[datetime, datetime], as_of: datetime
) -> list[tuple[str, datetime]]:
    """One lead's (event_type, occurred_at) pairs, built from a few kinds of episodes."""
    start, end = window
    pairs: list[tuple[str, datetime]] = []
    episodes = rng.choice([0, 1, 1, 2, 2, 3, 4, 6])
    for _ in range(episodes):
        kind = rng.random()
        anchor = _random_moment(rng, start, end)
        if kind < 0.30:  # a scattered stream over months
            for _ in range(rng.randint(1, 8)):
                event_type = rng.choices(EVENT_TYPES, EVENT_WEIGHTS)[0]
                pairs.append((event_type, anchor + timedelta(seconds=rng.randint(0, 200 * 86400))))
        elif kind < 0.50:  # a burst of one capped type, enough to hit its cap
            event_type = rng.choice(list(CAPPED_TYPES))
            for _ in range(rng.randint(3, 14)):
                pairs.append((event_type, anchor + timedelta(seconds=rng.randint(0, 3 * 86400))))
        elif kind < 0.62:  # several events at one timestamp
            for _ in range(rng.randint(2, 5)):
                pairs.append((rng.choices(EVENT_TYPES, EVENT_WEIGHTS)[0], anchor))
        elif kind < 0.74:  # the same capped type exactly one window apart (and just inside)
            event_type, days = rng.choice(list(CAPPED_TYPES.items()))
            moment = anchor
            for _ in range(rng.randint(2, 5)):
                pairs.append((event_type, moment))
                step = timedelta(days=days) - timedelta(seconds=rng.choice([0, 0, 1]))
                moment += step if rng.random() < 0.5 else timedelta(seconds=rng.randint(0, 3600))
        elif kind < 0.86:  # an event exactly a critical age before as_of (or one second off)
            event_type = rng.choices(EVENT_TYPES, EVENT_WEIGHTS)[0]
            if rng.random() < 0.5:
                event_type = rng.choice(["webinar_registered", "unsubscribe", "demo_request"])
            offset = timedelta(days=rng.choice(CRITICAL_AGES), seconds=rng.choice([-1, 0, 0, 1]))
            pairs.append((event_type, as_of - offset))
        elif kind < 0.93:  # a long gap: two clusters far apart
            event_type = rng.choices(EVENT_TYPES, EVENT_WEIGHTS)[0]
            pairs.append((event_type, anchor))
            gap = timedelta(days=rng.choice([45, 90, 120, 200, 365, 400]))
            pairs.append((rng.choices(EVENT_TYPES, EVENT_WEIGHTS)[0], anchor + gap))
        else:  # something exactly at as_of, and something just after it
            pairs.append((rng.choices(EVENT_TYPES, EVENT_WEIGHTS)[0], as_of))
            pairs.append((rng.choices(EVENT_TYPES, EVENT_WEIGHTS)[0], as_of + timedelta(seconds=1)))
    latest = datetime(2026, 10, 1)  # well before today, so staging never sees a future event
    return [(event_type, moment) for event_type, moment in pairs if moment <= latest]


def generate(
    seed: int,
    lead_count: int,
    as_of: datetime,
    prefix: str = "",
    window: tuple[datetime, datetime] = (datetime(2025, 1, 1), datetime(2026, 3, 1)),
) -> Population:
    """A population of about `lead_count` leads whose events straddle `as_of`."""
    rng = random.Random(seed)
    accounts = _accounts(rng, max(1, lead_count // 3), prefix)
    leads = _leads(rng, lead_count, prefix, accounts, (datetime(2024, 6, 1), window[1]))
    # A few leads created exactly at as_of (scored) or one second after it (not scored).
    for lead in rng.sample(leads, k=max(2, lead_count // 100)):
        lead["created_at"] = _ts(as_of + timedelta(seconds=rng.choice([0, 1])))
    events: list[dict[str, str | None]] = []
    # Event ids are numbered without padding, and handed out in a shuffled order, so that
    # text order ("E10" < "E9") differs from both numeric order and creation order.
    pending: list[tuple[str, str, datetime]] = []
    for lead in leads:
        for event_type, moment in _event_moments(rng, window, as_of):
            pending.append((lead["lead_id"], event_type, moment))
    # Merged duplicates often act at the very moment their survivor does: ties across leads.
    moments_by_lead: dict[str, list[datetime]] = {}
    for lead_id, _, moment in pending:
        moments_by_lead.setdefault(lead_id, []).append(moment)
    for lead in leads:
        target = lead["merged_into_lead_id"]
        if target and moments_by_lead.get(target) and rng.random() < 0.7:
            for moment in rng.sample(
                moments_by_lead[target], k=min(2, len(moments_by_lead[target]))
            ):
                pending.append(
                    (lead["lead_id"], rng.choices(EVENT_TYPES, EVENT_WEIGHTS)[0], moment)
                )
    numbers = list(range(1, len(pending) + 1))
    rng.shuffle(numbers)
    for number, (lead_id, event_type, moment) in zip(numbers, pending, strict=True):
        shown_type = event_type.upper() if rng.random() < 0.02 else event_type
        events.append(
            {
                "event_id": f"{prefix}E{number}",
                "lead_id": lead_id,
                "event_type": shown_type,
                "occurred_at": _ts(moment),
                "campaign_id": None,
                "page_url": "/pricing" if event_type == "pricing_page_view" else None,
                "properties": _pick_properties(rng, event_type),
            }
        )
    status_changes: list[dict[str, str | None]] = []
    for lead in leads:
        if rng.random() >= 0.25:
            continue
        own = moments_by_lead.get(lead["lead_id"], [])
        for _ in range(rng.randint(1, 3)):
            # sometimes exactly at an event of the lead: the event is ordered first
            at_event = own and rng.random() < 0.3
            moment = rng.choice(own) if at_event else _random_moment(rng, *window)
            # a CRM's status history never predates the lead
            moment = max(moment, parse_ts(lead["created_at"]))
            status_changes.append(
                {
                    "change_id": f"{prefix}C{len(status_changes) + 1}",
                    "lead_id": lead["lead_id"],
                    "status": rng.choice(STATUSES),
                    "reason": None,
                    "changed_at": _ts(min(moment, datetime(2026, 10, 1))),
                    "changed_by": "R1",
                }
            )
    return Population(accounts=accounts, leads=leads, events=events, status_changes=status_changes)


def _write_csv(path: Path, columns: list[str], rows: list[dict[str, str | None]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow(["" if row[column] is None else row[column] for column in columns])


def write_raw(population: Population, raw_dir: Path) -> Path:
    """Write accounts, leads, engagement events and status changes; other tables stay missing."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    _write_csv(raw_dir / "accounts.csv", ACCOUNT_COLUMNS, population.accounts)
    _write_csv(raw_dir / "leads.csv", LEAD_COLUMNS, population.leads)
    _write_csv(raw_dir / "engagement_events.csv", EVENT_COLUMNS, population.events)
    _write_csv(raw_dir / "lead_status_changes.csv", STATUS_COLUMNS, population.status_changes)
    return raw_dir


def _clean(value: str | None) -> str | None:
    """Staging's text cleaning: trim spaces, empty means missing."""
    if value is None:
        return None
    value = value.strip(" ")
    return value or None


def _upper(value: str | None) -> str | None:
    value = _clean(value)
    return value.upper() if value is not None else None


def _lower(value: str | None) -> str | None:
    value = _clean(value)
    return value.lower() if value is not None else None


def _number(value: str | None) -> float | None:
    value = _clean(value)
    return float(value) if value is not None else None


def reference_status_changes(population: Population) -> list[StatusChange]:
    """The population's status changes as the reference's inputs."""
    return [
        StatusChange(parse_ts(row["changed_at"]), row["status"], lead_id=row["lead_id"])
        for row in population.status_changes
    ]


def reference_inputs(population: Population) -> tuple[list[LeadRecord], list[Event]]:
    """The population as the reference's inputs, normalised like staging."""
    accounts = {row["account_id"]: row for row in population.accounts}
    crm_links: dict[str, int] = {}
    for row in population.leads:
        if _clean(row["account_id"]):
            crm_links[_clean(row["account_id"])] = crm_links.get(_clean(row["account_id"]), 0) + 1
    candidates = [
        AccountCandidate(
            account_id=row["account_id"],
            domain=_clean(row["domain"]),
            created_at=parse_ts(row["created_at"]) if _clean(row["created_at"]) else None,
            crm_lead_count=crm_links.get(row["account_id"], 0),
        )
        for row in population.accounts
    ]
    free_mail = load_rules().free_mail_domains
    records = []
    for row in population.leads:
        account_id = _clean(row["account_id"]) or match_account(
            email_domain(_clean(row["email"])), candidates, free_mail
        )
        account = accounts.get(account_id) if account_id else None
        profile = LeadProfile(
            lead_id=row["lead_id"],
            job_title=_clean(row["job_title"]),
            email_domain=email_domain(_clean(row["email"])),
            country=_upper(row["country"]),
            industry=_lower(account["industry"]) if account else None,
            employee_count=_number(account["employee_count"]) if account else None,
            annual_revenue=_number(account["annual_revenue"]) if account else None,
            account_country=_upper(account["country"]) if account else None,
            account_domain=_lower(account["domain"]) if account else None,
        )
        records.append(
            LeadRecord(
                profile=profile,
                created_at=parse_ts(row["created_at"]),
                merged_into_lead_id=_clean(row["merged_into_lead_id"]),
            )
        )
    events = [
        Event(
            event_id=row["event_id"],
            event_type=_lower(row["event_type"]),
            occurred_at=parse_ts(row["occurred_at"]),
            properties=_clean(row["properties"]),
            lead_id=row["lead_id"],
        )
        for row in population.events
    ]
    return records, events


def describe_lead(population: Population, lead_id: str) -> str:
    """A readable dump of one lead's raw inputs (and its merged duplicates'), for failures."""
    lead_rows = {row["lead_id"]: row for row in population.leads}
    members = {lead_id}
    changed = True
    while changed:
        changed = False
        for row in population.leads:
            if row["merged_into_lead_id"] in members and row["lead_id"] not in members:
                members.add(row["lead_id"])
                changed = True
    lines = []
    for member in sorted(members):
        row = lead_rows[member]
        lines.append(f"  lead {json.dumps(row)}")
        account = next(
            (a for a in population.accounts if a["account_id"] == row["account_id"]), None
        )
        if account:
            lines.append(f"  account {json.dumps(account)}")
    events = sorted(
        (e for e in population.events if e["lead_id"] in members),
        key=lambda e: (e["occurred_at"], e["event_id"]),
    )
    for event in events:
        lines.append(
            f"  event {event['event_id']} {event['lead_id']} {event['event_type']} "
            f"{event['occurred_at']} {event['properties']}"
        )
    for change in population.status_changes:
        if change["lead_id"] in members:
            lines.append(f"  status {change['lead_id']} {change['status']} {change['changed_at']}")
    return "\n".join(lines)
