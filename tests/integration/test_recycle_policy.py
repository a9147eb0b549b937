"""The recycle policy on the default profile: a recycled lead needs new interest to re-MQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import query

pytestmark = pytest.mark.slow

REMQL_GAPS_SQL = """
with cycles as (
    select
        lead_id,
        cycle_number,
        marketing_qualified_at,
        mql_trigger,
        lag(recycled_at) over (partition by lead_id order by cycle_number) as recycled_before
    from marts.fct_mql_cycles
    where scoring_model = 'default'
)
select
    count(*) as re_mqls,
    count(case when mql_trigger <> 'fast_track'
               and marketing_qualified_at <= recycled_before + interval 24 hour then 1 end)
        as within_24h_not_fast_track,
    median(epoch(marketing_qualified_at) - epoch(recycled_before)) / 3600.0 as median_gap_hours
from cycles
where cycle_number > 1 and mql_trigger in ('threshold', 'fast_track')
  and recycled_before is not null
"""


def test_re_mqls_need_new_engagement_after_a_recycle(generated_warehouse: Path) -> None:
    re_mqls, fast_re_mqls, median_gap_hours = query(generated_warehouse, REMQL_GAPS_SQL)[0]
    print(
        f"default profile: {re_mqls} re-MQLs after a recycle, {fast_re_mqls} within 24 h other "
        f"than by fast track; median recycle -> re-MQL gap {median_gap_hours:.1f} h"
    )
    assert re_mqls > 20
    assert fast_re_mqls / re_mqls < 0.02
    # With the behaviour reset the lead must earn the threshold again: days, not hours.
    assert median_gap_hours > 7 * 24


def test_no_score_before_a_reset_counts_after_it(generated_warehouse: Path) -> None:
    leaked = query(
        generated_warehouse,
        """select count(*)
           from marts.fct_lead_score_components as c
           inner join marts.fct_lead_scores as s using (lead_id, scoring_model)
           where c.rule_kind = 'behavior' and s.behavior_reset_at is not null
             and c.counted_occurrence_count > 0
             and not exists (
                 select 1 from intermediate.int_engagement_events_scored as o
                 where o.lead_id = c.lead_id and o.scoring_model = c.scoring_model
                   and o.rule_id = c.rule_id and o.occurred_at > s.behavior_reset_at
             )""",
    )[0][0]
    assert leaked == 0
    resets = query(
        generated_warehouse,
        "select count(*) from marts.fct_lead_scores where behavior_reset_at is not null",
    )[0][0]
    assert resets > 50
