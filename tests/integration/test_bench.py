"""`lead-funnel bench` measures what it says: every timed scoring run rebuilds the whole layer.

The scoring layer's per-event models are incremental, so a second `dbt run` of them on the same
rows would touch no lead and time next to nothing; the bench rebuilds them with --full-refresh.
Figures are printed, never asserted: this checks the runs are real, not how fast they are.
"""

from __future__ import annotations

import duckdb
import pytest

from lead_funnel.bench import SCORING_MODELS, bench_scoring
from lead_funnel.generator import generate

pytestmark = pytest.mark.slow

AS_OF = "2026-09-30 00:00:00"


@pytest.fixture(scope="module")
def scoring_bench(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("bench")
    generate(300, 11, work / "raw", fmt="parquet", progress=False)
    db = work / "warehouse" / "bench.duckdb"
    result = bench_scoring(work / "raw", db, runs=2, as_of=AS_OF, reference=False)
    with duckdb.connect(str(db), read_only=True) as con:
        modes = dict(
            con.execute(
                "select model_name, last_run_mode from incremental_state.lf_incremental_state"
            ).fetchall()
        )
        history = con.execute("select count(*) from marts.fct_lead_score_history").fetchone()[0]
        events = con.execute(
            "select count(*) from intermediate.int_engagement_events_resolved"
        ).fetchone()[0]
    return result, modes, history, events, work


def test_every_scoring_run_rebuilds_the_layer_in_full(scoring_bench) -> None:
    result, modes, history, events, _ = scoring_bench
    assert len(result["runs"]) == 2
    assert modes["int_lead_scores_at_each_event"] == "full"
    assert modes["int_engagement_events_scored"] == "full"
    assert set(result["median_model_seconds"]) == set(SCORING_MODELS)
    assert result["median_model_seconds"]["int_lead_scores_at_each_event"] > 0


def test_the_bench_reports_the_rows_it_scored(scoring_bench) -> None:
    result, _, history, events, work = scoring_bench
    # one history row per scoring event and scoring model (two models)
    assert result["history_rows"] == history
    assert events > 1000 and 0 < history <= 2 * events
    assert result["leads"] >= 300
    assert result["events"] >= events
    # dbt's target and logs go beside the bench's warehouse, not into the project
    assert (work / "warehouse" / "target" / "run_results.json").is_file()
