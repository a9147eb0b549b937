"""Every MQL of the generated data ends with a person, dealt as the roster says.

Owners and statuses of fct_mql_handoffs are compared with `assign_owners`, the plain-Python
dealing of tests/unit/test_calibration_and_routing.py, fed with the routed queues and the
seed roster; the weights, capacities and active dates are checked on the result directly.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import pytest

from tests.conftest import query
from tests.unit.test_calibration_and_routing import Router, assign_owners, roster

pytestmark = pytest.mark.slow


def test_every_mql_has_an_owner_dealt_by_the_roster(generated_warehouse: Path):
    router = Router()
    reps = roster()
    rows = query(
        generated_warehouse,
        """select lead_id, scoring_model, cycle_number, marketing_qualified_at, queue,
                  routing_rule_id, owner_id, routing_status, owner_time_zone, territory,
                  routed_territory, routing_reason
           from marts.fct_mql_handoffs""",
    )
    assert rows
    mqls = [(r[0], r[1], r[2], r[3], r[4], router.rule(r[5])["owner_id"] or None) for r in rows]
    expected = assign_owners(mqls, reps)
    zones = {rep.rep_id: rep.time_zone for rep in reps}
    for r in rows:
        assert (r[6], r[7]) == expected[(r[0], r[1], r[2])], r
        assert r[8] == zones.get(r[6])
        assert r[11].startswith(f"rule {r[5]} (")
    # on the default data every MQL has an owner, and Canada is routed by its region
    assert all(r[6] is not None for r in rows)
    canada = [r for r in rows if r[9] == "canada"]
    assert canada and {r[10] for r in canada} == {"north_america"}
    assert "fallback" not in {r[5] for r in canada}
    # reps leave and join: nobody owns an MQL outside their active days
    for r in rows:
        if r[7] in ("assigned_round_robin", "assigned_over_capacity"):
            (rep,) = [x for x in reps if x.rep_id == r[6] and x.queue == r[4]]
            assert rep.active(r[3].date()), r
    # capacity: within-capacity assignments per rep and day never exceed it
    per_day = Counter(
        (r[4], r[6], r[1], r[3].date()) for r in rows if r[7] == "assigned_round_robin"
    )
    capacity = {(x.queue, x.rep_id): x.capacity for x in reps}
    assert all(
        capacity[(q, rep)] is None or n <= capacity[(q, rep)]
        for (q, rep, _, _), n in per_day.items()
    )
    # weights: in us_sdr_pool R003 (weight 2) takes about twice what R004 (weight 1) takes
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        if r[4] == "us_sdr_pool" and r[1] == "default":
            counts[r[6]] += 1
    assert 1.6 < counts["R003"] / counts["R004"] < 2.4, counts
