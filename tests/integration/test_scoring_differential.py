"""The SQL scoring models against the plain-Python reference, on random lead histories.

Each build generates its own population (see `scoring_histories`), writes it as raw CSV files,
runs `dbt build` with a `score_as_of`, and compares every scored lead, every history row and
every score component of both scoring models with `lead_funnel.scoring.reference`.

Every scenario is built on DuckDB; the extreme-rules scenario is also built on a PostgreSQL
server and on a local Spark session the module starts (one of each for the module), with only
the models the comparison reads (and the seeds and staging they need), and compared with the
same reference in the same way.
"""

from __future__ import annotations

import math
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest

from lead_funnel.dbt_runner import DbtError, run_dbt
from lead_funnel.load import load
from lead_funnel.paths import project_dir
from lead_funnel.scoring import LeadScore, load_rules, score_population
from tests.conftest import build_warehouse, query
from tests.support import scoring_histories as histories
from tests.support.engines import (
    PostgresServer,
    environment,
    java_available,
    postgres_bin_dir,
    spark_settings,
)
from tests.support.isolation import copy_project

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (project_dir() / "models/marts/scoring/fct_lead_scores.sql").is_file(),
        reason="the SQL scoring models are not there yet",
    ),
]

MODELS = ("default", "intent")
TOLERANCE = 1e-9
SHOWN_MISMATCHES = 8


@dataclass(frozen=True)
class Scenario:
    name: str
    seed: int
    lead_count: int
    as_of: datetime
    window: tuple[datetime, datetime] = (datetime(2025, 1, 1), datetime(2026, 3, 1))
    #: Replace the project's scoring rules with the extreme rule set below (a project copy).
    extreme_rules: bool = False


# Rules at the edges of what the engine must get right (tests/fixtures/scoring_extreme/):
# half-lives from 1 hour to 10 years over five-year histories, a half-life cut off by a
# lifespan, a lifespan of 12 hours, linear decay over 3 days and 2 years, score groups with caps
# that bind, caps per 1-day and 7-day periods, and, in `intent`, resets on sales rejections and
# a recency gate of 2 days.
EXTREME_RULES = Path(__file__).parents[1] / "fixtures" / "scoring_extreme"


SCENARIOS = [
    # Long after every event: penalties and lifespans have run out, half-lives have done a lot.
    Scenario("after_all_events", seed=20250101, lead_count=1000, as_of=datetime(2026, 9, 1)),
    # In the middle of the histories: later events and later-created leads must be ignored.
    Scenario("mid_history", seed=20250615, lead_count=1000, as_of=datetime(2025, 9, 15, 12)),
    # Early on, at an odd second: most leads do not exist yet, most events lie ahead.
    Scenario("early", seed=20250301, lead_count=600, as_of=datetime(2025, 5, 20, 8, 30, 17)),
    # Five-year histories under extreme rules (half-lives of 1 hour to 10 years).
    Scenario(
        "xtreme",
        seed=20210101,
        lead_count=500,
        as_of=datetime(2026, 6, 1, 0, 0, 1),
        window=(datetime(2021, 1, 1), datetime(2026, 6, 1)),
        extreme_rules=True,
    ),
]


#: The scenario also built on PostgreSQL and Spark: a few hundred five-year histories under the
#: extreme rules, the one that reaches the most edges (caps, group caps, resets, recency).
OTHER_ENGINES = ("postgres", "spark")
OTHER_ENGINES_SCENARIO = "xtreme"

#: What the comparison reads: the three scoring marts, and staging's events and quarantine.
ENGINE_SELECTION = (
    "+fct_lead_scores",
    "+fct_lead_score_history",
    "+fct_lead_score_components",
    "+audit_quarantined_rows",
)

#: Known engine failures, by build id (none at present): each gets a strict expected failure.
KNOWN_ENGINE_FAILURES: dict[str, str] = {}


def _engine_marks(build_id: str) -> list[pytest.MarkDecorator]:
    marks = [pytest.mark.engines]
    if build_id in KNOWN_ENGINE_FAILURES:
        reason = KNOWN_ENGINE_FAILURES[build_id]
        marks.append(pytest.mark.xfail(strict=True, raises=DbtError, reason=reason))
    return marks


BUILDS = [pytest.param(("duckdb", scenario), id=scenario.name) for scenario in SCENARIOS] + [
    pytest.param(
        (engine, scenario),
        id=f"{engine}-{scenario.name}",
        marks=_engine_marks(f"{engine}-{scenario.name}"),
    )
    for engine in OTHER_ENGINES
    for scenario in SCENARIOS
    if scenario.name == OTHER_ENGINES_SCENARIO
]


