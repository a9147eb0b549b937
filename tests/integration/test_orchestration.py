"""The Dagster definitions: dbt assets from the manifest, the daily schedule, and a run of the
daily job in-process, which publishes the marts through the refresh and runs the checks."""

from __future__ import annotations

import csv
from datetime import datetime, timezone
from pathlib import Path

import pytest

pytest.importorskip("dagster_dbt", reason="install the orchestration extra")

from dagster import AssetCheckKey, AssetKey  # noqa: E402

from lead_funnel.orchestration.definitions import (  # noqa: E402
    DAILY_CRON,
    JOB_NAME,
    SCHEDULE_NAME,
    LeadFunnelResource,
    build_definitions,
)
from lead_funnel.refresh import kept_versions  # noqa: E402
from tests.conftest import query  # noqa: E402

LEADS = 200
SEED = 7


def test_definitions_hold_the_dbt_assets_checks_and_daily_schedule():
    import lead_funnel.orchestration

    defs = lead_funnel.orchestration.defs  # what `dagster dev -m lead_funnel.orchestration` loads
    graph = defs.resolve_asset_graph()
    keys = graph.get_all_asset_keys()
    for model in ("fct_lead_scores", "dim_leads", "stg_crm__leads", "int_leads_resolved"):
        assert AssetKey([model]) in keys, model
    # dbt sources are the upstream assets, each with its freshness check
    assert AssetKey(["crm", "leads"]) in keys
    checks = set(graph.asset_check_keys)
    assert AssetCheckKey(AssetKey(["fct_lead_scores"]), "great_expectations") in checks
    assert AssetCheckKey(AssetKey(["landing", "raw_landed_files"]), "source_freshness") in checks
    # campaigns declares no freshness: no check
    assert AssetCheckKey(AssetKey(["marketing", "campaigns"]), "source_freshness") not in checks
    schedule = defs.resolve_schedule_def(SCHEDULE_NAME)
    assert schedule.cron_schedule == DAILY_CRON == "0 6 * * *"
    assert schedule.execution_timezone == "UTC"
    assert schedule.job_name == JOB_NAME
    job_keys = defs.resolve_job_def(JOB_NAME).asset_layer.executable_asset_keys
    assert AssetKey(["fct_lead_scores"]) in job_keys


def _newest(raw: Path, table: str, column: str) -> datetime:
    with open(raw / f"{table}.csv", newline="", encoding="utf-8") as fh:
        values = [row[column] for row in csv.DictReader(fh) if row[column]]
    return max(datetime.strptime(value, "%Y-%m-%d %H:%M:%S") for value in values)


@pytest.mark.slow
def test_the_daily_job_publishes_the_marts_and_runs_the_checks(tmp_path: Path):
    from lead_funnel.generator import generate

    raw = tmp_path / "raw"
    generate(LEADS, SEED, raw, profile="default", progress=False)
    published = tmp_path / "warehouse" / "lead_funnel.duckdb"
    defs = build_definitions(
        LeadFunnelResource(
            raw_dir=str(raw), duckdb_path=str(published), docs_dir=str(tmp_path / "docs")
        )
    )
    started = datetime.now(timezone.utc).replace(tzinfo=None)
    result = defs.resolve_job_def(JOB_NAME).execute_in_process()
    assert result.success

    materialized = {event.asset_key for event in result.get_asset_materialization_events()}
    assert AssetKey(["fct_lead_scores"]) in materialized
    assert AssetKey(["stg_crm__leads"]) in materialized
    assert list(kept_versions(published)) == [1]
    assert query(published, "select count(*) from staging.stg_crm__leads") == [(LEADS,)]
    # one row per lead and scoring model (two models)
    assert query(published, "select count(*) from marts.fct_lead_scores") == [(2 * LEADS,)]
    marts = query(published, "select table_name from duckdb_tables() where schema_name = 'marts'")
    assert {"fct_lead_scores", "dim_leads"} <= {name for (name,) in marts}

    checks = {
        (evaluation.asset_key.to_user_string(), evaluation.check_name): evaluation
        for evaluation in result.get_asset_check_evaluations()
    }
    quality = checks[("fct_lead_scores", "great_expectations")]
    assert quality.passed
    assert quality.metadata["critical_failures"].value == []
    # the files were landed during the run: fresh
    landed = checks[("landing/raw_landed_files", "source_freshness")]
    assert landed.passed
    landed_at = datetime.fromisoformat(landed.metadata["newest_loaded_at"].value)
    assert started.replace(microsecond=0) <= landed_at.replace(microsecond=0)
    # lead records: the newest updated_at of the generated file against 2 and 7 days
    leads = checks[("crm/leads", "source_freshness")]
    newest = _newest(raw, "leads", "updated_at")
    assert leads.metadata["newest_loaded_at"].value == str(newest)
    age = datetime.now(timezone.utc).replace(tzinfo=None) - newest
    assert leads.passed == (age.total_seconds() <= 2 * 86400)
