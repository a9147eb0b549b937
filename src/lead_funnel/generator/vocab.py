"""Fixed vocabularies of the synthetic CRM: names, titles, firmographics, pages, channels.

Lookups that the warehouse also uses (event types, statuses, free-mail domains, product-usage
event types) are read from the project's seeds, so the generator can never drift from them.
"""

from __future__ import annotations

import csv
from functools import lru_cache

from lead_funnel.paths import project_dir

COMPETITOR_DOMAINS: tuple[str, ...] = (
    "funnelforge.io",
    "leadlyft.com",
    "pipewise.io",
    "scorebridge.com",
    "mqlmetrics.io",
    "revenuerail.com",
)
"""Domains of competing vendors: their staff sign up to look around and must never be sold to."""

CHANNELS: tuple[str, ...] = (
    "paid_search",
    "paid_social",
    "organic_search",
    "email",
    "webinar",
    "events",
    "content_syndication",
    "referral",
    "direct",
)
PAID_CHANNELS: tuple[str, ...] = (
    "paid_search",
    "paid_social",
    "webinar",
    "events",
    "content_syndication",
)
# Campaigns per channel (42 in all).
CAMPAIGNS_PER_CHANNEL: dict[str, int] = {
    "paid_search": 8,
    "paid_social": 7,
    "organic_search": 2,
    "email": 8,
    "webinar": 6,
    "events": 4,
    "content_syndication": 4,
    "referral": 2,
    "direct": 1,
}
CAMPAIGN_THEMES: tuple[str, ...] = (
    "Brand",
    "Competitor Conquest",
    "Lead Scoring Guide",
    "Pipeline Velocity",
    "Revenue Ops Summit",
    "Attribution 101",
    "Product Launch",
    "ABM Playbook",
    "Forecasting Masterclass",
    "Data Quality",
    "Customer Stories",
    "Free Trial Push",
)

# Lead sources: every marketing channel plus self-serve sign-up and outbound prospecting.
LEAD_SOURCES: tuple[str, ...] = CHANNELS + ("free_trial", "sales_prospecting")

SALES_ACTIVITY_TYPES: tuple[str, ...] = ("call", "email", "meeting", "linkedin_message")
REJECTION_REASONS: tuple[str, ...] = (
    "bad_fit",
    "no_budget",
    "wrong_contact",
    "not_ready",
    "no_response",
    "duplicate",
)
OPPORTUNITY_OPEN_STAGES: tuple[str, ...] = ("discovery", "proposal", "negotiation")

INDUSTRIES: tuple[str, ...] = (
    "software",
    "financial_services",
    "telecommunications",
    "professional_services",
    "healthcare",
    "manufacturing",
    "retail",
    "media",
    "logistics",
    "education",
    "government",
    "non_profit",
)
INDUSTRY_WEIGHTS: tuple[float, ...] = (18, 10, 5, 10, 9, 10, 9, 6, 6, 7, 5, 5)
TARGET_INDUSTRIES: frozenset[str] = frozenset(
    {"software", "financial_services", "telecommunications", "professional_services"}
)
POOR_FIT_INDUSTRIES: frozenset[str] = frozenset({"education", "government", "non_profit"})

COUNTRIES: tuple[str, ...] = (
    "US",
    "GB",
    "CA",
    "DE",
    "FR",
    "NL",
    "AU",
    "IE",
    "SE",
    "IN",
    "BR",
    "ES",
    "IT",
    "JP",
    "SG",
    "MX",
    "PL",
)
COUNTRY_WEIGHTS: tuple[float, ...] = (38, 10, 6, 7, 5, 3, 4, 2, 2, 7, 4, 3, 3, 2, 1, 2, 1)
CORE_COUNTRIES: frozenset[str] = frozenset({"US", "GB", "CA", "DE", "FR", "NL", "AU", "IE", "SE"})

