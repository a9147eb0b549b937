"""The SLA clock, worked by hand: business hours (Monday to Friday, 9 to 17) in the owner's or
the lead's time zone, across a weekend, holidays of seed routing_holidays, and daylight-saving
changes, which the US (9 March 2025) and Europe (30 March 2025) make on different dates.

The two models of the clock (int_business_hours_calendar, int_mql_handoffs_sla) run on real
seeds over hand-made routed MQLs: the upstream tables are written directly, so every case
states its time zone, territory, SLA hours and first touch.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from lead_funnel.dbt_runner import run_dbt
from tests.conftest import FIXTURES, query

T = datetime.fromisoformat

#: (lead, time zone, territory, sla hours, MQL moment UTC, first touch UTC,
#:  expected due UTC, expected business hours to the first touch)
CASES = [
    # Friday 15:00 EST; 2 hours on Friday, 6 on Monday, which is in EDT (UTC-4) by then
    (
        "weekend_dst_us",
        "America/New_York",
        "us",
        8,
        "2025-03-07 20:00:00",
        "2025-03-10 14:00:00",
        "2025-03-10 19:00:00",
        3.0,
    ),
    # Thursday 15:00 EDT; Friday 4 July is a US holiday: 2 hours Thursday, 2 on Monday
    (
        "us_holiday",
        "America/New_York",
        "us",
        4,
        "2025-07-03 19:00:00",
        None,
        "2025-07-07 15:00:00",
        None,
    ),
    # Friday 16:00 CET; 1 hour Friday, 3 on Monday 31 March, in CEST (UTC+2)
    (
        "weekend_dst_europe",
        "Europe/Berlin",
        "dach",
        4,
        "2025-03-28 15:00:00",
        None,
        "2025-03-31 10:00:00",
        None,
    ),
    # the same UTC moment in New York, already on EDT: 11:00 local, due the same afternoon
    (
        "same_moment_us",
        "America/New_York",
        "us",
        4,
        "2025-03-28 15:00:00",
        None,
        "2025-03-28 19:00:00",
        None,
    ),
    # Monday 10 March 08:00 UTC: London (still GMT) opens at 09:00 UTC, New York (EDT since
    # Sunday) at 13:00 UTC
    (
        "before_opening_london",
        "Europe/London",
        "emea",
        1,
        "2025-03-10 08:00:00",
        None,
        "2025-03-10 10:00:00",
        None,
    ),
    (
        "before_opening_new_york",
        "America/New_York",
        "us",
        1,
        "2025-03-10 08:00:00",
        None,
        "2025-03-10 14:00:00",
        None,
    ),
    # Monday 17:00 in Sydney is after hours: the clock starts Tuesday 09:00 AEST (Monday 23:00
    # UTC); touched Tuesday 10:00 AEST
    (
        "sydney_after_hours",
        "Australia/Sydney",
        "apac",
        2,
        "2025-06-02 07:00:00",
        "2025-06-03 00:00:00",
        "2025-06-03 01:00:00",
        1.0,
    ),
    # Saturday on the default clock (UTC): Monday 09:00 to 17:00
    (
        "default_zone_saturday",
        "UTC",
        "",
        8,
        "2025-03-08 12:00:00",
        "2025-03-08 13:00:00",
        "2025-03-10 17:00:00",
        0.0,
    ),
    # Christmas Eve 16:00 CET: 1 hour, then Christmas (every territory) and 26 December
    # (dach), a weekend, and Monday 29 December 09:00 to 16:00 CET
    (
        "christmas_dach",
        "Europe/Berlin",
        "dach",
        8,
        "2025-12-24 15:00:00",
        "2025-12-29 09:30:00",
        "2025-12-29 15:00:00",
        2.5,
    ),
]


@pytest.fixture(scope="module")
def sla_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db_path = tmp_path_factory.mktemp("sla") / "sla.duckdb"
    raw = FIXTURES / "raw_small"
    run_dbt(
        ["seed", "--select", "business_hours", "routing_holidays"],
        raw_dir=raw,
        duckdb_path=db_path,
        quiet=True,
    )
    with duckdb.connect(str(db_path)) as con:
        con.execute("create schema if not exists intermediate")
        con.execute(
            """create or replace table intermediate.int_mql_handoffs_routed (
                   lead_id varchar, scoring_model varchar, cycle_number integer,
                   marketing_qualified_at timestamp, territory varchar, sla_time_zone varchar,
                   sla_time_zone_source varchar, sla_hours integer)"""
        )
        con.execute(
            """create or replace table intermediate.int_mql_cycles_pivoted (
                   mql_cycle_id varchar, lead_id varchar, scoring_model varchar,
                   cycle_number integer, is_inferred_mql boolean,
                   marketing_qualified_at timestamp, first_touched_at timestamp)"""
        )
        for lead, zone, territory, hours, mql, touch, _, _ in CASES:
            con.execute(
                "insert into intermediate.int_mql_handoffs_routed"
                " values (?, 'm', 1, ?, ?, ?, ?, ?)",
                [lead, T(mql), territory or None, zone, "owner", hours],
            )
            con.execute(
                "insert into intermediate.int_mql_cycles_pivoted"
                " values (?, ?, 'm', 1, false, ?, ?)",
                [lead, lead, T(mql), T(touch) if touch else None],
            )
    run_dbt(
        ["run", "--select", "int_business_hours_calendar", "int_mql_handoffs_sla"],
        raw_dir=raw,
        duckdb_path=db_path,
        quiet=True,
    )
    return db_path


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_sla_due_in_business_hours_of_the_local_calendar(sla_warehouse: Path, case):
    lead, zone, _, _, _, _, due, to_touch = case
    ((due_at, due_local, time_zone, hours_to_touch),) = query(
        sla_warehouse,
        f"""select sla_due_at, sla_due_at_local, sla_time_zone, business_hours_to_first_touch
            from intermediate.int_mql_handoffs_sla where lead_id = '{lead}'""",
    )
    assert time_zone == zone
    assert due_at == T(due)
    if to_touch is None:
        assert hours_to_touch is None
    else:
        assert hours_to_touch == pytest.approx(to_touch)
    # the local due time is a business hour of that zone, in the way its wall clock reads
    assert due_local.hour in range(9, 18) and due_local.isoweekday() <= 5


def test_business_days_keep_their_length_across_daylight_saving(sla_warehouse: Path):
    rows = query(
        sla_warehouse,
        """select local_date, starts_at, business_hours, is_holiday
           from intermediate.int_business_hours_calendar
           where time_zone = 'America/New_York' and calendar_territory = 'us'
             and local_date in ('2025-03-07', '2025-03-08', '2025-03-10', '2025-07-04')
           order by local_date""",
    )
    assert rows == [
        (T("2025-03-07").date(), T("2025-03-07 14:00:00"), 8.0, False),
        (T("2025-03-08").date(), None, None, False),
        (T("2025-03-10").date(), T("2025-03-10 13:00:00"), 8.0, False),
        (T("2025-07-04").date(), None, None, True),
    ]
