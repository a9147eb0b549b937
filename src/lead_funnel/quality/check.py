"""Run the data-quality checkpoint: extract, validate with Great Expectations, summarise.

Every frame is first written to Parquet with DuckDB and then read by GX's pandas filesystem
datasource, so a single checkpoint validates all suites in one run and builds one Data Docs
site. (GX's SQL datasource loses rows on DuckDB; see PORTABILITY.md.) Raw tables larger than
`sample_rows` are validated on a reproducible sample; key uniqueness and nulls are always
measured over the whole table in SQL (the `raw_profile` suite), so sampling hides no duplicates.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from lead_funnel import paths
from lead_funnel.warehouse import connect_for_reading

DEFAULT_SAMPLE_ROWS = 250_000
SAMPLE_SEED = 42
_FLOAT_TYPES = ("FLOAT", "DOUBLE", "REAL")
SCOPES = ("all", "raw", "marts")


def default_docs_dir() -> Path:
    """Where Data Docs are built: reports/data_docs under the project (git-ignored)."""
    return paths.project_dir() / "reports" / "data_docs"


@dataclass(frozen=True)
class FailedExpectation:
    """One expectation that did not hold, in words a reader of the summary can act on."""

    suite: str
    expectation_type: str
    column: str | None
    severity: str
    detail: str
    meta: dict

    @property
    def label(self) -> str:
        """`suite: expectation(column)`: the name tests and readers look for."""
        target = f"({self.column})" if self.column else ""
        return f"{self.suite}: {self.expectation_type}{target}"


@dataclass
class SuiteOutcome:
    name: str
    evaluated: int
    passed: int
    notes: str = ""


@dataclass
class CheckResult:
    """The outcome of `lead-funnel check`: success means no critical expectation failed."""

    suites: list[SuiteOutcome] = field(default_factory=list)
    failures: list[FailedExpectation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    docs_index: Path | None = None

    @property
    def critical_failures(self) -> list[FailedExpectation]:
        return [f for f in self.failures if f.severity == "critical"]

    @property
    def success(self) -> bool:
        return not self.critical_failures

    def failed_labels(self) -> set[str]:
        return {f.label for f in self.failures}

    def verdict(self) -> str:
        """One line: "Check passed", "Check passed with 4 warnings" or "Check FAILED: ..."."""
        warnings = sum(f.severity == "warning" for f in self.failures)
        infos = sum(f.severity == "info" for f in self.failures)
        besides = [
            text
            for n, text in ((warnings, _count(warnings, "warning")), (infos, f"{infos:,} info"))
            if n
        ]
        if self.success:
            return f"Check passed with {' and '.join(besides)}" if besides else "Check passed"
        critical = _count(len(self.critical_failures), "critical expectation")
        text = f"Check FAILED: {critical} not met"
        return f"{text} (and {' and '.join(besides)})" if besides else text

    def summary(self, verbose: bool = False) -> str:
        """A readable report: suites, failures by severity, notes and the Data Docs path.

        Without `verbose`, suites whose every expectation held are counted, not listed, and
        info expectations are named without their detail."""
        lines = ["Data quality (Great Expectations)"]
        quiet_suites = 0
        for suite in self.suites:
            failed = [f for f in self.failures if f.suite == suite.name]
            critical = sum(f.severity == "critical" for f in failed)
            if critical:
                mark = f"FAILED ({_count(critical, 'critical')})"
            elif failed:
                mark = f"{len(failed)} not met (warning/info)"
            else:
                mark = "ok"
                if not verbose:
                    quiet_suites += 1
                    continue
            lines.append(
                f"  {suite.name:<34} {suite.passed:>3}/{suite.evaluated:<3} passed  {mark}"
            )
        if quiet_suites:
            lines.append(f"  {_count(quiet_suites, 'other suite')}: every expectation met")
        for severity in ("critical", "warning", "info"):
            failed = [f for f in self.failures if f.severity == severity]
            if not failed:
                continue
            lines.append("")
            lines.append(f"{severity.capitalize()} expectations not met ({len(failed)})")
            for failure in failed:
                source = failure.meta.get("source_name")
                cited = f" [{source}]" if source else ""
                if verbose or severity != "info":
                    lines.append(f"  {failure.label}: {failure.detail}{cited}")
                else:
                    lines.append(f"  {failure.label}{cited}")
        if self.notes:
            lines.append("")
            lines.extend(f"Note: {note}" for note in self.notes)
        lines.append("")
        lines.append(self.verdict())
        if self.docs_index:
            lines.append(f"Data Docs: {self.docs_index}")
        return "\n".join(lines)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _raw_reader(raw_dir: Path, table: str) -> str | None:
    """The DuckDB reader of a raw table, found the way the landing hook finds it."""
    base = str(raw_dir.resolve()).replace("\\", "/").replace("'", "''")
    candidates = [
        (f"{base}/{table}.parquet", "parquet"),
        (f"{base}/{table}.csv", "csv"),
        (f"{base}/{table}/*.parquet", "parquet"),
        (f"{base}/{table}/*.csv", "csv"),
    ]
    con = duckdb.connect()
    try:
        for pattern, fmt in candidates:
            if con.execute(f"select count(*) from glob('{pattern}')").fetchone()[0]:
                if fmt == "parquet":
                    return f"read_parquet('{pattern}', union_by_name = true)"
                return (
                    f"read_csv('{pattern}', header = true, all_varchar = true, "
                    "union_by_name = true)"
                )
    finally:
        con.close()
    return None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _extract_raw(
    raw_dir: Path, out_dir: Path, sample_rows: int, result: CheckResult
) -> tuple[list[tuple[str, list, str]], dict[str, object]]:
    """Write each raw table (or its sample) to Parquet; return suites and the key profile."""
    from lead_funnel.quality import suites

    contract = suites.raw_contract()
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    planned: list[tuple[str, list, str]] = []
    profile: dict[str, object] = {}
    profiled_keys: list[tuple[str, str]] = []
    con = duckdb.connect()
    try:
        for spec in suites.RAW_TABLES:
            reader = _raw_reader(raw_dir, spec.name)
            if reader is None:
                if spec.must_have_rows:
                    con.execute(
                        f"copy (select null::varchar as missing_file where false) to "
                        f"'{out_dir / ('raw_' + spec.name + '.parquet')}' (format parquet)"
                    )
                    planned.append(
                        (
                            f"raw_{spec.name}",
                            suites.raw_suite(spec, contract[spec.name]["required"], now),
                            "The file is missing.",
                        )
                    )
                else:
                    result.notes.append(f"raw {spec.name}: no file (allowed; models yield empty)")
                continue
            columns = [row[0] for row in con.execute(f"describe select * from {reader}").fetchall()]
            lower = [c.lower() for c in columns]
            select = [f"cast({_quote(c)} as varchar) as {_quote(c.lower())}" for c in columns]
            for column in spec.timestamps:
                if column in lower:
                    select.append(
                        f"try_strptime(trim({_quote(column)}), '%Y-%m-%d %H:%M:%S')"
                        f" as {_quote(column + '__parsed')}"
                    )
            for column, _ in spec.numbers:
                if column in lower:
                    select.append(
                        f"try_cast(trim({_quote(column)}) as double)"
                        f" as {_quote(column + '__number')}"
                    )
            rows = con.execute(f"select count(*) from {reader}").fetchone()[0]
            body = f"select {', '.join(select)} from {reader}"
            notes = ""
            if rows > sample_rows:
                body = _sample_sql(con, body, sample_rows)
                notes = (
                    f"{rows:,} rows: row-level expectations run on a reproducible sample of "
                    f"{sample_rows:,} rows; key uniqueness and nulls are checked on the whole "
                    "table in suite raw_profile."
                )
                result.notes.append(f"raw {spec.name}: {notes}")
            target = out_dir / f"raw_{spec.name}.parquet"
            con.execute(f"copy ({body}) to '{target}' (format parquet)")
            planned.append(
                (
                    f"raw_{spec.name}",
                    suites.raw_suite(spec, contract[spec.name]["required"], now),
                    notes,
                )
            )
            if spec.key and spec.key in lower:
                key = _quote(spec.key)
                total, nulls, distinct = con.execute(
                    f"select count(*), count(*) - count({key}), count(distinct {key}) from {reader}"
                ).fetchone()
                non_null = total - nulls
                profile[f"{spec.name}__rows"] = total
                profile[f"{spec.name}__null_key_share"] = nulls / total if total else 0.0
                profile[f"{spec.name}__duplicate_key_share"] = (
                    1 - distinct / non_null if non_null else 0.0
                )
                profiled_keys.append((spec.name, spec.key))
    finally:
        con.close()
    planned.append(
        (
            "raw_profile",
            suites.raw_profile_suite(profiled_keys),
            "Aggregates over whole raw tables (never sampled): key null and duplicate shares.",
        )
    )
    return planned, profile


def _sample_sql(con: duckdb.DuckDBPyConnection, body: str, sample_rows: int) -> str:
    """`sample_rows` rows of `body` chosen by a seeded hash of each row's values.

    Reservoir sampling keeps rows by their position in the input, and a table's physical row
    order changes with the thread count that built it; ranking rows by a hash of their values
    (ties by the values themselves) picks the same rows whatever that order. Floating-point
    columns stay out of the hash: their last bits may differ between two equal builds.
    """
    described = con.execute(f"describe select * from ({body}) as frame").fetchall()
    exact = [_quote(name) for name, data_type, *_ in described if data_type not in _FLOAT_TYPES]
    hashed = ", ".join(f"frame.{column}" for column in exact) if exact else "1"
    return (
        f"select * from ({body}) as frame "
        f"order by hash({hashed}, {SAMPLE_SEED}), frame limit {sample_rows}"
    )


def _extract_marts(
    db_path: Path, out_dir: Path, sample_rows: int, result: CheckResult
) -> list[tuple[str, list, str]]:
    """Write the mart frames of the mart suites to Parquet."""
    from lead_funnel.quality import suites

    planned: list[tuple[str, list, str]] = []
    with connect_for_reading(db_path) as con:
        for extract in suites.mart_extracts():
            rows = con.execute(f"select count(*) from ({extract.sql}) as frame").fetchone()[0]
            body = extract.sql
            notes = extract.notes
            if rows > sample_rows:
                # Keys stay checked on the whole table: a sample would hide duplicates.
                body = _sample_sql(con, extract.sql, sample_rows)
                notes = (notes + " " if notes else "") + (
                    f"{rows:,} rows: validated on a reproducible sample of {sample_rows:,}."
                )
                result.notes.append(f"{extract.name}: {notes}")
            con.execute(
                f"copy ({body}) to '{out_dir / (extract.name + '.parquet')}' (format parquet)"
            )
            planned.append((extract.name, extract.expectations, notes))
    return planned


def _context(docs_dir: Path):
    """An in-memory GX context whose only Data Docs site is `docs_dir` (no analytics)."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        data_docs_sites={
            "lead_funnel": {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def _describe(res) -> str:
    """The observed value or the share and examples of unexpected values."""
    outcome = res.result or {}
    if res.exception_info and res.exception_info.get("raised_exception"):
        return "error: " + str(res.exception_info.get("exception_message", "")).splitlines()[0]
    kwargs = res.expectation_config.kwargs
    if (
        str(kwargs.get("column", "")).endswith("_rate")
        and outcome.get("unexpected_count") is not None
        and kwargs.get("min_value") is not None
        and kwargs.get("max_value") is not None
    ):
        # a rate against a benchmark range, in percent
        examples = [v for v in outcome.get("partial_unexpected_list") or [] if v is not None]
        shown = ", ".join(f"{float(v):.1%}" for v in examples[:3])
        return (
            f"{outcome['unexpected_count']:,} of {outcome.get('element_count', 0):,} rows "
            f"outside {kwargs['min_value']:.1%}-{kwargs['max_value']:.1%}"
            + (f": {shown}" if shown else "")
        )
    if "unexpected_percent" in outcome and outcome.get("unexpected_percent") is not None:
        examples = outcome.get("partial_unexpected_list") or []
        shown = ", ".join(repr(v) for v in examples[:3])
        text = f"{outcome['unexpected_percent']:.2f}% of {outcome.get('element_count', 0):,} rows"
        text += " unexpected"
        mostly = res.expectation_config.kwargs.get("mostly")
        if mostly is not None:
            text += f" (at most {100 * (1 - mostly):.0f}% allowed)"
        return text + (f"; e.g. {shown}" if shown else "")
    observed = outcome.get("observed_value")
    bounds = ""
    if "min_value" in kwargs or "max_value" in kwargs:
        bounds = f" (expected {kwargs.get('min_value')} to {kwargs.get('max_value')})"
    if res.expectation_config.type == "expect_table_columns_to_match_set":
        missing = sorted(set(kwargs.get("column_set") or []) - set(observed or []))
        return f"missing columns: {', '.join(missing)}"
    if outcome.get("unexpected_list"):
        return f"unexpected values: {outcome['unexpected_list'][:3]}{bounds}"
    return f"observed {observed}{bounds}"


def run_check(
    *,
    raw_dir: Path | None = None,
    db_path: Path | None = None,
    docs_dir: Path | None = None,
    scope: str = "all",
    sample_rows: int = DEFAULT_SAMPLE_ROWS,
    progress: Callable[[str], None] | None = None,
) -> CheckResult:
    """Validate the raw files and/or the marts with one checkpoint and build Data Docs.

    `progress` is told each step as it starts (the CLI prints them)."""
    say = progress or (lambda _step: None)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    # Great Expectations imports pyspark when it is installed (the spark extra), which warns
    # about pandas 3 though nothing here runs on Spark.
    warnings.filterwarnings("ignore", message="PySpark does not yet", category=FutureWarning)
    import great_expectations as gx
    import pandas as pd

    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}")
    raw_dir = Path(raw_dir) if raw_dir else paths.raw_dir()
    db_path = Path(db_path) if db_path else paths.duckdb_path()
    docs_dir = Path(docs_dir) if docs_dir else default_docs_dir()
    docs_dir.mkdir(parents=True, exist_ok=True)
    result = CheckResult()

    with tempfile.TemporaryDirectory(prefix="lead_funnel_check_") as tmp:
        out_dir = Path(tmp)
        planned: list[tuple[str, list, str]] = []
        if scope in ("all", "raw"):
            say(f"reading the raw files of {raw_dir}")
            raw_planned, profile = _extract_raw(raw_dir, out_dir, sample_rows, result)
            pd.DataFrame([profile or {"no_keys": 0}]).to_parquet(out_dir / "raw_profile.parquet")
            planned += raw_planned
        if scope in ("all", "marts"):
            say(f"reading the marts of {db_path}")
            planned += _extract_marts(db_path, out_dir, sample_rows, result)

        context = _context(docs_dir)
        source = context.data_sources.add_pandas_filesystem("lead_funnel", base_directory=out_dir)
        definitions = []
        for name, expectations, notes in planned:
            asset = source.add_parquet_asset(name)
            batch = asset.add_batch_definition_path(name, path=f"{name}.parquet")
            suite = context.suites.add(
                gx.ExpectationSuite(name=name, meta={"notes": notes} if notes else {})
            )
            for expectation in expectations:
                expectation.severity = (expectation.meta or {}).get("severity", "critical")
                suite.add_expectation(expectation)
            definitions.append(
                context.validation_definitions.add(
                    gx.ValidationDefinition(name=name, data=batch, suite=suite)
                )
            )
        checkpoint = context.checkpoints.add(
            gx.Checkpoint(
                name="lead_funnel_quality",
                validation_definitions=definitions,
                actions=[gx.checkpoint.UpdateDataDocsAction(name="update_data_docs")],
                result_format={"result_format": "SUMMARY", "partial_unexpected_count": 5},
            )
        )
        say(f"validating {len(definitions)} suites and writing Data Docs")
        run = checkpoint.run()

    notes_by_suite = {name: notes for name, _, notes in planned}
    for validation in run.run_results.values():
        suite_name = validation.suite_name
        passed = sum(1 for r in validation.results if r.success)
        result.suites.append(
            SuiteOutcome(suite_name, len(validation.results), passed, notes_by_suite[suite_name])
        )
        for res in validation.results:
            if res.success:
                continue
            config = res.expectation_config
            meta = dict(config.meta or {})
            result.failures.append(
                FailedExpectation(
                    suite=suite_name,
                    expectation_type=config.type,
                    column=config.kwargs.get("column")
                    or (
                        f"{config.kwargs['column_A']}>={config.kwargs['column_B']}"
                        if "column_A" in config.kwargs
                        else None
                    ),
                    severity=str(meta.get("severity", "critical")),
                    detail=_describe(res),
                    meta=meta,
                )
            )
    result.suites.sort(key=lambda s: s.name)
    from lead_funnel.quality.offline_docs import localize

    missing = localize(docs_dir)
    if missing:
        result.notes.append(
            f"Data Docs fetch {len(missing)} scripts and styles from the web: their offline "
            "copies are missing (make setup, or python -m lead_funnel.quality.offline_docs fetch)"
        )
    index = docs_dir / "index.html"
    result.docs_index = index if index.is_file() else None
    return result
