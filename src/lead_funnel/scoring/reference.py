"""A reference implementation of lead scoring, written to be read next to the spec.

The dbt models in `models/marts/scoring/` compute lead scores set-wise in SQL. This module
computes the same numbers one lead at a time, one rule at a time, in the order the spec
(`models/marts/scoring/_scoring__docs.md`) describes them, so that the two can be compared on
generated data. It favours obviousness over speed: every step is a small function whose
docstring quotes or paraphrases the sentence of the spec it implements.

The rules are read from the same seed files the dbt project loads (`load_rules`); nothing about
the rule set is hard-coded here.
"""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

#: A score equal to the threshold "on paper" may miss it by a floating-point rounding error;
#: the spec allows this much slack on the threshold comparison.
MQL_TOLERANCE = 1e-9

SECONDS_PER_DAY = 86400

#: Attributes derived from a number through `scoring_bands`, and the profile field they read.
BAND_SOURCES = {"employee_band": "employee_count", "revenue_band": "annual_revenue"}


# --------------------------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoringModel:
    """One row of `scoring_models`: a named rule set with its MQL threshold and fit gate."""

    name: str
    mql_threshold: float
    min_fit_score: float
    is_default: bool
    #: `reset_behavior`: behaviour earned up to a recycle stops counting; `keep`: it counts on.
    on_recycle: str = "reset_behavior"
    #: Whether a `sales_rejected` status resets behaviour too (as a recycle does).
    reset_on_rejection: bool = False
    #: The MQL condition needs positive engagement within this many days; None = no gate.
    requires_activity_within_days: float | None = None
    #: The threshold route also needs behaviour (engagement + intent + negative) of at least this.
    min_behavior_score: float = 0.0

    def resets_on(self, status: str) -> bool:
        """Whether a lead status change of this kind resets behaviour under this model."""
        if self.on_recycle == "keep":
            return False
        return status == "recycled" or (status == "sales_rejected" and self.reset_on_rejection)


@dataclass(frozen=True)
class FitRule:
    """One row of `scoring_fit_rules`: points for an attribute having a given value."""

    scoring_model: str
    rule_id: str
    attribute: str
    attribute_value: str
    points: float
    is_disqualifying: bool


DECAY_KINDS = ("none", "half_life", "lifespan", "linear")


@dataclass(frozen=True)
class BehaviorRule:
    """One row of `scoring_behavior_rules`: points for an engagement event, with caps and decay.

    `property_name`/`property_value` narrow the rule to events whose JSON properties hold that
    key with exactly that value. The optional numbers are None when the seed cell is empty.
    `decay_kind` is one of `DECAY_KINDS`; `lifespan_days` may also cut off a half-life.
    """

    scoring_model: str
    rule_id: str
    event_type: str
    property_name: str | None
    property_value: str | None
    dimension: str
    points: float
    is_repeatable: bool
    cap_count: int | None
    cap_period_days: float | None
    half_life_days: float | None
    lifespan_days: float | None
    score_group: str | None = None
    decay_kind: str = "none"
    linear_decay_days: float | None = None

    def __post_init__(self) -> None:
        needs = {
            "half_life": "half_life_days",
            "lifespan": "lifespan_days",
            "linear": "linear_decay_days",
        }
        if self.decay_kind not in DECAY_KINDS:
            raise ValueError(
                f"rule {self.rule_id}: decay_kind {self.decay_kind!r} not in {DECAY_KINDS}"
            )
        needed = needs.get(self.decay_kind)
        if needed is not None and getattr(self, needed) is None:
            raise ValueError(f"rule {self.rule_id}: decay_kind {self.decay_kind} needs {needed}")

    @property
    def expires_after_seconds(self) -> float | None:
        """Age in seconds from which an occurrence is worth 0 (lifespan or linear end)."""
        if self.decay_kind == "linear":
            return self.linear_decay_days * SECONDS_PER_DAY
        if self.decay_kind in ("lifespan", "half_life") and self.lifespan_days is not None:
            return self.lifespan_days * SECONDS_PER_DAY
        return None


@dataclass(frozen=True)
class ScoreGroup:
    """One row of `scoring_groups`: the most a group of behaviour rules may add at any time."""

    scoring_model: str
    score_group: str
    max_points: float | None


@dataclass(frozen=True)
class Suppression:
    """One row of `scoring_suppression`: an event type that keeps a lead from becoming an MQL
    until a later event of `lifts_on_event_type`."""

    scoring_model: str
    event_type: str
    lifts_on_event_type: str


@dataclass(frozen=True)
class TitlePattern:
    """One row of `scoring_title_patterns`: a lower-case substring that implies an attribute."""

    title_pattern: str
    attribute: str
    attribute_value: str
    priority: float


@dataclass(frozen=True)
class Band:
    """One row of `scoring_bands`: `lower_bound <= value < upper_bound`, None = unbounded."""

    attribute: str
    attribute_value: str
    lower_bound: float | None
    upper_bound: float | None


@dataclass(frozen=True)
class GradeBand:
    """One row of `scoring_grade_bands`: `min_score <= score < max_score`, None = open."""

    scoring_model: str
    grade_dimension: str
    grade: str
    min_score: float | None
    max_score: float | None


