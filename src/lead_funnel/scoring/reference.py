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
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
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


@dataclass(frozen=True)
class FitRule:
    """One row of `scoring_fit_rules`: points for an attribute having a given value."""

    scoring_model: str
    rule_id: str
    attribute: str
    attribute_value: str
    points: float
    is_disqualifying: bool


@dataclass(frozen=True)
class BehaviorRule:
    """One row of `scoring_behavior_rules`: points for an engagement event, with caps and decay.

    `property_name`/`property_value` narrow the rule to events whose JSON properties hold that
    key with exactly that value. The optional numbers are None when the seed cell is empty.
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


def _read_seed(seed_dir: Path, name: str) -> list[dict[str, str]]:
    """Rows of seed `name`.csv, found anywhere under `seed_dir` (seeds live in sub-folders)."""
    matches = sorted(seed_dir.rglob(f"{name}.csv"))
    if not matches:
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
        )
        for row in _read_seed(seed_dir, "scoring_behavior_rules")
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


@dataclass(frozen=True)
class Occurrence:
    """One (event, rule) match, numbered per rule, with whether the caps let it count."""

    event: Event
    rule: BehaviorRule
    number: int
    is_counted: bool

    @property
    def occurred_at(self) -> datetime:
        return self.event.occurred_at


def is_counted(rule: BehaviorRule, number: int, times: Sequence[datetime]) -> bool:
    """Whether occurrence `number` (1-based) of a rule counts, given all occurrence times.

    - not repeatable: only occurrence 1 counts;
    - cap_count with cap_period_days: occurrence n counts when n <= cap_count or occurrence
      n - cap_count happened at or before t - cap_period_days (fewer than cap_count earlier
      occurrences, counted or not, in the window (t - period, t]);
    - cap_count alone: the first cap_count count;
    - neither: every occurrence counts.
    """
    if not rule.is_repeatable:
        return number == 1
    if rule.cap_count is None:
        return True
    if number <= rule.cap_count:
        return True
    if rule.cap_period_days is None:
        return False
    occurred_at = times[number - 1]
    earlier = times[number - rule.cap_count - 1]
    return earlier <= occurred_at - timedelta(days=rule.cap_period_days)


def occurrences_of(rules: Sequence[BehaviorRule], events: Sequence[Event]) -> list[Occurrence]:
    """Every (event, rule) match in event order, numbered per rule and capped.

    Caps are decided here, on occurrences, before any decay: a capped occurrence is worth
    nothing at any time.
    """
    matches: list[tuple[Event, BehaviorRule]] = [
        (event, rule) for event in ordered(events) for rule in rules if event_matches(rule, event)
    ]
    times_by_rule: dict[str, list[datetime]] = defaultdict(list)
    for event, rule in matches:
        times_by_rule[rule.rule_id].append(event.occurred_at)
    numbers: dict[str, int] = defaultdict(int)
    result = []
    for event, rule in matches:
        numbers[rule.rule_id] += 1
        number = numbers[rule.rule_id]
        result.append(
            Occurrence(
                event=event,
                rule=rule,
                number=number,
                is_counted=is_counted(rule, number, times_by_rule[rule.rule_id]),
            )
        )
    return result


# --------------------------------------------------------------------------------------------
# Decay and evaluation
# --------------------------------------------------------------------------------------------


def age_in_days(occurred_at: datetime, at: datetime) -> float:
    """T - t in days, from seconds / 86400."""
    return (at - occurred_at).total_seconds() / SECONDS_PER_DAY


def worth(occurrence: Occurrence, at: datetime) -> float:
    """What a counted occurrence is worth at time `at`.

    `points * 0.5 ^ (age / half_life_days)` with a half-life, else `points`; 0 from the moment
    the age reaches `lifespan_days` (age >= lifespan). Negative points decay the same way. An
    occurrence the caps did not count is worth 0.
    """
    if not occurrence.is_counted:
        return 0.0
    rule = occurrence.rule
    age = age_in_days(occurrence.occurred_at, at)
    if rule.lifespan_days is not None and age >= rule.lifespan_days:
        return 0.0
    if rule.half_life_days is not None:
        return rule.points * 0.5 ** (age / rule.half_life_days)
    return rule.points


@dataclass(frozen=True)
class Snapshot:
    """The scores at one moment; `lead_score` is the raw score clamped to 0..100."""

    fit_score: float
    engagement_score: float
    intent_score: float
    negative_score: float

    @property
    def raw_score(self) -> float:
        return self.fit_score + self.engagement_score + self.intent_score + self.negative_score

    @property
    def lead_score(self) -> float:
        """Clamping happens last, once, on the total; dimensions are never clamped."""
        return min(100.0, max(0.0, self.raw_score))


def evaluate(fit_score: float, occurrences: Iterable[Occurrence], at: datetime) -> Snapshot:
    """Sum the decayed worth of occurrences per dimension at time `at`."""
    dimensions = {"engagement": 0.0, "intent": 0.0, "negative": 0.0}
    for occurrence in occurrences:
        dimension = occurrence.rule.dimension
        if dimension not in dimensions:
            raise ValueError(f"rule {occurrence.rule.rule_id} has unknown dimension {dimension!r}")
        dimensions[dimension] += worth(occurrence, at)
    return Snapshot(
        fit_score=fit_score,
        engagement_score=dimensions["engagement"],
        intent_score=dimensions["intent"],
        negative_score=dimensions["negative"],
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
    components: dict[str, float] = field(default_factory=dict)
    #: Per behaviour rule with an occurrence up to as_of: (occurrences, counted occurrences).
    occurrence_counts: dict[str, tuple[int, int]] = field(default_factory=dict)


def mql_trigger(
    model: ScoringModel,
    snapshot: Snapshot,
    event_type: str,
    fast_track_types: frozenset[str],
    is_fit_disqualified: bool,
) -> str | None:
    """Which MQL condition holds right after a scoring event, or None.

    Never for a fit-disqualified lead. `threshold` when the lead score reaches the threshold
    (less 1e-9) and fit reaches the gate; else `fast_track` when the event's type is a
    fast-track type of the model. Threshold wins when both hold.
    """
    if is_fit_disqualified:
        return None
    reaches_threshold = snapshot.lead_score >= model.mql_threshold - MQL_TOLERANCE
    if reaches_threshold and snapshot.fit_score >= model.min_fit_score:
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
) -> LeadScore:
    """Score one (surviving) lead under one model, as of `as_of`.

    `events` are all the lead's engagement events, including those of leads merged into it;
    events after `as_of` are ignored.
    """
    model = rules.model(model_name)
    fast_track_types = rules.fast_track_event_types.get(model_name, frozenset())
    behavior_rules = rules.behavior_rules_of(model_name)

    fit_matches = matched_fit_rules(rules, model_name, lead)
    fit_score = sum(rule.points for rule in fit_matches)
    is_fit_disqualified = any(rule.is_disqualifying for rule in fit_matches)

    visible = ordered(event for event in events if event.occurred_at <= as_of)
    occurrences = occurrences_of(behavior_rules, visible)
    occurrences_by_event: dict[str, list[Occurrence]] = defaultdict(list)
    for occurrence in occurrences:
        occurrences_by_event[occurrence.event.event_id].append(occurrence)

    history: list[HistoryRow] = []
    so_far: list[Occurrence] = []
    for event in visible:
        own = occurrences_by_event.get(event.event_id, [])
        so_far.extend(own)
        if not own and event.event_type not in fast_track_types:
            continue  # not a scoring event: no rule matched and not a fast-track type
        snapshot = evaluate(fit_score, so_far, event.occurred_at)
        trigger = mql_trigger(
            model, snapshot, event.event_type, fast_track_types, is_fit_disqualified
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
            )
        )

    first_mql = next((row for row in history if row.is_mql_eligible), None)
    final = evaluate(fit_score, occurrences, as_of)

    components: dict[str, float] = {rule.rule_id: rule.points for rule in fit_matches}
    for occurrence in occurrences:
        rule_id = occurrence.rule.rule_id
        components[rule_id] = components.get(rule_id, 0.0) + worth(occurrence, as_of)

    occurrence_counts: dict[str, tuple[int, int]] = {}
    for occurrence in occurrences:
        seen, counted = occurrence_counts.get(occurrence.rule.rule_id, (0, 0))
        occurrence_counts[occurrence.rule.rule_id] = (seen + 1, counted + occurrence.is_counted)

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
) -> dict[str, LeadScore]:
    """Score every surviving lead created at or before `as_of`; keyed by lead_id.

    Merged leads are not scored themselves: their events count for the surviving lead, whose
    own profile gives the fit. Events must carry `lead_id`; events of unknown leads are ignored.
    """
    records = {record.lead_id: record for record in leads}
    survivors = resolve_survivors(
        {lead_id: record.merged_into_lead_id for lead_id, record in records.items()}
    )
    events_by_survivor: dict[str, list[Event]] = defaultdict(list)
    for event in events:
        if event.lead_id in survivors:
            events_by_survivor[survivors[event.lead_id]].append(event)
    scores = {}
    for lead_id, record in records.items():
        if record.merged_into_lead_id is not None or record.created_at > as_of:
            continue
        scores[lead_id] = score_lead(
            rules, model_name, record.profile, events_by_survivor.get(lead_id, []), as_of
        )
    return scores
