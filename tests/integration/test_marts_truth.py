"""The lifecycle and funnel marts against the generator's ground truth.

The generated dataset (tests/conftest.py: 20,000 leads, default profile, with mess) is built once
and scored as of the generator's end date; every expected number here is computed from
`ground_truth/` by tests/support/truth.py, never from the warehouse.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest

from lead_funnel.paths import project_dir
from tests.conftest import GENERATED_AS_OF, query
from tests.support import truth as T

pytestmark = pytest.mark.slow

TOL = 1e-9


@pytest.fixture(scope="module")
def truth(generated_raw: Path) -> T.Truth:
    return T.Truth(generated_raw)


def test_mql_cycles_equal_the_simulated_cycles(truth: T.Truth, generated_warehouse: Path):
    columns = [
        "is_inferred_mql",
        *T.CYCLE_MOMENTS,
        "first_touch_rep_id",
        "rejection_reason",
        "opportunity_id",
        "is_contradictory",
    ]
    rows = query(
        generated_warehouse,
        f"select lead_id, cycle_number, {', '.join(columns)} from marts.fct_mql_cycles "
        "where scoring_model = 'default'",
    )
    found = {(r[0], r[1]): tuple(T.as_text(v) for v in r[2:]) for r in rows}
    expected = {(c.lead_id, c.number): tuple(c.row[name] for name in columns) for c in truth.cycles}
    assert len(expected) > 500
    missing = sorted(set(expected) - set(found))[:5]
    extra = sorted(set(found) - set(expected))[:5]
    assert not missing and not extra, f"missing {missing}, extra {extra}"
    differing = [(k, expected[k], found[k]) for k in sorted(expected) if expected[k] != found[k]]
    assert not differing, f"{len(differing)} cycles differ, e.g. {differing[:3]}"


def test_mql_cohort_conversion(truth: T.Truth, generated_warehouse: Path):
    rows = query(
        generated_warehouse,
        """select period_month, mqls, sals, sqls, opportunities, wins,
                  mql_to_sql_rate, sql_to_opportunity_rate
           from marts.rpt_funnel_conversion
           where view_type = 'mql_cohort' and slice_dimension = 'all'
             and scoring_model = 'default'""",
    )
    expected = T.mql_cohort_counts(truth)
    found = {datetime(r[0].year, r[0].month, 1): tuple(r[1:6]) for r in rows}
    assert found == expected
    for r in rows:
        mqls, sqls, opps = r[1], r[3], r[4]
        assert r[6] == pytest.approx(sqls / mqls, abs=TOL)
        if sqls:
            assert r[7] == pytest.approx(opps / sqls, abs=TOL)


def test_lead_cohort_conversion(truth: T.Truth, generated_warehouse: Path):
    rows = query(
        generated_warehouse,
        """select period_month, leads, mqls, sals, sqls, opportunities, wins, lead_to_mql_rate
           from marts.rpt_funnel_conversion
           where view_type = 'lead_cohort' and slice_dimension = 'all'
             and scoring_model = 'default'""",
    )
    expected = T.lead_cohort_counts(truth)
    found = {datetime(r[0].year, r[0].month, 1): tuple(r[1:7]) for r in rows}
    assert found == expected
    for r in rows:
        assert r[7] == pytest.approx(r[2] / r[1], abs=TOL)


def test_slices_add_up_to_the_whole(generated_warehouse: Path):
    rows = query(
        generated_warehouse,
        """select slice_dimension, sum(mqls), sum(sqls), sum(wins)
           from marts.rpt_funnel_conversion
           where view_type = 'mql_cohort' and scoring_model = 'default'
           group by slice_dimension""",
    )
    totals = {r[0]: tuple(r[1:]) for r in rows}
    seed = project_dir() / "seeds" / "funnel_slice_dimensions.csv"
    with seed.open(newline="", encoding="utf-8") as fh:
        slices = {row["slice_dimension"] for row in csv.DictReader(fh)}
    assert set(totals) == slices
    assert len(set(totals.values())) == 1


def test_speed_to_lead_buckets(truth: T.Truth, generated_warehouse: Path):
    rows = query(
        generated_warehouse,
        """select response_bucket, mql_cycles, sqls, mql_to_sql_rate, mql_to_sql_rate_vs_5_min
           from marts.rpt_speed_to_lead
           where scoring_model = 'default' and period_month is null""",
    )
    expected = T.speed_to_lead(truth)
    assert {r[0]: (r[1], r[2]) for r in rows} == expected
    rates = {r[0]: r[3] for r in rows}
    for bucket, (cycles, sqls) in expected.items():
        assert rates[bucket] == pytest.approx(sqls / cycles, abs=TOL)
    # The documented effect: answering within 5 minutes converts far better than after 30.
    fast = expected["le_5_min"][1] / expected["le_5_min"][0]
    slow_cycles = sum(expected[b][0] for b in ("le_1_hour", "le_24_hours", "gt_24_hours"))
    slow_sqls = sum(expected[b][1] for b in ("le_1_hour", "le_24_hours", "gt_24_hours"))
    assert fast > 2 * (slow_sqls / slow_cycles)


def test_stage_velocity_percentiles(truth: T.Truth, generated_warehouse: Path):
    rows = query(
        generated_warehouse,
        """select from_stage, to_stage, n, mean_hours, median_hours, p75_hours, p90_hours
           from marts.rpt_stage_velocity
           where scoring_model = 'default' and period_month is null and slice_dimension = 'all'""",
    )
    expected = {k: T.summarize(v) for k, v in T.velocity_hours(truth).items()}
    found = {(r[0], r[1]): r[2:] for r in rows}
    assert set(found) == set(expected)
    for key, (n, mean, median, p75, p90) in expected.items():
        got = found[key]
        assert got[0] == n, key
        for value, want in zip(got[1:], (mean, median, p75, p90), strict=True):
            assert value == pytest.approx(want, rel=1e-9, abs=1e-6), key


def test_sales_acceptance(truth: T.Truth, generated_warehouse: Path):
    (row,) = query(
        generated_warehouse,
        """select mql_cycles, accepted, rejected, recycled, re_mqls, acceptance_rate
           from marts.rpt_sales_acceptance
           where scoring_model = 'default' and period_month is null
             and rejection_reason = 'all'""",
    )
    expected = T.acceptance(truth)
    assert row[:5] == (
        expected["mql_cycles"],
        expected["accepted"],
        expected["rejected"],
        expected["recycled"],
        expected["re_mqls"],
    )
    assert row[5] == pytest.approx(expected["accepted"] / expected["mql_cycles"], abs=TOL)


def test_funnel_health_default_profile_is_within_every_range(
    truth: T.Truth, generated_warehouse: Path
):
    as_of = datetime.strptime(GENERATED_AS_OF, "%Y-%m-%d %H:%M:%S")
    expected = T.health_rates(truth, as_of)
    rows = query(
        generated_warehouse,
        """select metric, measured_rate, status from marts.rpt_funnel_health
           where scoring_model = 'default' and is_preferred""",
    )
    found = {r[0]: (r[1], r[2]) for r in rows}
    for metric, rate in expected.items():
        assert found[metric][0] == pytest.approx(rate, abs=TOL), metric
    documented = (
        "lead_to_mql_rate",
        "mql_to_sql_rate",
        "sql_to_opportunity_rate",
        "opportunity_to_won_rate",
        "mql_acceptance_rate",
    )
    statuses = {metric: found[metric][1] for metric in documented}
    assert statuses == dict.fromkeys(documented, "within"), {m: found[m] for m in documented}


def test_cost_per_stage_blended_totals(generated_raw: Path, generated_warehouse: Path):
    import csv

    with open(generated_raw / "marketing_spend.csv", encoding="utf-8", newline="") as fh:
        spend = sum(float(r["amount"]) for r in csv.DictReader(fh) if float(r["amount"]) >= 0)
    (row,) = query(
        generated_warehouse,
        """select spend, leads, mqls, cost_per_mql from marts.rpt_cost_per_stage
           where scoring_model = 'default' and period_month is null
             and attribution = 'first_touch' and channel = 'all'""",
    )
    leads = len(T.Truth(generated_raw).leads)
    mqls = len(T.Truth(generated_raw).real_cycles)
    assert float(row[0]) == pytest.approx(spend, abs=0.01)
    assert (row[1], row[2]) == (leads, mqls)
    assert row[3] == pytest.approx(float(row[0]) / mqls, rel=1e-12)


def test_leads_the_crm_left_unlinked_are_matched_to_their_true_account(
    generated_raw: Path, generated_warehouse: Path
):
    """The generator drops the account of some business-mail leads from the raw CRM rows and
    keeps it in the truth: matching by email domain finds it again, and nothing else."""
    with open(generated_raw / "ground_truth" / "leads_truth.csv", newline="") as handle:
        true_account = {r["lead_id"]: r["account_id"] or None for r in csv.DictReader(handle)}
    with open(generated_raw / "leads.csv", newline="") as handle:
        raw_account = {
            r["lead_id"].strip(): r["account_id"].strip() or None for r in csv.DictReader(handle)
        }
    rows = query(
        generated_warehouse,
        "select lead_id, account_id, crm_account_id, account_match_method from marts.dim_leads",
    )
    assert rows
    methods = {}
    for lead_id, account_id, crm_account_id, method in rows:
        assert crm_account_id == raw_account[lead_id], lead_id
        assert account_id == true_account[lead_id], lead_id
        methods[method] = methods.get(method, 0) + 1
    staged = {r[0] for r in rows}
    unlinked_business = sum(
        1 for lead in staged if true_account[lead] and raw_account[lead] is None
    )
    assert methods["email_domain"] == unlinked_business > 100
    assert methods["crm"] == sum(1 for lead in staged if raw_account[lead])
