"""The as-of moment comes from the data, not the clock: the same raw files built on two
different days give identical marts, and scored_as_of is the data's watermark."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest
import time_machine

from tests.conftest import FIXTURES, build_warehouse, query

pytestmark = pytest.mark.slow

PUBLIC_MARTS_SQL = """
    select table_name from information_schema.tables
    where table_schema = 'marts' order by table_name
"""


def _rows(db_path: Path, table: str) -> list[tuple]:
    with duckdb.connect(str(db_path)) as con:
        return con.execute(f"select * from marts.{table} order by all").fetchall()


def test_builds_on_different_days_give_identical_marts(tmp_path: Path) -> None:
    built = {}
    for day in (datetime(2026, 12, 1, 9), datetime(2027, 6, 15, 18)):
        with time_machine.travel(day, tick=True):
            db_path = tmp_path / f"{day:%Y%m%d}.duckdb"
            built[day] = build_warehouse(FIXTURES / "raw_small", db_path)
    first, second = built.values()
    tables = [row[0] for row in query(first, PUBLIC_MARTS_SQL)]
    assert "fct_lead_scores" in tables and "rpt_funnel_conversion" in tables
    for table in tables:
        assert _rows(first, table) == _rows(second, table), f"marts.{table} differs"


def test_scored_as_of_is_the_data_watermark(small_warehouse: Path) -> None:
    watermark = query(small_warehouse, "select watermark_at from intermediate.int_data_watermark")
    latest = query(
        small_warehouse,
        """select max(moment) from (
               select max(occurred_at) as moment from staging.stg_marketing__engagement_events
               union all select max(changed_at) from staging.stg_crm__lead_status_changes
               union all select max(occurred_at) from staging.stg_sales__activities
               union all select max(created_at) from staging.stg_crm__opportunities
               union all select max(closed_at) from staging.stg_crm__opportunities
               union all select max(occurred_at) from staging.stg_product__usage_events
               union all select max(created_at) from staging.stg_crm__leads
           )""",
    )
    assert watermark == latest
    scored = query(small_warehouse, "select distinct scored_as_of from marts.fct_lead_scores")
    assert scored == watermark