def _project_with_extreme_rules(folder: Path) -> Path:
    """A copy of the dbt project whose scoring seeds are the extreme rule set."""
    target = copy_project(folder, project_dir())
    for seed in EXTREME_RULES.glob("*.csv"):
        shutil.copy(seed, target / "seeds" / "scoring" / seed.name)
    return target


@dataclass
class Built:
    scenario: Scenario
    population: histories.Population
    #: Rows of one query against the built warehouse, numbers as Python ints and floats.
    query: Callable[[str], list[tuple]]
    reference: dict[str, dict[str, LeadScore]]  # scoring model -> lead_id -> score


def _plain(value):
    """A driver's exact decimal as a float, as DuckDB hands doubles over."""
    return float(value) if isinstance(value, Decimal) else value


@pytest.fixture(scope="module")
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL cluster for the module (a database per build)."""
    if postgres_bin_dir() is None:
        pytest.fail("PostgreSQL is not installed: apt-get install postgresql (see README)")
    server = PostgresServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def spark_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The folder of the module's Spark tables and metastore; the session is stopped at the end."""
    if not java_available():
        pytest.fail("Spark needs Java: apt-get install openjdk-17-jre-headless (see README)")
    folder = tmp_path_factory.mktemp("scoring_spark")
    yield folder
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:
        active.stop()


def _build_on(
    engine: str, raw_dir: Path, dbt_vars: dict, request: pytest.FixtureRequest, name: str
) -> Callable[[str], list[tuple]]:
    """Land `raw_dir` on PostgreSQL or Spark, build what the comparison reads, return a query."""
    if engine == "postgres":
        server: PostgresServer = request.getfixturevalue("postgres_server")
        database = f"scoring_{name}"
        server.create_database(database)
        settings = server.settings(database)
    else:
        settings = spark_settings(request.getfixturevalue("spark_dir"))
    with environment({**settings, "LEAD_FUNNEL_TARGET": engine}):
        load(engine, raw_dir)
        run_dbt(
            [
                "build",
                "--select",
                *ENGINE_SELECTION,
                "--exclude-resource-type",
                "test",
                "unit_test",
            ],
            raw_dir=raw_dir,
            dbt_vars=dbt_vars,
            quiet=True,
        )
    if engine == "postgres":

        def run_query(sql: str) -> list[tuple]:
            import psycopg2

            con = psycopg2.connect(
                host=settings["LEAD_FUNNEL_PG_HOST"],
                port=int(settings["LEAD_FUNNEL_PG_PORT"]),
                user=settings["LEAD_FUNNEL_PG_USER"],
                dbname=settings["LEAD_FUNNEL_PG_DATABASE"],
            )
            try:
                with con.cursor() as cur:
                    cur.execute(sql)
                    return [tuple(_plain(value) for value in row) for row in cur.fetchall()]
            finally:
                con.close()

        return run_query

    def run_spark_query(sql: str) -> list[tuple]:
        from pyspark.sql import SparkSession

        rows = SparkSession.builder.getOrCreate().sql(sql).collect()
        return [tuple(_plain(value) for value in row) for row in rows]

    return run_spark_query


@pytest.fixture(scope="module", params=BUILDS)
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Built:
    engine: str
    scenario: Scenario
    engine, scenario = request.param
    population = histories.generate(
        scenario.seed,
        scenario.lead_count,
        scenario.as_of,
        prefix=scenario.name[:1].upper(),
        window=scenario.window,
    )
    folder = tmp_path_factory.mktemp(f"scoring_{engine}_{scenario.name}")
    raw_dir = histories.write_raw(population, folder / "raw")
    project = _project_with_extreme_rules(folder) if scenario.extreme_rules else None
    dbt_vars = {"score_as_of": scenario.as_of.strftime(histories.TIMESTAMP_FORMAT)}
    with pytest.MonkeyPatch.context() as env:
        if project is not None:
            # The copy gets its own target path: its parse state describes other seeds.
            env.setenv("LEAD_FUNNEL_PROJECT_DIR", str(project))
            env.setenv("DBT_TARGET_PATH", str(folder / "target"))
        if engine == "duckdb":
            db_path = build_warehouse(raw_dir, folder / "lead_funnel.duckdb", dbt_vars)

            def run_query(sql: str) -> list[tuple]:
                return query(db_path, sql)

        else:
            run_query = _build_on(engine, raw_dir, dbt_vars, request, scenario.name)
    rules = load_rules(project / "seeds" if project is not None else None)
    leads, events = histories.reference_inputs(population)
    changes = histories.reference_status_changes(population)
    reference = {
        model: score_population(rules, model, leads, events, scenario.as_of, changes)
        for model in MODELS
    }
    return Built(scenario, population, run_query, reference)