@dataclass(frozen=True)
class Rules:
    """Every seed the scoring reads, parsed once."""

    models: Mapping[str, ScoringModel]
    fit_rules: Sequence[FitRule]
    behavior_rules: Sequence[BehaviorRule]
    fast_track_event_types: Mapping[str, frozenset[str]]
    title_patterns: Sequence[TitlePattern]
    bands: Sequence[Band]
    regions: Mapping[str, str]
    competitor_domains: frozenset[str]
    free_mail_domains: frozenset[str]
    grade_bands: Sequence[GradeBand]
    groups: Mapping[tuple[str, str], ScoreGroup] = field(default_factory=dict)
    suppressions: Sequence[Suppression] = ()

    def model(self, name: str) -> ScoringModel:
        """The scoring model called `name`; a KeyError names the known ones."""
        try:
            return self.models[name]
        except KeyError:
            raise KeyError(
                f"unknown scoring model {name!r}; known: {sorted(self.models)}"
            ) from None

    def fit_rules_of(self, model_name: str) -> list[FitRule]:
        return [rule for rule in self.fit_rules if rule.scoring_model == model_name]

    def behavior_rules_of(self, model_name: str) -> list[BehaviorRule]:
        return [rule for rule in self.behavior_rules if rule.scoring_model == model_name]

    def group_max(self, model_name: str, group: str | None) -> float | None:
        """The maximum of a score group, None when the group has none (or no group)."""
        if group is None:
            return None
        found = self.groups.get((model_name, group))
        return None if found is None else found.max_points

    def suppressions_of(self, model_name: str) -> dict[str, frozenset[str]]:
        """Suppressing event type -> the event types that lift it, for one model."""
        lifts: dict[str, set[str]] = defaultdict(set)
        for row in self.suppressions:
            if row.scoring_model == model_name:
                lifts[row.event_type].add(row.lifts_on_event_type)
        return {event_type: frozenset(types) for event_type, types in lifts.items()}


