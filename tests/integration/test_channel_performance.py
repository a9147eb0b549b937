"""Revenue, cost and currencies worked by hand.

int_amounts_in_reporting_currency converts staged opportunity amounts and spend with a
hand-made fx_rates table (rates per unit of the base currency, the latest on or before the
amount's day); a spend row older than its currency's first rate fails
assert_fx_rate_for_every_amount with a message naming the currency and the day.
rpt_channel_performance then reads hand-made attribution credits, cycles, leads and spend, and
every figure below is computed by hand.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from lead_funnel.dbt_runner import DbtError, run_dbt
from tests.conftest import FIXTURES, query

RAW = FIXTURES / "raw_small"

FX_RATES = [
    ("2000-01-01", "USD", 1.0),
    ("2025-01-01", "EUR", 0.9),
    ("2025-03-01", "EUR", 0.8),
    ("2025-02-01", "GBP", 0.75),
]
#: (opportunity, amount, currency, created, closed)
OPPORTUNITIES = [
    ("O1", 900, "EUR", "2025-01-20", "2025-02-15"),  # closed in February: 900 / 0.9
    ("O2", 800, "EUR", "2025-03-05", None),  # open, created in March: 800 / 0.8
    ("O3", 500, None, "2025-01-02", None),  # no currency: the reporting currency
    ("O4", 500, "USD", "2025-01-02", None),
]
#: (spend row, day, channel, campaign, amount, currency)
SPEND = [
    ("S1", "2025-02-10", "paid_search", "K9", 75, "GBP"),  # 75 / 0.75
    ("S2", "2025-01-15", "paid_search", "K9", 75, "GBP"),  # before GBP's first rate
    ("S3", "2025-02-10", "email", None, 40, None),
]


def _schemas(con) -> None:
    for schema in ("intermediate", "staging", "marts", "seeds"):
        con.execute(f"create schema if not exists {schema}")


@pytest.fixture(scope="module")
def fx_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db_path = tmp_path_factory.mktemp("fx") / "fx.duckdb"
    with duckdb.connect(str(db_path)) as con:
        _schemas(con)
        con.execute("create table seeds.fx_rates (date date, currency varchar, rate double)")
        con.executemany("insert into seeds.fx_rates values (?, ?, ?)", FX_RATES)
        con.execute(
            """create table staging.stg_crm__opportunities (opportunity_id varchar,
               amount decimal(18, 2), currency varchar, created_at timestamp,
               closed_at timestamp)"""
        )
        con.executemany(
            "insert into staging.stg_crm__opportunities values (?, ?, ?, ?, ?)", OPPORTUNITIES
        )
        con.execute(
            """create table staging.stg_marketing__marketing_spend (marketing_spend_id varchar,
               spend_date date, channel varchar, campaign_id varchar, amount decimal(18, 2),
               currency varchar)"""
        )
        con.executemany(
            "insert into staging.stg_marketing__marketing_spend values (?, ?, ?, ?, ?, ?)", SPEND
        )
    return db_path


def _convert(db_path: Path, currency: str) -> dict[str, tuple]:
    run_dbt(
        ["run", "--select", "int_amounts_in_reporting_currency"],
        raw_dir=RAW,
        duckdb_path=db_path,
        dbt_vars={"reporting_currency": currency},
        quiet=True,
    )
    rows = query(
        db_path,
        """select record_id, currency, amount_in_reporting_currency, missing_rate_currency,
                  currency_rate_date
           from intermediate.int_amounts_in_reporting_currency""",
    )
    return {r[0]: r[1:] for r in rows}


def test_amounts_convert_with_the_latest_earlier_rate(fx_warehouse: Path):
    got = _convert(fx_warehouse, "USD")
    assert {k: (v[0], v[1], v[2]) for k, v in got.items()} == {
        "O1": ("EUR", pytest.approx(1000.00), None),
        "O2": ("EUR", pytest.approx(1000.00), None),
        "O3": ("USD", pytest.approx(500.00), None),
        "O4": ("USD", pytest.approx(500.00), None),
        "S1": ("GBP", pytest.approx(100.00), None),
        "S2": ("GBP", None, "GBP"),
        "S3": ("USD", pytest.approx(40.00), None),
    }
    assert str(got["O1"][3]) == "2025-01-01" and str(got["O2"][3]) == "2025-03-01"


def test_another_reporting_currency(fx_warehouse: Path):
    got = _convert(fx_warehouse, "EUR")
    # USD 500 on 2 January 2025: x 0.9 / 1.0; GBP 75 on 10 February: x 0.9 / 0.75
    assert float(got["O4"][1]) == pytest.approx(450.00)
    assert float(got["S1"][1]) == pytest.approx(90.00)
    assert float(got["O2"][1]) == pytest.approx(800.00)  # already in EUR
    # no currency: in the reporting currency, whichever it is
    assert (got["O3"][0], float(got["O3"][1])) == ("EUR", 500.00)


def test_a_missing_rate_fails_naming_currency_and_day(fx_warehouse: Path):
    _convert(fx_warehouse, "USD")
    with pytest.raises(DbtError) as failure:
        run_dbt(
            ["test", "--select", "assert_fx_rate_for_every_amount"],
            raw_dir=RAW,
            duckdb_path=fx_warehouse,
            quiet=True,
        )
    message = str(failure.value) + " ".join(m for _, m in failure.value.failed_nodes)
    assert "no fx_rates rate for GBP on or before 2025-01-15 (1 amounts)" in message


# --- rpt_channel_performance -------------------------------------------------------------

#: (cycle, lead, model, stage, converted, channel, campaign, credit): linear splits C1's
#: conversions between K1 (webinar) and K2 (email); first_touch gives C1's MQL and
#: opportunity to K1 and its win to K2; C2 has no touch.
TOUCHES = [
    ("C1", "L1", "linear", "mql", "2025-01-20", "webinar", "K1", 0.5),
    ("C1", "L1", "linear", "mql", "2025-01-20", "email", "K2", 0.5),
    ("C1", "L1", "linear", "opportunity", "2025-02-03", "webinar", "K1", 0.5),
    ("C1", "L1", "linear", "opportunity", "2025-02-03", "email", "K2", 0.5),
    ("C1", "L1", "linear", "won", "2025-03-01", "webinar", "K1", 0.5),
    ("C1", "L1", "linear", "won", "2025-03-01", "email", "K2", 0.5),
    ("C2", "L2", "linear", "mql", "2025-01-25", "(none)", None, 1.0),
    ("C1", "L1", "first_touch", "mql", "2025-01-20", "webinar", "K1", 1.0),
    ("C1", "L1", "first_touch", "opportunity", "2025-02-03", "webinar", "K1", 1.0),
    ("C1", "L1", "first_touch", "won", "2025-03-01", "email", "K2", 1.0),
    ("C2", "L2", "first_touch", "mql", "2025-01-25", "(none)", None, 1.0),
]
#: the other models credit as linear does here
TOUCHES += [
    (t[0], t[1], model, *t[3:])
    for model in ("last_touch", "u_shaped", "w_shaped", "time_decay")
    for t in TOUCHES
    if t[2] == "linear"
]
#: spend in the reporting currency: K1 300 and 200 without a campaign on webinar in January,
#: 100 on K2 in February
PERF_SPEND = [
    ("S1", "2025-01-05", "webinar", "K1", 300.0),
    ("S2", "2025-01-06", "webinar", None, 200.0),
    ("S3", "2025-02-07", "email", "K2", 100.0),
]


@pytest.fixture(scope="module")
def performance(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple, dict]:
    db_path = tmp_path_factory.mktemp("performance") / "performance.duckdb"
    models = ["first_touch", "last_touch", "linear", "u_shaped", "w_shaped", "time_decay"]
    with duckdb.connect(str(db_path)) as con:
        _schemas(con)
        con.execute(
            """create table marts.fct_attribution_touches (mql_cycle_id varchar, lead_id varchar,
               attribution_model varchar, conversion_stage varchar, converted_at timestamp,
               channel varchar, campaign_id varchar, credit double, scoring_model varchar)"""
        )
        con.executemany(
            "insert into marts.fct_attribution_touches values (?, ?, ?, ?, ?, ?, ?, ?, 'm')",
            TOUCHES,
        )
        con.execute(
            """create table intermediate.int_mql_cycles_enriched as
               select * from (values
                 ('C1', 'L1', 'm', false, 'O1', timestamp '2025-03-01 00:00:00'),
                 ('C2', 'L2', 'm', false, null, null)
               ) as t(mql_cycle_id, lead_id, scoring_model, is_inferred_mql, opportunity_id,
                      closed_won_at)"""
        )
        con.execute(
            """create table intermediate.int_amounts_in_reporting_currency (source_table varchar,
               record_id varchar, amount_in_reporting_currency decimal(18, 2))"""
        )
        con.execute(
            "insert into intermediate.int_amounts_in_reporting_currency values"
            " ('opportunities', 'O1', 1000)"
        )
        con.executemany(
            "insert into intermediate.int_amounts_in_reporting_currency"
            " values ('marketing_spend', ?, ?)",
            [(s[0], s[4]) for s in PERF_SPEND],
        )
        con.execute(
            """create table staging.stg_marketing__marketing_spend (marketing_spend_id varchar,
               spend_date date, channel varchar, campaign_id varchar, amount decimal(18, 2))"""
        )
        con.executemany(
            "insert into staging.stg_marketing__marketing_spend values (?, ?, ?, ?, ?)",
            PERF_SPEND,
        )
        con.execute(
            """create table marts.fct_lead_scores as
               select * from (values ('L1', 'm'), ('L2', 'm')) as t(lead_id, scoring_model)"""
        )
        con.execute(
            """create table marts.dim_leads as select * from (values
                 ('L1', timestamp '2025-01-02 00:00:00', 'webinar', 'K1'),
                 ('L2', timestamp '2025-01-03 00:00:00', null, null)
               ) as t(lead_id, created_at, channel, campaign_id)"""
        )
    # the model, its tests and the reconciliation test (it reads these inputs too)
    run_dbt(
        ["build", "--select", "rpt_channel_performance"],
        raw_dir=RAW,
        duckdb_path=db_path,
        quiet=True,
    )
    rows = query(
        db_path,
        """select attribution_model, cast(month as varchar), performance_level, channel,
                  campaign_id, leads, mqls, sqls, opportunities, wins, pipeline_amount,
                  won_revenue, spend, cost_per_lead, cost_per_mql, cac, roi, reporting_currency
           from marts.rpt_channel_performance where scoring_model = 'm'""",
    )
    names = [
        "leads", "mqls", "sqls", "opportunities", "wins", "pipeline_amount", "won_revenue",
        "spend", "cost_per_lead", "cost_per_mql", "cac", "roi", "currency",
    ]  # fmt: skip
    out = {tuple(r[:5]): dict(zip(names, r[5:], strict=True)) for r in rows}
    assert {key[0] for key in out} == set(models)
    return out


def test_linear_campaign_and_channel_levels(performance):
    k1 = performance[("linear", None, "campaign", "webinar", "K1")]
    assert k1 == {
        "leads": 1, "mqls": 0.5, "sqls": 0.0, "opportunities": 0.5, "wins": 0.5,
        "pipeline_amount": 500.0, "won_revenue": 500.0, "spend": 300.0,
        "cost_per_lead": 300.0, "cost_per_mql": 600.0, "cac": 600.0,
        "roi": pytest.approx(200 / 300), "currency": "USD",
    }  # fmt: skip
    webinar = performance[("linear", None, "channel", "webinar", None)]
    # the channel holds the spend without a campaign too
    assert (webinar["spend"], webinar["cost_per_mql"], webinar["roi"]) == (500.0, 1000.0, 0.0)
    k2 = performance[("linear", None, "campaign", "email", "K2")]
    assert (k2["leads"], k2["spend"], k2["cost_per_lead"], k2["roi"]) == (0, 100.0, None, 4.0)


def test_no_spend_means_null_costs(performance):
    none = performance[("linear", None, "channel", "(none)", None)]
    assert (none["leads"], none["mqls"], none["spend"]) == (1, 1.0, None)
    assert (none["cost_per_lead"], none["cost_per_mql"], none["cac"], none["roi"]) == (
        None,
        None,
        None,
        None,
    )


def test_totals_and_months(performance):
    total = performance[("linear", None, "all", "all", None)]
    assert (total["leads"], total["mqls"], total["wins"]) == (2, 2.0, 1.0)
    assert (total["won_revenue"], total["spend"], total["cac"]) == (1000.0, 600.0, 600.0)
    assert total["roi"] == pytest.approx(400 / 600) and total["cost_per_mql"] == 300.0
    january = performance[("linear", "2025-01-01", "all", "all", None)]
    # January: both MQLs and 500 of spend, no win yet: no cac, all spend lost
    assert (january["mqls"], january["spend"], january["cac"], january["roi"]) == (
        2.0,
        500.0,
        None,
        -1.0,
    )
    february = performance[("linear", "2025-02-01", "campaign", "email", "K2")]
    assert (february["opportunities"], february["pipeline_amount"], february["spend"]) == (
        0.5,
        500.0,
        100.0,
    )


def test_models_differ_and_spend_is_the_same_in_each(performance):
    k1 = performance[("first_touch", None, "campaign", "webinar", "K1")]
    k2 = performance[("first_touch", None, "campaign", "email", "K2")]
    assert (k1["mqls"], k1["pipeline_amount"], k1["wins"], k1["cac"]) == (1.0, 1000.0, 0.0, None)
    assert (k2["wins"], k2["won_revenue"], k2["roi"]) == (1.0, 1000.0, 9.0)
    # the spend and the leads are the same in every model
    for model in ("first_touch", "last_touch", "u_shaped", "w_shaped", "time_decay"):
        assert (
            performance[(model, None, "all", "all", None)]
            == performance[("linear", None, "all", "all", None)]
        )
