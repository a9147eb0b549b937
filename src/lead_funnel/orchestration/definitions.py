"""Dagster definitions: the dbt project as assets, a daily schedule running the refresh, and
source freshness and the Great Expectations check as asset checks.

Materialising the dbt assets runs `lead-funnel refresh` (lead_funnel.refresh) in the run's
process: the build goes into a working copy, dbt's tests, the publish gates and the quality
check stop a bad build, and the published file is replaced atomically. So the assets are
reported materialised only once their new version is published. dbt's own tests run inside
that build and stop the publish; they are not repeated as Dagster checks.

The asset checks read the published file (read-only, as BI does): `source_freshness` per dbt
source with a freshness policy, by the source's loaded_at_field and warn/error thresholds, and
`great_expectations` (lead-funnel check) on fct_lead_scores, covering the raw files and marts.
"""

import json
import os
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta, timezone
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSelection,
    AssetSpec,
    ConfigurableResource,
    Definitions,
    Failure,
    MaterializeResult,
    ScheduleDefinition,
    asset_check,
    define_asset_job,
    multi_asset_check,
)
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, dbt_assets

from lead_funnel import paths

#: Every day at 06:00 UTC, after the nightly exports.
DAILY_CRON = "0 6 * * *"
JOB_NAME = "daily_refresh"
SCHEDULE_NAME = "daily_refresh_schedule"

_PROJECT_INPUTS = ("models", "macros", "seeds", "snapshots", "analyses", "tests/dbt")
_PERIODS = {"minute": timedelta(minutes=1), "hour": timedelta(hours=1), "day": timedelta(days=1)}


class LeadFunnelResource(ConfigurableResource):
    """Where the refresh reads and publishes; empty means the CLI's defaults
    (LEAD_FUNNEL_RAW_DIR, LEAD_FUNNEL_DUCKDB_PATH, reports/data_docs)."""

    raw_dir: str = ""
    duckdb_path: str = ""
    docs_dir: str = ""
    dbt_vars: str = ""

    def raw(self) -> Path:
        return Path(self.raw_dir) if self.raw_dir else paths.raw_dir()

    def published(self) -> Path:
        return Path(self.duckdb_path) if self.duckdb_path else paths.duckdb_path()

    def docs(self) -> Path | None:
        return Path(self.docs_dir) if self.docs_dir else None


def manifest_path() -> Path:
    """dbt's manifest.json in the target path, parsed anew when the project changed since."""
    target = Path(os.environ.get("DBT_TARGET_PATH") or paths.project_dir() / "target")
    if not target.is_absolute():
        target = paths.project_dir() / target
    manifest = target / "manifest.json"
    project = paths.project_dir()
    inputs = [project / "dbt_project.yml"]
    for folder in _PROJECT_INPUTS:
        inputs += [p for p in (project / folder).rglob("*") if p.is_file()]
    newest = max(p.stat().st_mtime for p in inputs if p.exists())
    if not manifest.is_file() or manifest.stat().st_mtime < newest:
        from lead_funnel.dbt_runner import run_dbt

        run_dbt(["parse"], quiet=True)
    return manifest