def _text(value: str | None) -> str | None:
    """A seed cell as text, None when empty (dbt loads empty CSV cells as null)."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def _number(value: str | None) -> float | None:
    text = _text(value)
    return None if text is None else float(text)


def _integer(value: str | None) -> int | None:
    text = _text(value)
    return None if text is None else int(text)


def _boolean(value: str | None) -> bool:
    text = _text(value)
    return text is not None and text.lower() in {"true", "t", "1", "yes"}


def _read_seed(seed_dir: Path, name: str, optional: bool = False) -> list[dict[str, str]]:
    """Rows of seed `name`.csv, found anywhere under `seed_dir` (seeds live in sub-folders)."""
    matches = sorted(seed_dir.rglob(f"{name}.csv"))
    if not matches:
        if optional:
            return []
        raise FileNotFoundError(f"seed {name}.csv not found under {seed_dir}")
    with matches[0].open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load_rules(seed_dir: Path | None = None) -> Rules:
    """Read the scoring seeds (default: the project's `seeds/` folder) into `Rules`."""
    if seed_dir is None:
        from lead_funnel import paths

        seed_dir = paths.project_dir() / "seeds"
    seed_dir = Path(seed_dir)

    models = {
        row["scoring_model"]: ScoringModel(
            name=row["scoring_model"],
            mql_threshold=float(row["mql_threshold"]),
            min_fit_score=float(row["min_fit_score"]),
            is_default=_boolean(row.get("is_default")),
            on_recycle=_text(row.get("on_recycle")) or "reset_behavior",
            reset_on_rejection=_boolean(row.get("reset_on_rejection")),
            requires_activity_within_days=_number(row.get("requires_activity_within_days")),
            min_behavior_score=_number(row.get("min_behavior_score")) or 0.0,
        )
        for row in _read_seed(seed_dir, "scoring_models")
    }
    fit_rules = [
        FitRule(
            scoring_model=row["scoring_model"],
            rule_id=row["rule_id"],
            attribute=row["attribute"],
            attribute_value=row["attribute_value"],
            points=float(row["points"]),
            is_disqualifying=_boolean(row["is_disqualifying"]),
        )
        for row in _read_seed(seed_dir, "scoring_fit_rules")
    ]
    behavior_rules = [
        BehaviorRule(
            scoring_model=row["scoring_model"],
            rule_id=row["rule_id"],
            event_type=row["event_type"],
            property_name=_text(row["property_name"]),
            property_value=_text(row["property_value"]),
            dimension=row["dimension"],
            points=float(row["points"]),
            is_repeatable=_boolean(row["is_repeatable"]),
            cap_count=_integer(row["cap_count"]),
            cap_period_days=_number(row["cap_period_days"]),
            half_life_days=_number(row["half_life_days"]),
            lifespan_days=_number(row["lifespan_days"]),
            score_group=_text(row.get("score_group")),
            decay_kind=_text(row.get("decay_kind")) or "none",
            linear_decay_days=_number(row.get("linear_decay_days")),
        )
        for row in _read_seed(seed_dir, "scoring_behavior_rules")
    ]
    groups = {
        (row["scoring_model"], row["score_group"]): ScoreGroup(
            scoring_model=row["scoring_model"],
            score_group=row["score_group"],
            max_points=_number(row["max_points"]),
        )
        for row in _read_seed(seed_dir, "scoring_groups", optional=True)
    }
    suppressions = [
        Suppression(row["scoring_model"], row["event_type"], row["lifts_on_event_type"])
        for row in _read_seed(seed_dir, "scoring_suppression", optional=True)
    ]
    fast_track: dict[str, set[str]] = defaultdict(set)
    for row in _read_seed(seed_dir, "scoring_fast_track_events"):
        fast_track[row["scoring_model"]].add(row["event_type"])
    title_patterns = [
        TitlePattern(
            title_pattern=row["title_pattern"],
            attribute=row["attribute"],
            attribute_value=row["attribute_value"],
            priority=float(row["priority"]),
        )
        for row in _read_seed(seed_dir, "scoring_title_patterns")
    ]
    bands = [
        Band(
            attribute=row["attribute"],
            attribute_value=row["attribute_value"],
            lower_bound=_number(row["lower_bound"]),
            upper_bound=_number(row["upper_bound"]),
        )
        for row in _read_seed(seed_dir, "scoring_bands")
    ]
    regions = {row["country"]: row["region"] for row in _read_seed(seed_dir, "scoring_regions")}
    competitors = frozenset(row["domain"] for row in _read_seed(seed_dir, "competitor_domains"))
    free_mail = frozenset(row["domain"] for row in _read_seed(seed_dir, "free_mail_domains"))
    grade_bands = [
        GradeBand(
            scoring_model=row["scoring_model"],
            grade_dimension=row["grade_dimension"],
            grade=row["grade"],
            min_score=_number(row["min_score"]),
            max_score=_number(row["max_score"]),
        )
        for row in _read_seed(seed_dir, "scoring_grade_bands")
    ]
    return Rules(
        models=models,
        fit_rules=fit_rules,
        behavior_rules=behavior_rules,
        fast_track_event_types={name: frozenset(types) for name, types in fast_track.items()},
        title_patterns=title_patterns,
        bands=bands,
        regions=regions,
        competitor_domains=competitors,
        free_mail_domains=free_mail,
        grade_bands=grade_bands,
        groups=groups,
        suppressions=suppressions,
    )


# --------------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LeadProfile:
    """What fit is computed from: the lead's staged attributes and its account's.

    Values are expected as staging leaves them: industry and email domain lower-case, countries
    upper-case, the job title trimmed. Missing values are None.
    """

    lead_id: str
    job_title: str | None = None
    email_domain: str | None = None
    country: str | None = None
    industry: str | None = None
    employee_count: float | None = None
    annual_revenue: float | None = None
    account_country: str | None = None
    account_domain: str | None = None


@dataclass(frozen=True)
class Event:
    """One staged engagement event. `lead_id` is only needed by `score_population`."""

    event_id: str
    event_type: str
    occurred_at: datetime
    properties: str | None = None
    lead_id: str | None = None


@dataclass(frozen=True)
class StatusChange:
    """One staged lead status change; only `recycled` and `sales_rejected` matter to scoring."""

    changed_at: datetime
    status: str
    lead_id: str | None = None


@dataclass(frozen=True)
class LeadRecord:
    """A lead as a population: its profile, when it was created and whom it was merged into."""

    profile: LeadProfile
    created_at: datetime
    merged_into_lead_id: str | None = None

    @property
    def lead_id(self) -> str:
        return self.profile.lead_id


def email_domain(email: str | None) -> str | None:
    """The domain of an email as staging derives it: the part after the first '@'.

    Staging keeps a domain only for emails shaped like `x@y` (at least one character on each
    side), after trimming and lower-casing; anything else has no domain.
    """
    if email is None:
        return None
    email = email.strip().lower()
    local, at, rest = email.partition("@")
    if not at or not local or not rest:
        return None
    return rest.split("@", 1)[0]


def account_domain_key(domain: str | None) -> str | None:
    """An account's domain as matching reads it: trimmed, lower-case, less a scheme
    (http:// or https://), a path, a port and a leading www."""
    if domain is None:
        return None
    text = domain.strip().lower()
    for scheme in ("https://", "http://"):
        if text.startswith(scheme):
            text = text[len(scheme) :]
            break
    text = text.split("/", 1)[0].split(":", 1)[0]
    if text.startswith("www."):
        text = text[4:]
    return text


@dataclass(frozen=True)
class AccountCandidate:
    """An account that leads may be matched to by email domain."""

    account_id: str
    domain: str | None
    created_at: datetime | None = None
    crm_lead_count: int = 0


def match_account(
    email_domain: str | None,
    accounts: Iterable[AccountCandidate],
    free_mail_domains: frozenset[str],
) -> str | None:
    """The account a lead without a CRM account belongs to by its business email domain.

    The email domain and its parents that still hold a dot (mail.eu.acme.com, eu.acme.com,
    acme.com; at most three labels dropped) are tried in that order against the accounts'
    domains; free-mail domains never match, on either side. Of several accounts with the
    matched domain, the one with the most CRM-linked leads wins, then the earliest created
    (unknown last), then the lowest account_id.
    """
    if email_domain is None or email_domain in free_mail_domains:
        return None
    by_domain: dict[str, list[AccountCandidate]] = {}
    for account in accounts:
        key = account_domain_key(account.domain)
        if key is None or key in free_mail_domains or not _has_inner_dot(key):
            continue
        by_domain.setdefault(key, []).append(account)
    candidate = email_domain
    for level in range(4):
        if level > 0:
            if candidate.count(".") < 2 or not _has_inner_dot(candidate.split(".", 1)[1]):
                return None
            candidate = candidate.split(".", 1)[1]
        if candidate in by_domain:
            best = min(
                by_domain[candidate],
                key=lambda a: (
                    -a.crm_lead_count,
                    a.created_at is None,
                    a.created_at or datetime.min,
                    a.account_id,
                ),
            )
            return best.account_id
    return None


def _has_inner_dot(domain: str) -> bool:
    """A dot with at least one character on each side (SQL: like '%_._%')."""
    return "." in domain[1:-1]


# --------------------------------------------------------------------------------------------
# Fit
# --------------------------------------------------------------------------------------------


def band_of(rules: Rules, attribute: str, value: float | None) -> str | None:
    """The band `value` falls in: lower bound inclusive, upper bound exclusive, empty = no limit.

    The seed's bands do not overlap; should they, the first listed wins.
    """
    if value is None:
        return None
    for band in rules.bands:
        if band.attribute != attribute:
            continue
        above_lower = band.lower_bound is None or value >= band.lower_bound
        below_upper = band.upper_bound is None or value < band.upper_bound
        if above_lower and below_upper:
            return band.attribute_value
    return None


def title_attributes(rules: Rules, job_title: str | None) -> dict[str, str]:
    """Persona and seniority implied by a job title.

    A pattern matches when it is a substring of the lower-cased title. Per attribute the
    matching pattern with the highest priority wins, ties go to the alphabetically first
    pattern. Substring matching is taken literally: "director" contains "cto".
    """
    if not job_title:
        return {}
    title = job_title.lower()
    best: dict[str, TitlePattern] = {}
    for pattern in rules.title_patterns:
        if pattern.title_pattern not in title:
            continue
        current = best.get(pattern.attribute)
        if current is None or (-pattern.priority, pattern.title_pattern) < (
            -current.priority,
            current.title_pattern,
        ):
            best[pattern.attribute] = pattern
    return {attribute: pattern.attribute_value for attribute, pattern in best.items()}


def lead_attributes(rules: Rules, lead: LeadProfile) -> dict[str, str | None]:
    """Every attribute a fit rule can test, as text (None when the lead has no value)."""
    country = lead.country if lead.country is not None else lead.account_country
    if lead.email_domain is None:
        email_type = None
    elif lead.email_domain in rules.free_mail_domains:
        email_type = "free_mail"
    else:
        email_type = "business"
    is_competitor = any(
        domain is not None and domain in rules.competitor_domains
        for domain in (lead.email_domain, lead.account_domain)
    )
    attributes: dict[str, str | None] = {
        "industry": lead.industry,
        "country": country,
        "region": rules.regions.get(country) if country is not None else None,
        "email_type": email_type,
        "is_competitor": "true" if is_competitor else "false",
        "persona": None,
        "seniority": None,
    }
    for attribute, source_field in BAND_SOURCES.items():
        attributes[attribute] = band_of(rules, attribute, getattr(lead, source_field))
    attributes.update(title_attributes(rules, lead.job_title))
    return attributes


def matched_fit_rules(rules: Rules, model_name: str, lead: LeadProfile) -> list[FitRule]:
    """Every fit rule of the model whose attribute has the rule's value for this lead."""
    attributes = lead_attributes(rules, lead)
    return [
        rule
        for rule in rules.fit_rules_of(model_name)
        if attributes.get(rule.attribute) is not None
        and attributes[rule.attribute] == rule.attribute_value
    ]


# --------------------------------------------------------------------------------------------
# Behaviour: matching, occurrences and caps
# --------------------------------------------------------------------------------------------


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not valid JSON")


def parse_properties(properties: str | None) -> dict | None:
    """The event's properties as a JSON object; None when absent, invalid or not an object.

    Strict JSON: Python's extensions (NaN, Infinity) count as invalid.
    """
    if properties is None:
        return None
    try:
        parsed = json.loads(properties, parse_constant=_reject_constant)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def event_matches(rule: BehaviorRule, event: Event) -> bool:
    """An event matches a rule when the event types are equal and, if the rule names a
    property, the JSON properties hold that key with exactly the rule's value."""
    if event.event_type != rule.event_type:
        return False
    if rule.property_name is None:
        return True
    parsed = parse_properties(event.properties)
    if parsed is None or rule.property_name not in parsed:
        return False
    value = parsed[rule.property_name]
    return isinstance(value, str) and value == rule.property_value


def ordered(events: Iterable[Event]) -> list[Event]:
    """A lead's events by `occurred_at`, then `event_id` in text order."""
    return sorted(events, key=lambda event: (event.occurred_at, event.event_id))


#: Cap periods are consecutive blocks of `cap_period_days` counted from this moment (a Monday,
#: 2000-01-03 00:00:00 UTC), so 1-day periods are UTC days and 7-day periods ISO weeks.
CAP_PERIOD_ORIGIN = datetime(2000, 1, 3)


def epoch_seconds(at: datetime) -> float:
    """Seconds since 1970-01-01 00:00:00 (timestamps are naive UTC)."""
    return (at - datetime(1970, 1, 1)).total_seconds()


def cap_period(rule: BehaviorRule, at: datetime) -> int:
    """The number of the cap period holding moment `at`: floor(seconds since the origin /
    (cap_period_days * 86400)). Periods are calendar-aligned, the same for every lead."""
    seconds = (at - CAP_PERIOD_ORIGIN).total_seconds()
    return math.floor(seconds / (rule.cap_period_days * SECONDS_PER_DAY))


def reset_moments(
    model: ScoringModel, changes: Iterable[StatusChange], as_of: datetime
) -> list[datetime]:
    """The moments at which the model resets a lead's behaviour, ascending, up to `as_of`."""
    return sorted(
        {c.changed_at for c in changes if c.changed_at <= as_of and model.resets_on(c.status)}
    )


def segment_of(
    resets: Sequence[datetime], at: datetime, inclusive: bool = False
) -> datetime | None:
    """The scoring segment of moment `at`: the latest reset strictly before it (or at it, with
    `inclusive`, for the as-of evaluation); None before any reset.

    An event at the very moment of a reset is ordered before the reset, so its points are
    dropped by it; the as-of moment comes after everything at its own timestamp.
    """
    found = None
    for reset in resets:
        if reset < at or (inclusive and reset == at):
            found = reset
    return found


@dataclass(frozen=True)
class Occurrence:
    """One (event, rule) match, numbered per rule and segment, with whether the caps let it
    count, and the scoring segment (the reset it follows, None before any) it belongs to."""

    event: Event
    rule: BehaviorRule
    number: int
    is_counted: bool
    segment: datetime | None = None

    @property
    def occurred_at(self) -> datetime:
        return self.event.occurred_at


def is_counted(rule: BehaviorRule, number: int, number_in_period: int) -> bool:
    """Whether an occurrence counts, given its 1-based number within its segment and within
    its cap period (of that segment).

    - not repeatable: only the segment's first occurrence counts;
    - cap_count with cap_period_days: at most cap_count count per period; a lead that keeps
      engaging earns cap_count in every period;
    - cap_count alone: the segment's first cap_count count;
    - neither: every occurrence counts.
    """
    if not rule.is_repeatable:
        return number == 1
    if rule.cap_count is None:
        return True
    if rule.cap_period_days is None:
        return number <= rule.cap_count
    return number_in_period <= rule.cap_count


def occurrences_of(
    rules: Sequence[BehaviorRule], events: Sequence[Event], resets: Sequence[datetime] = ()
) -> list[Occurrence]:
    """Every (event, rule) match in event order, numbered per rule and segment, and capped.

    Caps are decided here, on occurrences, before any decay: a capped occurrence is worth
    nothing at any time. A reset starts the numbering (and the cap periods' counts) afresh.
    """
    numbers: dict[tuple, int] = defaultdict(int)
    in_period: dict[tuple, int] = defaultdict(int)
    result = []
    for event in ordered(events):
        segment = segment_of(resets, event.occurred_at)
        for rule in rules:
            if not event_matches(rule, event):
                continue
            numbers[(rule.rule_id, segment)] += 1
            period = (
                cap_period(rule, event.occurred_at) if rule.cap_period_days is not None else None
            )
            in_period[(rule.rule_id, segment, period)] += 1
            result.append(
                Occurrence(
                    event=event,
                    rule=rule,
                    number=numbers[(rule.rule_id, segment)],
                    is_counted=is_counted(
                        rule,
                        numbers[(rule.rule_id, segment)],
                        in_period[(rule.rule_id, segment, period)],
                    ),
                    segment=segment,
                )
            )
    return result


# --------------------------------------------------------------------------------------------
# Decay and evaluation
# --------------------------------------------------------------------------------------------


def age_in_days(occurred_at: datetime, at: datetime) -> float:
    """T - t in days, from seconds / 86400."""
    return (at - occurred_at).total_seconds() / SECONDS_PER_DAY


def decayed(rule: BehaviorRule, occurred_at: datetime, at: datetime) -> float:
    """What one counted occurrence of `rule` at `occurred_at` is worth at time `at`.

    By `decay_kind` (age = T - t in days, from seconds / 86400):
    - `none`: the points;
    - `half_life`: `points * 0.5 ^ (age / half_life_days)`, and 0 from `lifespan_days` if set;
    - `lifespan`: the points until the age reaches `lifespan_days`, then 0;
    - `linear`: `points * (1 - age / linear_decay_days)`, 0 from `linear_decay_days` on.
    An occurrence expires when its age in seconds reaches `days * 86400`. Negative points
    decay the same way.
    """
    age_seconds = (at - occurred_at).total_seconds()
    expires = rule.expires_after_seconds
    if expires is not None and age_seconds >= expires:
        return 0.0
    if rule.decay_kind == "half_life":
        return rule.points * 0.5 ** ((age_seconds / SECONDS_PER_DAY) / rule.half_life_days)
    if rule.decay_kind == "linear":
        return rule.points * (1.0 - (age_seconds / SECONDS_PER_DAY) / rule.linear_decay_days)
    return rule.points


def worth(occurrence: Occurrence, at: datetime) -> float:
    """What an occurrence is worth at `at`: its decayed points if the caps counted it, else 0.
    (Whether it still belongs to the current segment is the caller's concern.)"""
    if not occurrence.is_counted:
        return 0.0
    return decayed(occurrence.rule, occurrence.occurred_at, at)


@dataclass(frozen=True)
class Snapshot:
    """The scores at one moment; `lead_score` is the raw score clamped to 0..100.

    `group_adjustments` holds, per capped score group, the (negative) points the group's cap
    removed; they are already included in the dimension scores.
    """

    fit_score: float
    engagement_score: float
    intent_score: float
    negative_score: float
    group_adjustments: Mapping[str, float] = field(default_factory=dict)

    @property
    def raw_score(self) -> float:
        return self.fit_score + self.engagement_score + self.intent_score + self.negative_score

    @property
    def lead_score(self) -> float:
        """Clamping happens last, once, on the total; dimensions are never clamped."""
        return min(100.0, max(0.0, self.raw_score))


def group_adjustments(
    rules: Rules, model_name: str, worth_by_rule: Mapping[BehaviorRule, float]
) -> dict[str, tuple[str, float]]:
    """Per score group whose summed worth exceeds its maximum: (dimension, max - sum)."""
    sums: dict[str, float] = defaultdict(float)
    dimension_of: dict[str, str] = {}
    for rule, value in worth_by_rule.items():
        if rule.score_group is None:
            continue
        sums[rule.score_group] += value
        dimension_of[rule.score_group] = rule.dimension
    result = {}
    for group, total in sorted(sums.items()):
        maximum = rules.group_max(model_name, group)
        if maximum is not None and total > maximum:
            result[group] = (dimension_of[group], maximum - total)
    return result


def evaluate(
    rules: Rules,
    model_name: str,
    fit_score: float,
    occurrences: Iterable[Occurrence],
    at: datetime,
    segment: datetime | None,
) -> Snapshot:
    """Sum the decayed worth of the segment's occurrences per dimension at time `at`, each
    score group capped at its maximum."""
    worth_by_rule: dict[BehaviorRule, float] = defaultdict(float)
    for occurrence in occurrences:
        if occurrence.segment != segment:
            continue
        worth_by_rule[occurrence.rule] += worth(occurrence, at)
    dimensions = {"engagement": 0.0, "intent": 0.0, "negative": 0.0}
    for rule, value in worth_by_rule.items():
        if rule.dimension not in dimensions:
            raise ValueError(f"rule {rule.rule_id} has unknown dimension {rule.dimension!r}")
        dimensions[rule.dimension] += value
    adjustments = group_adjustments(rules, model_name, worth_by_rule)
    for dimension, adjustment in adjustments.values():
        dimensions[dimension] += adjustment
    return Snapshot(
        fit_score=fit_score,
        engagement_score=dimensions["engagement"],
        intent_score=dimensions["intent"],
        negative_score=dimensions["negative"],
        group_adjustments={group: value for group, (_, value) in adjustments.items()},
    )


def grade_for(rules: Rules, model_name: str, dimension: str, score: float) -> str | None:
    """The grade whose band holds `score`: min inclusive, max exclusive, empty = open."""
    for band in rules.grade_bands:
        if band.scoring_model != model_name or band.grade_dimension != dimension:
            continue
        above_min = band.min_score is None or score >= band.min_score
        below_max = band.max_score is None or score < band.max_score
        if above_min and below_max:
            return band.grade
    return None


# --------------------------------------------------------------------------------------------
# Suppression and recency
# --------------------------------------------------------------------------------------------


@dataclass
class LeadState:
    """Suppression and recency right after an event (or at the as-of moment)."""

    suppressed_by: str | None = None
    last_engaged_at: datetime | None = None


def advance_state(
    state: LeadState,
    event: Event,
    lifts: Mapping[str, frozenset[str]],
    active_since: dict[str, bool],
    is_engagement: bool,
) -> None:
    """Apply one event (in order) to the lead's suppression and recency state.

    A suppressing event type suppresses the lead until a later event of one of the types that
    lift it; the lifting event itself is evaluated unsuppressed. With several suppressions the
    lead stays suppressed while any holds; the reason is the latest suppressing event's type.
    An engagement (an event matching a rule of the model with positive points, counted or not)
    sets `last_engaged_at`.
    """
    for suppressing, lifting in lifts.items():
        if event.event_type in lifting:
            active_since.pop(suppressing, None)
    if event.event_type in lifts:
        active_since.pop(event.event_type, None)
        active_since[event.event_type] = True  # re-inserted last: the latest reason
    state.suppressed_by = next(reversed(active_since), None) if active_since else None
    if is_engagement:
        state.last_engaged_at = event.occurred_at


def is_recent(model: ScoringModel, last_engaged_at: datetime | None, at: datetime) -> bool:
    """The recency gate: true without `requires_activity_within_days`; else an engagement at
    most that many days (age in seconds <= days * 86400) before `at`."""
    days = model.requires_activity_within_days
    if days is None:
        return True
    if last_engaged_at is None:
        return False
    return (at - last_engaged_at).total_seconds() <= days * SECONDS_PER_DAY


# --------------------------------------------------------------------------------------------
# Scoring one lead
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryRow:
    """The score right after one scoring event, evaluated at that event's `occurred_at`."""

    event_id: str
    event_type: str
    occurred_at: datetime
    fit_score: float
    engagement_score: float
    intent_score: float
    negative_score: float
    raw_score: float
    lead_score: float
    is_mql_eligible: bool
    mql_trigger: str | None
    behavior_reset_at: datetime | None = None
    is_suppressed: bool = False
    last_engaged_at: datetime | None = None


@dataclass
class LeadScore:
    """Everything the spec derives for one lead under one scoring model as of one moment."""

    lead_id: str
    scoring_model: str
    scored_as_of: datetime
    fit_score: float
    engagement_score: float
    intent_score: float
    negative_score: float
    raw_score: float
    lead_score: float
    is_fit_disqualified: bool
    fit_grade: str | None
    engagement_grade: str | None
    lead_grade: str | None
    marketing_qualified_at: datetime | None
    mql_trigger: str | None
    mql_trigger_event_id: str | None
    history: list[HistoryRow] = field(default_factory=list)
    #: rule_id (or `group_cap:<group>`) -> contribution at the as-of moment.
    components: dict[str, float] = field(default_factory=dict)
    #: Per behaviour rule with an occurrence up to as_of: (occurrences, counted occurrences in
    #: the current segment).
    occurrence_counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    behavior_reset_at: datetime | None = None
    is_suppressed: bool = False
    suppressed_reason: str | None = None
    last_engaged_at: datetime | None = None


def mql_trigger(
    model: ScoringModel,
    snapshot: Snapshot,
    event_type: str,
    fast_track_types: frozenset[str],
    is_fit_disqualified: bool,
    is_suppressed: bool = False,
    is_recent_enough: bool = True,
) -> str | None:
    """Which MQL condition holds right after a scoring event, or None.

    Never for a fit-disqualified or suppressed lead, nor without recent engagement when the
    model asks for it. `threshold` when the lead score reaches the threshold (less 1e-9) and fit
    reaches the gate; else `fast_track` when the event's type is a fast-track type of the
    model. Threshold wins when both hold. The threshold route also needs the behaviour part of
    the score (engagement + intent + negative) to reach the model's `min_behavior_score` (less
    1e-9): fit alone never makes an MQL.
    """
    if is_fit_disqualified or is_suppressed or not is_recent_enough:
        return None
    reaches_threshold = snapshot.lead_score >= model.mql_threshold - MQL_TOLERANCE
    behavior = snapshot.raw_score - snapshot.fit_score
    engaged_enough = behavior >= model.min_behavior_score - MQL_TOLERANCE
    if reaches_threshold and snapshot.fit_score >= model.min_fit_score and engaged_enough:
        return "threshold"
    if event_type in fast_track_types:
        return "fast_track"
    return None


def score_lead(
    rules: Rules,
    model_name: str,
    lead: LeadProfile,
    events: Iterable[Event],
    as_of: datetime,
    status_changes: Iterable[StatusChange] = (),
) -> LeadScore:
    """Score one (surviving) lead under one model, as of `as_of`.

    `events` are all the lead's engagement events, including those of leads merged into it;
    `status_changes` its lead status changes (only resets matter). Anything after `as_of` is
    ignored.
    """
    model = rules.model(model_name)
    fast_track_types = rules.fast_track_event_types.get(model_name, frozenset())
    behavior_rules = rules.behavior_rules_of(model_name)
    lifts = rules.suppressions_of(model_name)
    resets = reset_moments(model, status_changes, as_of)

    fit_matches = matched_fit_rules(rules, model_name, lead)
    fit_score = sum(rule.points for rule in fit_matches)
    is_fit_disqualified = any(rule.is_disqualifying for rule in fit_matches)

    visible = ordered(event for event in events if event.occurred_at <= as_of)
    occurrences = occurrences_of(behavior_rules, visible, resets)
    occurrences_by_event: dict[str, list[Occurrence]] = defaultdict(list)
    for occurrence in occurrences:
        occurrences_by_event[occurrence.event.event_id].append(occurrence)

    history: list[HistoryRow] = []
    so_far: list[Occurrence] = []
    state = LeadState()
    active_since: dict[str, bool] = {}
    for event in visible:
        own = occurrences_by_event.get(event.event_id, [])
        so_far.extend(own)
        is_engagement = any(occurrence.rule.points > 0 for occurrence in own)
        advance_state(state, event, lifts, active_since, is_engagement)
        if not own and event.event_type not in fast_track_types:
            continue  # not a scoring event: no rule matched and not a fast-track type
        segment = segment_of(resets, event.occurred_at)
        snapshot = evaluate(rules, model_name, fit_score, so_far, event.occurred_at, segment)
        trigger = mql_trigger(
            model,
            snapshot,
            event.event_type,
            fast_track_types,
            is_fit_disqualified,
            is_suppressed=state.suppressed_by is not None,
            is_recent_enough=is_recent(model, state.last_engaged_at, event.occurred_at),
        )
        history.append(
            HistoryRow(
                event_id=event.event_id,
                event_type=event.event_type,
                occurred_at=event.occurred_at,
                fit_score=snapshot.fit_score,
                engagement_score=snapshot.engagement_score,
                intent_score=snapshot.intent_score,
                negative_score=snapshot.negative_score,
                raw_score=snapshot.raw_score,
                lead_score=snapshot.lead_score,
                is_mql_eligible=trigger is not None,
                mql_trigger=trigger,
                behavior_reset_at=segment,
                is_suppressed=state.suppressed_by is not None,
                last_engaged_at=state.last_engaged_at,
            )
        )

    first_mql = next((row for row in history if row.is_mql_eligible), None)
    current = segment_of(resets, as_of, inclusive=True)
    final = evaluate(rules, model_name, fit_score, occurrences, as_of, current)

    components: dict[str, float] = {rule.rule_id: rule.points for rule in fit_matches}
    occurrence_counts: dict[str, tuple[int, int]] = {}
    for occurrence in occurrences:
        rule_id = occurrence.rule.rule_id
        in_segment = occurrence.segment == current
        value = worth(occurrence, as_of) if in_segment else 0.0
        components[rule_id] = components.get(rule_id, 0.0) + value
        seen, counted = occurrence_counts.get(rule_id, (0, 0))
        occurrence_counts[rule_id] = (seen + 1, counted + (occurrence.is_counted and in_segment))
    for group, adjustment in final.group_adjustments.items():
        components[f"group_cap:{group}"] = adjustment

    fit_grade = "D" if is_fit_disqualified else grade_for(rules, model_name, "fit", fit_score)
    behaviour_total = final.engagement_score + final.intent_score + final.negative_score
    engagement_grade = grade_for(rules, model_name, "engagement", behaviour_total)
    lead_grade = (
        fit_grade + engagement_grade
        if fit_grade is not None and engagement_grade is not None
        else None
    )

    return LeadScore(
        lead_id=lead.lead_id,
        scoring_model=model_name,
        scored_as_of=as_of,
        fit_score=final.fit_score,
        engagement_score=final.engagement_score,
        intent_score=final.intent_score,
        negative_score=final.negative_score,
        raw_score=final.raw_score,
        lead_score=final.lead_score,
        is_fit_disqualified=is_fit_disqualified,
        fit_grade=fit_grade,
        engagement_grade=engagement_grade,
        lead_grade=lead_grade,
        marketing_qualified_at=first_mql.occurred_at if first_mql else None,
        mql_trigger=first_mql.mql_trigger if first_mql else None,
        mql_trigger_event_id=first_mql.event_id if first_mql else None,
        history=history,
        components=components,
        occurrence_counts=occurrence_counts,
        behavior_reset_at=current,
        is_suppressed=state.suppressed_by is not None,
        suppressed_reason=state.suppressed_by,
        last_engaged_at=state.last_engaged_at,
    )


# --------------------------------------------------------------------------------------------
# Merged leads and populations
# --------------------------------------------------------------------------------------------


def resolve_survivors(merged_into: Mapping[str, str | None]) -> dict[str, str]:
    """Map every lead to the lead that survives it, following merge chains to their end.

    `merged_into` maps lead_id -> merged_into_lead_id (None for a lead not merged). A lead not
    merged survives itself; A -> B -> C maps A and B to C. A chain that reaches an id missing
    from the mapping ends there. A cycle has no survivor and raises ValueError.
    """
    survivors: dict[str, str] = {}
    for lead_id in merged_into:
        chain = [lead_id]
        target = merged_into.get(lead_id)
        while target is not None:
            if target in chain:
                raise ValueError(f"merge chain of {lead_id} loops: {' -> '.join(chain + [target])}")
            chain.append(target)
            target = merged_into.get(target)
        survivors[lead_id] = chain[-1]
    return survivors


def score_population(
    rules: Rules,
    model_name: str,
    leads: Iterable[LeadRecord],
    events: Iterable[Event],
    as_of: datetime,
    status_changes: Iterable[StatusChange] = (),
) -> dict[str, LeadScore]:
    """Score every surviving lead created at or before `as_of`; keyed by lead_id.

    Merged leads are not scored themselves: their events and status changes count for the
    surviving lead, whose own profile gives the fit. Events and status changes must carry
    `lead_id`; those of unknown leads are ignored.
    """
    records = {record.lead_id: record for record in leads}
    survivors = resolve_survivors(
        {lead_id: record.merged_into_lead_id for lead_id, record in records.items()}
    )
    events_by_survivor: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        if event.lead_id in survivors:
            events_by_survivor[survivors[event.lead_id]].append(event)
    changes_by_survivor: dict[str, list[StatusChange]] = defaultdict(list)
    for change in status_changes:
        if change.lead_id in survivors:
            changes_by_survivor[survivors[change.lead_id]].append(change)
    scores = {}
    for lead_id, record in records.items():
        if record.merged_into_lead_id is not None or record.created_at > as_of:
            continue
        scores[lead_id] = score_lead(
            rules,
            model_name,
            record.profile,
            events_by_survivor.get(lead_id, []),
            as_of,
            changes_by_survivor.get(lead_id, []),
        )
    return scores