COMPANY_PREFIXES: tuple[str, ...] = (
    "Bright",
    "North",
    "Blue",
    "Iron",
    "Silver",
    "Rapid",
    "Clear",
    "Nova",
    "Summit",
    "Cedar",
    "Harbor",
    "Quantum",
    "Vertex",
    "Atlas",
    "Pioneer",
    "Evergreen",
    "Stone",
    "Red",
    "Golden",
    "Maple",
)
COMPANY_SUFFIXES: tuple[str, ...] = (
    "wave",
    "field",
    "path",
    "stack",
    "point",
    "bridge",
    "works",
    "labs",
    "line",
    "gate",
    "core",
    "logic",
    "mark",
    "scale",
    "loop",
)
COMPANY_FORMS: tuple[str, ...] = (
    "Inc",
    "Ltd",
    "GmbH",
    "Group",
    "Systems",
    "Analytics",
    "Solutions",
    "Partners",
    "Technologies",
    "Holdings",
)
DOMAIN_TLDS: tuple[str, ...] = ("com", "io", "co", "net", "de", "co.uk")

FIRST_NAMES: tuple[str, ...] = [
    "james",
    "mary",
    "john",
    "patricia",
    "robert",
    "jennifer",
    "michael",
    "linda",
    "william",
    "elizabeth",
    "david",
    "barbara",
    "richard",
    "susan",
    "joseph",
    "jessica",
    "thomas",
    "sarah",
    "charles",
    "karen",
    "daniel",
    "nancy",
    "matthew",
    "lisa",
    "anthony",
    "betty",
    "mark",
    "margaret",
    "donald",
    "sandra",
    "steven",
    "ashley",
    "paul",
    "kimberly",
    "andrew",
    "emily",
    "joshua",
    "donna",
    "kenneth",
    "michelle",
    "kevin",
    "carol",
    "brian",
    "amanda",
    "george",
    "melissa",
    "timothy",
    "deborah",
    "ronald",
    "stephanie",
    "jason",
    "rebecca",
    "edward",
    "sharon",
    "jeffrey",
    "laura",
    "ryan",
    "cynthia",
    "jacob",
    "amy",
    "gary",
    "kathleen",
    "nicholas",
    "angela",
    "eric",
    "shirley",
    "jonathan",
    "anna",
    "stephen",
    "brenda",
    "larry",
    "pamela",
    "justin",
    "emma",
    "scott",
    "nicole",
    "brandon",
    "helen",
    "benjamin",
    "samantha",
    "samuel",
    "katherine",
    "gregory",
    "christine",
    "alexander",
    "debra",
    "frank",
    "rachel",
    "patrick",
    "carolyn",
    "raymond",
    "janet",
    "jack",
    "maria",
    "dennis",
    "olivia",
    "jerry",
    "heather",
    "tyler",
    "priya",
    "arjun",
    "wei",
    "mei",
    "yuki",
    "hiroshi",
    "lars",
    "ingrid",
    "sofia",
    "mateo",
    "lucas",
    "camille",
]
LAST_NAMES: tuple[str, ...] = [
    "smith",
    "johnson",
    "williams",
    "brown",
    "jones",
    "garcia",
    "miller",
    "davis",
    "rodriguez",
    "martinez",
    "hernandez",
    "lopez",
    "gonzalez",
    "wilson",
    "anderson",
    "thomas",
    "taylor",
    "moore",
    "jackson",
    "martin",
    "lee",
    "perez",
    "thompson",
    "white",
    "harris",
    "sanchez",
    "clark",
    "ramirez",
    "lewis",
    "robinson",
    "walker",
    "young",
    "allen",
    "king",
    "wright",
    "scott",
    "torres",
    "nguyen",
    "hill",
    "flores",
    "green",
    "adams",
    "nelson",
    "baker",
    "hall",
    "rivera",
    "campbell",
    "mitchell",
    "carter",
    "roberts",
    "gomez",
    "phillips",
    "evans",
    "turner",
    "diaz",
    "parker",
    "cruz",
    "edwards",
    "collins",
    "reyes",
    "stewart",
    "morris",
    "morales",
    "murphy",
    "cook",
    "rogers",
    "gutierrez",
    "ortiz",
    "morgan",
    "cooper",
    "peterson",
    "bailey",
    "reed",
    "kelly",
    "howard",
    "ramos",
    "kim",
    "cox",
    "ward",
    "richardson",
    "watson",
    "brooks",
    "chavez",
    "wood",
    "james",
    "bennett",
    "gray",
    "mendoza",
    "ruiz",
    "hughes",
    "price",
    "alvarez",
    "castillo",
    "sanders",
    "patel",
    "myers",
    "long",
    "ross",
    "foster",
    "schmidt",
    "muller",
    "fischer",
    "weber",
    "larsen",
    "jensen",
    "tanaka",
    "suzuki",
    "sato",
    "dubois",
    "moreau",
    "rossi",
]

