"""Attribution worked by hand: fct_attribution_touches on hand-made upstream tables.

One MQL on 31 January 00:00 with four counting touches (1, 10, 20 and 31 January); an email
open, a visit from a campaign of a channel that is not paid and a touch without a campaign do
not count; a second lead converts without touches. The upstream models are written directly;
the seed attribution_touch_types is the project's.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from lead_funnel.dbt_runner import run_dbt
from tests.conftest import FIXTURES, query

EVENTS = [
    ("e1", "L1", "form_submit", "2025-01-01 00:00:00", "K1"),
    ("e2", "L1", "email_click", "2025-01-10 00:00:00", "K2"),
    ("e3", "L1", "page_view", "2025-01-20 00:00:00", "K3"),
    ("e4", "L1", "email_open", "2025-01-25 00:00:00", "K2"),
    ("e5", "L1", "page_view", "2025-01-26 00:00:00", "K1"),
    ("e6", "L1", "demo_request", "2025-01-21 00:00:00", None),
    ("e7", "L1", "webinar_attended", "2025-01-31 00:00:00", "K1"),
    # a touch of L1 after its SQL moment counts only for the later conversions
    ("e8", "L1", "contact_sales", "2025-02-05 00:00:00", "K2"),
]
CAMPAIGNS = [("K1", "webinar"), ("K2", "email"), ("K3", "paid_search")]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db_path = tmp_path_factory.mktemp("attribution") / "attribution.duckdb"
    raw = FIXTURES / "raw_small"
    run_dbt(
        ["seed", "--select", "attribution_touch_types"],
        raw_dir=raw,
        duckdb_path=db_path,
        quiet=True,
    )
    with duckdb.connect(str(db_path)) as con:
        for schema in ("intermediate", "staging"):
            con.execute(f"create schema if not exists {schema}")
        con.execute(
            """create or replace table intermediate.int_mql_cycles_enriched as
               select * from (values
                 ('C1', 'L1', 'm', false, timestamp '2025-01-31 00:00:00',
                  timestamp '2025-02-01 00:00:00', timestamp '2025-02-10 00:00:00',
                  cast(null as timestamp)),
                 ('C2', 'L2', 'm', false, timestamp '2025-01-31 00:00:00',
                  cast(null as timestamp), cast(null as timestamp), cast(null as timestamp))
               ) as t(mql_cycle_id, lead_id, scoring_model, is_inferred_mql, marketing_qualified_at,
                      sql_reached_at, opportunity_reached_at, closed_won_at)"""
        )
        con.execute(
            """create or replace table intermediate.int_engagement_events_resolved (
                   event_id varchar, lead_id varchar, event_type varchar, occurred_at timestamp,
                   campaign_id varchar)"""
        )
        con.executemany(
            "insert into intermediate.int_engagement_events_resolved values (?, ?, ?, ?, ?)", EVENTS
        )
        con.execute(
            "create or replace table staging.stg_marketing__campaigns"
            " (campaign_id varchar, channel varchar)"
        )
        con.executemany("insert into staging.stg_marketing__campaigns values (?, ?)", CAMPAIGNS)
    run_dbt(
        ["build", "--select", "fct_attribution_touches"],
        raw_dir=raw,
        duckdb_path=db_path,
        dbt_vars={"attribution_half_life_days": 10},
        quiet=True,
    )
    return db_path


def _credits(db_path: Path, lead: str, stage: str) -> dict[str, dict[str | None, float]]:
    rows = query(
        db_path,
        f"""select attribution_model, touch_event_id, credit from marts.fct_attribution_touches
            where lead_id = '{lead}' and conversion_stage = '{stage}'""",
    )
    out: dict[str, dict[str | None, float]] = {}
    for model, touch, credit in rows:
        out.setdefault(model, {})[touch] = credit
    return out


def test_mql_credits_by_model(warehouse: Path):
    credits = _credits(warehouse, "L1", "mql")
    assert credits["first_touch"] == {"e1": 1.0}
    assert credits["last_touch"] == {"e7": 1.0}
    assert credits["linear"] == pytest.approx({"e1": 0.25, "e2": 0.25, "e3": 0.25, "e7": 0.25})
    assert credits["u_shaped"] == pytest.approx({"e1": 0.4, "e2": 0.1, "e3": 0.1, "e7": 0.4})
    # the last touch is also the MQL touch: 0.3 + 0.3; 0.1 across the two others
    assert credits["w_shaped"] == pytest.approx({"e1": 0.3, "e2": 0.05, "e3": 0.05, "e7": 0.6})
    weights = {"e1": 2**-3, "e2": 2**-2.1, "e3": 2**-1.1, "e7": 1.0}
    total = sum(weights.values())
    assert credits["time_decay"] == pytest.approx(
        {k: v / total for k, v in weights.items()}, abs=1e-12
    )


def test_opportunity_has_its_own_window_and_w_shape(warehouse: Path):
    # the opportunity (10 February) also sees e8 (5 February); the MQL touch is e7
    credits = _credits(warehouse, "L1", "opportunity")
    assert credits["last_touch"] == {"e8": 1.0}
    assert credits["w_shaped"] == pytest.approx(
        {"e1": 0.3, "e2": 0.05, "e3": 0.05, "e7": 0.3, "e8": 0.3}
    )
    # the SQL (1 February) comes before e8
    assert _credits(warehouse, "L1", "sql")["last_touch"] == {"e7": 1.0}


def test_a_conversion_without_touches_credits_none(warehouse: Path):
    rows = query(
        warehouse,
        """select attribution_model, touch_event_id, channel, credit
           from marts.fct_attribution_touches where lead_id = 'L2' order by 1""",
    )
    assert [r[0] for r in rows] == sorted(
        ["first_touch", "last_touch", "linear", "u_shaped", "w_shaped", "time_decay"]
    )
    assert {r[1:] for r in rows} == {(None, "(none)", 1.0)}
    # every conversion and model adds up to 1 (the dbt test ran in the build too)
    sums = query(
        warehouse,
        """select conversion_id, attribution_model, sum(credit) from marts.fct_attribution_touches
           group by 1, 2""",
    )
    assert len(sums) == 4 * 6 and all(abs(s - 1) < 1e-12 for *_, s in sums)
