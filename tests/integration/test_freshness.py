"""`dbt source freshness` tells a daily load that arrived from one that did not.

Data generated today (the generator's default period ends at today's midnight, UTC) passes for
every source (opportunities and sales activities, sparse on a small dataset, may warn); the
same data ending 30 days ago fails, and the failure names each stale source, even when a stale
table holds a far-future or unreadable timestamp; a fresh folder in which one table stopped
arriving fails on that table alone.
"""

from __future__ import annotations

import csv
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from lead_funnel.cli import main as cli_main
from lead_funnel.dbt_runner import DbtError, run_dbt

pytestmark = pytest.mark.slow

LEADS = 1500
#: The raw sources with a freshness rule (campaigns and the rejected-lines log have none).
RAW_SOURCES = [
    "crm.accounts",
    "crm.lead_status_changes",
    "crm.leads",
    "crm.opportunities",
    "marketing.engagement_events",
    "marketing.marketing_spend",
    "product.product_usage_events",
    "sales.sales_activities",
]


def _generate(out: Path, end_date: str | None) -> Path:
    argv = ["generate", "--leads", str(LEADS), "--seed", "7", "--out", str(out), "--no-progress"]
    argv += ["--daily", "2"] + (["--end-date", end_date] if end_date else [])
    assert cli_main(argv) == 0
    return out


def _freshness(raw: Path, db: Path) -> dict[str, tuple[str, datetime]]:
    """Status and newest moment per source of a passing `dbt source freshness`."""
    result = run_dbt(["source", "freshness"], raw_dir=raw, duckdb_path=db, quiet=True)
    return {
        f"{r.node.source_name}.{r.node.name}": (str(r.status).lower(), r.max_loaded_at)
        for r in result.result.results
        if r.node.resource_type == "source"
    }


def _stale_names(raw: Path, db: Path) -> tuple[list[str], str]:
    with pytest.raises(DbtError) as caught:
        run_dbt(["source", "freshness"], raw_dir=raw, duckdb_path=db, quiet=True)
    return sorted(name for name, _ in caught.value.failed_nodes), str(caught.value)


@pytest.fixture(scope="module")
def fresh_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generate(tmp_path_factory.mktemp("fresh") / "raw", None)


@pytest.fixture(scope="module")
def stale_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ended = (datetime.now(timezone.utc) - timedelta(days=30)).strftime("%Y-%m-%d")
    raw = _generate(tmp_path_factory.mktemp("stale") / "raw", ended)
    # a far-future and an unreadable updated_at must not make the stale leads look fresh
    with (raw / "leads" / "day_0001.csv").open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    with (raw / "leads" / "day_0003.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, quoting=csv.QUOTE_NONNUMERIC)
        writer.writeheader()
        for lead_id, updated_at in (("L09999998", "2099-01-01 00:00:00"), ("L09999999", "soon")):
            writer.writerow(
                {c: "" for c in header} | {"lead_id": lead_id, "updated_at": updated_at}
            )
    return raw


def test_data_generated_today_is_fresh(fresh_raw: Path, tmp_path: Path) -> None:
    today = datetime.now(timezone.utc).replace(tzinfo=None, hour=0, minute=0, second=0)
    got = _freshness(fresh_raw, tmp_path / "fresh.duckdb")
    assert sorted(set(got) - {"landing.raw_landed_files"}) == RAW_SOURCES
    # On a small dataset the sparse sources may warn on some days: opportunities open or close
    # a few times a week (warn after 7 days, error after 14), sales activities come about twice
    # a day (warn after 2 days, error after 3), so which day the data ends on decides whether
    # the newest is a day or three days old. No source is past its error threshold.
    statuses = {name: status for name, (status, _) in got.items()}
    for sparse in ("crm.opportunities", "sales.sales_activities"):
        assert statuses.pop(sparse) in {"pass", "warn"}, sparse
    assert statuses == dict.fromkeys(statuses, "pass")
    newest_opportunity = got["crm.opportunities"][1].replace(tzinfo=None)
    assert today - timedelta(days=14) < newest_opportunity <= today
    newest_activity = got["sales.sales_activities"][1].replace(tzinfo=None)
    assert today - timedelta(days=3) < newest_activity <= today
    # the newest events and status changes lie in the last day before the period's end
    for name in ("marketing.engagement_events", "crm.lead_status_changes"):
        newest = got[name][1].replace(tzinfo=None)
        assert today - timedelta(days=1) < newest <= today, (name, newest)


def test_data_that_ended_30_days_ago_is_stale_for_every_source(
    stale_raw: Path, tmp_path: Path
) -> None:
    names, message = _stale_names(stale_raw, tmp_path / "stale.duckdb")
    assert names == RAW_SOURCES
    assert "crm.leads: stale: newest row" in message
    assert "marketing.engagement_events: stale: newest row" in message


def test_one_table_that_stopped_arriving_is_named_alone(
    fresh_raw: Path, stale_raw: Path, tmp_path: Path
) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(fresh_raw, raw)
    shutil.rmtree(raw / "sales_activities")
    shutil.copytree(stale_raw / "sales_activities", raw / "sales_activities")
    names, message = _stale_names(raw, tmp_path / "mixed.duckdb")
    assert names == ["sales.sales_activities"]
    assert "sales.sales_activities: stale: newest row" in message