class _Translator(DagsterDbtTranslator):
    """Models, seeds and the snapshot keyed by their name alone (fct_lead_scores, a versioned
    model by its relation's name), sources as [source, table] (dagster-dbt's default); models
    grouped by layer (staging, intermediate, audit, marts)."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        if dbt_resource_props.get("version"):
            return AssetKey([dbt_resource_props["alias"]])
        return AssetKey([dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn") or []
        if dbt_resource_props.get("resource_type") == "model" and len(fqn) > 2:
            return fqn[1]
        return super().get_group_name(dbt_resource_props)


def _freshness_rule(source: Mapping[str, Any]) -> dict | None:
    freshness = source.get("freshness") or {}
    rule = {}
    for level in ("warn_after", "error_after"):
        after = freshness.get(level) or {}
        if after.get("count") and after.get("period") in _PERIODS:
            rule[level] = after["count"] * _PERIODS[after["period"]]
    if not rule or not source.get("loaded_at_field"):
        return None
    return rule


def build_definitions(resource: LeadFunnelResource | None = None) -> Definitions:
    """The definitions `dagster dev -m lead_funnel.orchestration` loads."""
    manifest = json.loads(manifest_path().read_text())
    translator = _Translator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=False))

    @dbt_assets(manifest=manifest, dagster_dbt_translator=translator, name="lead_funnel_dbt")
    def lead_funnel_dbt(
        context: AssetExecutionContext, lead_funnel: LeadFunnelResource
    ) -> Iterator[MaterializeResult]:
        """`lead-funnel refresh`: build a working copy, test, gate, check, publish."""
        from lead_funnel.refresh import refresh

        outcome = refresh(
            lead_funnel.raw(),
            published=lead_funnel.published(),
            dbt_vars=json.loads(lead_funnel.dbt_vars) if lead_funnel.dbt_vars else None,
            docs_dir=lead_funnel.docs(),
        )
        if outcome.code:
            raise Failure(
                description=outcome.message,
                metadata={"exit_code": outcome.code, "step": outcome.step or ""},
            )
        # a multi-asset reports its assets in dependency order
        selected = context.selected_asset_keys
        deps = context.assets_def.asset_deps
        order = TopologicalSorter({key: deps.get(key, set()) & selected for key in selected})
        for key in order.static_order():
            yield MaterializeResult(
                asset_key=key,
                metadata={"version": outcome.version, "published": str(outcome.published)},
            )

    sources = {
        unique_id: source
        for unique_id, source in manifest["sources"].items()
        if _freshness_rule(source) is not None
    }

    def source_key(source: Mapping[str, Any]) -> AssetKey:
        return translator.get_asset_key(source)

    source_specs = [
        AssetSpec(
            key=source_key(source),
            description=source.get("description") or None,
            group_name="sources",
        )
        for source in sources.values()
    ]

    @multi_asset_check(
        specs=[
            AssetCheckSpec(
                "source_freshness",
                asset=source_key(source),
                description="dbt source freshness: the newest loaded_at_field against the "
                "source's warn_after and error_after, in the published warehouse",
            )
            for source in sources.values()
        ],
        name="source_freshness",
    )
    def source_freshness(
        context: AssetCheckExecutionContext, lead_funnel: LeadFunnelResource
    ) -> Iterator[AssetCheckResult]:
        from lead_funnel.warehouse import connect_for_reading

        now = datetime.now(timezone.utc).replace(tzinfo=None)
        with connect_for_reading(lead_funnel.published()) as con:
            for source in sources.values():
                key = source_key(source)
                if key not in {check.asset_key for check in context.selected_asset_check_keys}:
                    continue
                rule = _freshness_rule(source)
                relation = f'"{source["schema"]}"."{source["identifier"]}"'
                # loaded_at_field names raw text (or a timestamp): read it as a timestamp
                moment = f"try_cast(({source['loaded_at_field']}) as timestamp)"
                newest = con.execute(f"select max({moment}) from {relation}").fetchone()[0]
                if newest is not None and getattr(newest, "tzinfo", None) is not None:
                    newest = newest.astimezone(timezone.utc).replace(tzinfo=None)
                age = now - newest if newest is not None else None
                error = rule.get("error_after")
                warn = rule.get("warn_after")
                if age is None or (error is not None and age > error):
                    passed, severity = False, AssetCheckSeverity.ERROR
                elif warn is not None and age > warn:
                    passed, severity = False, AssetCheckSeverity.WARN
                else:
                    passed, severity = True, AssetCheckSeverity.WARN
                yield AssetCheckResult(
                    asset_key=key,
                    check_name="source_freshness",
                    passed=passed,
                    severity=severity,
                    metadata={
                        "newest_loaded_at": str(newest) if newest is not None else "no rows",
                        "age_hours": round(age.total_seconds() / 3600, 2) if age else -1.0,
                        "warn_after_hours": warn.total_seconds() / 3600 if warn else -1.0,
                        "error_after_hours": error.total_seconds() / 3600 if error else -1.0,
                    },
                )

    @asset_check(
        asset=AssetKey(["fct_lead_scores"]),
        name="great_expectations",
        description="lead-funnel check: the Great Expectations suites on the raw files and "
        "the marts of the published warehouse; fails on any critical expectation",
    )
    def great_expectations(lead_funnel: LeadFunnelResource) -> AssetCheckResult:
        from lead_funnel.quality import run_check

        result = run_check(
            raw_dir=lead_funnel.raw(), db_path=lead_funnel.published(), docs_dir=lead_funnel.docs()
        )
        return AssetCheckResult(
            passed=result.success,
            severity=AssetCheckSeverity.ERROR,
            metadata={
                "suites": len(result.suites),
                "expectations": sum(s.evaluated for s in result.suites),
                "critical_failures": [f.label for f in result.critical_failures],
                "other_failures": len(result.failures) - len(result.critical_failures),
                "data_docs": str(result.docs_index or ""),
            },
        )

    job = define_asset_job(
        JOB_NAME,
        selection=AssetSelection.assets(lead_funnel_dbt) | AssetSelection.checks(source_freshness),
        description="lead-funnel refresh, then the quality and freshness checks",
    )
    schedule = ScheduleDefinition(
        name=SCHEDULE_NAME, job=job, cron_schedule=DAILY_CRON, execution_timezone="UTC"
    )
    return Definitions(
        assets=[lead_funnel_dbt, *source_specs],
        asset_checks=[source_freshness, great_expectations],
        jobs=[job],
        schedules=[schedule],
        resources={"lead_funnel": resource or LeadFunnelResource()},
    )