def _same(left, right) -> bool:
    """Equal, with numbers compared to TOLERANCE (None only equals None)."""
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, bool) or isinstance(right, bool):
        return bool(left) == bool(right)
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return math.isclose(float(left), float(right), rel_tol=0.0, abs_tol=TOLERANCE)
    return left == right


def _compare(
    what: str,
    sql_rows: dict[tuple, dict],
    ref_rows: dict[tuple, dict],
    built: Built,
) -> None:
    """Fail with a readable report when the keyed rows differ in keys or any value."""
    problems: list[str] = []
    by_field: Counter[str] = Counter()
    leads_involved: list[str] = []
    for key in sorted(set(sql_rows) | set(ref_rows)):
        if key not in ref_rows:
            by_field["<row only in SQL>"] += 1
            problems.append(f"{key}: only in SQL: {sql_rows[key]}")
        elif key not in sql_rows:
            by_field["<row only in reference>"] += 1
            problems.append(f"{key}: only in the reference: {ref_rows[key]}")
        else:
            sql, ref = sql_rows[key], ref_rows[key]
            differing = [name for name in ref if not _same(sql.get(name), ref[name])]
            if not differing:
                continue
            by_field.update(differing)
            details = ", ".join(
                f"{name}: sql={sql.get(name)!r} ref={ref[name]!r}" for name in differing
            )
            problems.append(f"{key}: {details}")
        leads_involved.append(key[0])
    if not problems:
        return
    first_lead = leads_involved[0]
    report = [
        f"{what}: {len(problems)} of {len(set(sql_rows) | set(ref_rows))} rows differ "
        f"(as of {built.scenario.as_of}); by field: {dict(by_field)}",
        *problems[:SHOWN_MISMATCHES],
        f"inputs of lead {first_lead}:",
        histories.describe_lead(built.population, first_lead),
    ]
    pytest.fail("\n".join(report), pytrace=False)


def test_generated_rows_all_reach_staging(built: Built) -> None:
    """The comparison is only meaningful when staging kept every generated row."""
    quarantined = built.query(
        "select source_table, rejection_reason, count(*) "
        "from audit.audit_quarantined_rows group by source_table, rejection_reason"
    )
    assert quarantined == []
    staged_events = built.query("select count(*) from staging.stg_marketing__engagement_events")[0][
        0
    ]
    assert staged_events == len(built.population.events)


def test_lead_scores_match(built: Built) -> None:
    rows = built.query(
        """select lead_id, scoring_model, fit_score, engagement_score, intent_score,
                  negative_score, raw_score, lead_score, is_fit_disqualified, fit_grade,
                  engagement_grade, lead_grade, derived_marketing_qualified_at,
                  marketing_qualified_at, mql_trigger, mql_trigger_event_id, scored_as_of,
                  behavior_reset_at, is_suppressed, suppressed_reason, last_engaged_at
           from marts.fct_lead_scores""",
    )
    sql_rows = {
        (lead_id, model): {
            "fit_score": fit,
            "engagement_score": engagement,
            "intent_score": intent,
            "negative_score": negative,
            "raw_score": raw,
            "lead_score": score,
            "is_fit_disqualified": disqualified,
            "fit_grade": fit_grade,
            "engagement_grade": engagement_grade,
            "lead_grade": grade,
            "derived_marketing_qualified_at": derived_at,
            # No marketing_qualified statuses are generated: the chosen moment is the derived one.
            "marketing_qualified_at": chosen_at,
            "mql_trigger": trigger,
            "mql_trigger_event_id": trigger_event,
            "scored_as_of": scored_as_of,
            "behavior_reset_at": reset_at,
            "is_suppressed": suppressed,
            "suppressed_reason": reason,
            "last_engaged_at": engaged_at,
        }
        for (
            lead_id, model, fit, engagement, intent, negative, raw, score, disqualified,
            fit_grade, engagement_grade, grade, derived_at, chosen_at, trigger, trigger_event,
            scored_as_of, reset_at, suppressed, reason, engaged_at,
        ) in rows
    }  # fmt: skip
    ref_rows = {
        (lead_id, model): {
            "fit_score": s.fit_score,
            "engagement_score": s.engagement_score,
            "intent_score": s.intent_score,
            "negative_score": s.negative_score,
            "raw_score": s.raw_score,
            "lead_score": s.lead_score,
            "is_fit_disqualified": s.is_fit_disqualified,
            "fit_grade": s.fit_grade,
            "engagement_grade": s.engagement_grade,
            "lead_grade": s.lead_grade,
            "derived_marketing_qualified_at": s.marketing_qualified_at,
            "marketing_qualified_at": s.marketing_qualified_at,
            "mql_trigger": s.mql_trigger,
            "mql_trigger_event_id": s.mql_trigger_event_id,
            "scored_as_of": s.scored_as_of,
            "behavior_reset_at": s.behavior_reset_at,
            "is_suppressed": s.is_suppressed,
            "suppressed_reason": s.suppressed_reason,
            "last_engaged_at": s.last_engaged_at,
        }
        for model, scores in built.reference.items()
        for lead_id, s in scores.items()
    }
    assert len(ref_rows) > 0
    _compare("fct_lead_scores", sql_rows, ref_rows, built)