DEPARTMENTS: tuple[str, ...] = (
    "Marketing",
    "Sales",
    "Revenue Operations",
    "Marketing Operations",
    "Demand Generation",
    "Growth",
    "Sales Operations",
)
# Buyer titles by seniority tier; the hand-off fit points read the same keywords.
EXECUTIVE_TITLES: tuple[str, ...] = (
    "Chief Marketing Officer",
    "Chief Revenue Officer",
    "VP of {dept}",
    "Vice President, {dept}",
)
DIRECTOR_TITLES: tuple[str, ...] = (
    "Director of {dept}",
    "Head of {dept}",
    "Senior Director, {dept}",
)
MANAGER_TITLES: tuple[str, ...] = ("{dept} Manager", "Senior {dept} Manager", "{dept} Team Lead")
CONTRIBUTOR_TITLES: tuple[str, ...] = (
    "{dept} Specialist",
    "{dept} Analyst",
    "{dept} Coordinator",
    "{dept} Associate",
)
STUDENT_TITLES: tuple[str, ...] = ("Student", "Graduate Student", "PhD Student", "Marketing Intern")
CONSULTANT_TITLES: tuple[str, ...] = (
    "Consultant",
    "Independent Consultant",
    "Freelance Marketing Consultant",
    "Marketing Consultant",
)
JOB_SEEKER_TITLES: tuple[str, ...] = (
    "Software Engineer",
    "Data Analyst",
    "Account Executive",
    "Customer Success Associate",
    "Sales Development Representative",
    "Product Designer",
)

SITE = "https://www.leadfunnel-demo.com"
CONTENT_SLUGS: tuple[str, ...] = (
    "lead-scoring-guide",
    "state-of-revops-2025",
    "mql-benchmark-report",
    "abm-playbook",
    "pipeline-forecasting-ebook",
    "attribution-whitepaper",
)
WEB_PAGES: tuple[str, ...] = (
    "/",
    "/product",
    "/product/scoring",
    "/product/routing",
    "/product/analytics",
    "/customers",
    "/blog/what-is-an-mql",
    "/blog/speed-to-lead",
    "/blog/lead-scoring-models",
    "/integrations",
    "/security",
    "/about",
)
FORM_NAMES: tuple[str, ...] = ("contact_us", "newsletter_signup", "ebook_download", "event_signup")
BUYING_TIMELINES: tuple[str, ...] = ("0-3 months", "3-6 months", "6-12 months", "no timeline")
UNKNOWN_EVENT_TYPES: tuple[str, ...] = ("tweet_like", "Page View", "video_play", "podcast_listen")
UNREADABLE_TIMESTAMPS: tuple[str, ...] = (
    "2025-13-45 25:61:00",
    "yesterday",
    "31/02/2025",
    "not a date",
    "2025-06-31 12:00:00",
)


def _read_seed_column(file_name: str, column: str) -> tuple[str, ...]:
    with open(project_dir() / "seeds" / file_name, encoding="utf-8", newline="") as fh:
        return tuple(row[column].strip() for row in csv.DictReader(fh) if row[column].strip())


@lru_cache(maxsize=1)
def engagement_event_types() -> tuple[str, ...]:
    """Engagement event types, exactly as the seed lists them."""
    return _read_seed_column("engagement_event_types.csv", "event_type")


@lru_cache(maxsize=1)
def product_usage_event_types() -> tuple[str, ...]:
    """Product-usage event types, exactly as the seed lists them."""
    return _read_seed_column("product_usage_event_types.csv", "event_type")


@lru_cache(maxsize=1)
def lead_statuses() -> tuple[str, ...]:
    """Lead statuses, exactly as the seed lists them."""
    return _read_seed_column("lead_statuses.csv", "status")


@lru_cache(maxsize=1)
def free_mail_domains() -> tuple[str, ...]:
    """Consumer mail domains: a lead using one gives no company to score."""
    return _read_seed_column("free_mail_domains.csv", "domain")
