"""MetricFlow: the configs validate and queried metrics equal the marts they are built on."""

from __future__ import annotations

import csv
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import copy_warehouse, query
from tests.support.isolation import mf_project, run_mf

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def mf_warehouse(generated_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the session warehouse the `mf` process can open (see copy_warehouse)."""
    return copy_warehouse(generated_warehouse, tmp_path_factory.mktemp("mf") / "lead_funnel.duckdb")


@pytest.fixture(scope="module")
def mf_folder(
    mf_warehouse: Path, generated_raw: Path, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """Where `mf` runs: a semantic manifest parsed for mf_warehouse, not the project's target/."""
    return mf_project(tmp_path_factory.mktemp("mf_project"), mf_warehouse, generated_raw)


def _mf(args: list[str], folder: Path, warehouse: Path, raw: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "LEAD_FUNNEL_DUCKDB_PATH": str(warehouse),
        "LEAD_FUNNEL_RAW_DIR": str(raw),
    }
    return run_mf(args, folder, env)


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def _month(value: str) -> str:
    return value[:7]


def test_validate_configs(mf_folder: Path, mf_warehouse: Path, generated_raw: Path) -> None:
    done = _mf(["validate-configs"], mf_folder, mf_warehouse, generated_raw)
    assert "ERRORS: 0" in done.stdout


def test_funnel_metrics_match_rpt_funnel_conversion(
    mf_folder: Path, mf_warehouse: Path, generated_raw: Path, tmp_path: Path
) -> None:
    out = tmp_path / "funnel.csv"
    _mf(
        [
            "query",
            "--metrics",
            "mqls,sqls,wins,mql_to_sql_rate,leads",
            "--group-by",
            "metric_time__month",
            "--csv",
            str(out),
        ],
        mf_folder,
        mf_warehouse,
        generated_raw,
    )
    rows = {_month(r["metric_time__month"]): r for r in _csv(out)}
    marts = query(
        mf_warehouse,
        """
        select strftime(period_month, '%Y-%m'), view_type, leads, mqls, sqls, wins, mql_to_sql_rate
        from marts.rpt_funnel_conversion
        where scoring_model = 'default' and slice_dimension = 'all'
            and view_type in ('mql_cohort', 'lead_cohort')
        """,
    )
    cohorts = [m for m in marts if m[1] == "mql_cohort"]
    assert len(cohorts) >= 12
    for month, _, _, mqls, sqls, wins, rate in cohorts:
        assert int(rows[month]["mqls"]) == mqls
        assert int(rows[month]["sqls"]) == sqls
        assert int(rows[month]["wins"] or 0) == wins
        assert float(rows[month]["mql_to_sql_rate"]) == pytest.approx(rate)
    for month, _, leads, *_ in (m for m in marts if m[1] == "lead_cohort"):
        assert int(rows[month]["leads"]) == leads
    total_mqls = sum(m[3] for m in cohorts)
    assert sum(int(r["mqls"] or 0) for r in rows.values()) == total_mqls


def test_cost_per_mql_and_cumulative_metrics(
    mf_folder: Path, mf_warehouse: Path, generated_raw: Path, tmp_path: Path
) -> None:
    out = tmp_path / "cost.csv"
    _mf(
        [
            "query",
            "--metrics",
            "cost_per_mql,mqls_cumulative,mqls_trailing_90_days",
            "--group-by",
            "metric_time__month",
            "--start-time",
            "2025-01-01",
            "--end-time",
            "2026-09-30",
            "--csv",
            str(out),
        ],
        mf_folder,
        mf_warehouse,
        generated_raw,
    )
    rows = {_month(r["metric_time__month"]): r for r in _csv(out)}
    costs = query(
        mf_warehouse,
        """
        select strftime(period_month, '%Y-%m'), cost_per_mql
        from marts.rpt_cost_per_stage
        where scoring_model = 'default' and attribution = 'first_touch' and channel = 'all'
            and not is_all_months and cost_per_mql is not null
        """,
    )
    assert len(costs) >= 12
    for month, cost in costs:
        assert float(rows[month]["cost_per_mql"]) == pytest.approx(cost)
    cohorts = dict(
        query(
            mf_warehouse,
            """
            select strftime(period_month, '%Y-%m'), mqls
            from marts.rpt_funnel_conversion
            where scoring_model = 'default' and slice_dimension = 'all'
                and view_type = 'mql_cohort'
            """,
        )
    )
    last = max(cohorts)
    assert int(float(rows[last]["mqls_cumulative"])) == sum(cohorts.values())
    assert 0 < float(rows[last]["mqls_trailing_90_days"]) < sum(cohorts.values())