def test_score_histories_match(built: Built) -> None:
    rows = built.query(
        """select lead_id, scoring_model, event_id, event_type, occurred_at, fit_score,
                  engagement_score, intent_score, negative_score, raw_score, lead_score,
                  is_mql_eligible, mql_trigger, behavior_reset_at, is_suppressed
           from marts.fct_lead_score_history""",
    )
    sql_rows = {
        (lead_id, model, event_id): {
            "event_type": event_type,
            "occurred_at": occurred_at,
            "fit_score": fit,
            "engagement_score": engagement,
            "intent_score": intent,
            "negative_score": negative,
            "raw_score": raw,
            "lead_score": score,
            "is_mql_eligible": eligible,
            "mql_trigger": trigger,
            "behavior_reset_at": reset_at,
            "is_suppressed": suppressed,
        }
        for (
            lead_id, model, event_id, event_type, occurred_at, fit, engagement, intent, negative,
            raw, score, eligible, trigger, reset_at, suppressed,
        ) in rows
    }  # fmt: skip
    assert len(sql_rows) == len(rows), "history rows are not unique per lead, model and event"
    ref_rows = {
        (lead_id, model, row.event_id): {
            "event_type": row.event_type,
            "occurred_at": row.occurred_at,
            "fit_score": row.fit_score,
            "engagement_score": row.engagement_score,
            "intent_score": row.intent_score,
            "negative_score": row.negative_score,
            "raw_score": row.raw_score,
            "lead_score": row.lead_score,
            "is_mql_eligible": row.is_mql_eligible,
            "mql_trigger": row.mql_trigger,
            "behavior_reset_at": row.behavior_reset_at,
            "is_suppressed": row.is_suppressed,
        }
        for model, scores in built.reference.items()
        for lead_id, s in scores.items()
        for row in s.history
    }
    _compare("fct_lead_score_history", sql_rows, ref_rows, built)


def test_score_components_match(built: Built) -> None:
    rows = built.query(
        """select lead_id, scoring_model, rule_id, rule_kind, contribution, occurrence_count,
                  counted_occurrence_count
           from marts.fct_lead_score_components""",
    )
    sql_rows = {
        (lead_id, model, rule_id): {
            "contribution": contribution,
            # Occurrence counts only mean something for behaviour rules.
            "occurrences": (occurrences, counted) if kind == "behavior" else None,
        }
        for lead_id, model, rule_id, kind, contribution, occurrences, counted in rows
    }
    assert len(sql_rows) == len(rows), "components are not unique per lead, model and rule"
    ref_rows = {
        (lead_id, model, rule_id): {
            "contribution": contribution,
            "occurrences": s.occurrence_counts.get(rule_id),
        }
        for model, scores in built.reference.items()
        for lead_id, s in scores.items()
        for rule_id, contribution in s.components.items()
    }
    _compare("fct_lead_score_components", sql_rows, ref_rows, built)


def test_the_data_exercises_what_it_should(built: Built) -> None:
    """Guard against a generator that silently stops reaching the interesting cases."""
    default = built.reference["default"].values()
    histories_count = sum(len(score.history) for score in default)
    triggers = Counter(score.mql_trigger for score in default)
    assert len(built.reference["default"]) > 0.4 * built.scenario.lead_count
    assert histories_count > built.scenario.lead_count
    assert triggers["threshold"] > 10
    assert triggers["fast_track"] > 5
    assert any(score.raw_score < 0 for score in default)
    assert any(score.is_fit_disqualified and score.history for score in default)
    uncounted = sum(
        seen - counted for score in default for seen, counted in score.occurrence_counts.values()
    )
    assert uncounted > 20  # caps were hit
    tied = sum(
        len(score.history) - len({row.occurred_at for row in score.history}) for score in default
    )
    assert tied > 20  # several scoring events at one timestamp
    everything = [score for model in MODELS for score in built.reference[model].values()]
    assert sum(score.behavior_reset_at is not None for score in everything) > 10  # resets
    assert sum(row.is_suppressed for score in everything for row in score.history) > 10
    if built.scenario.extreme_rules:  # the default rules' group maxima rarely bind at as-of
        capped = sum(any(r.startswith("group_cap:") for r in s.components) for s in everything)
        assert capped > 5
