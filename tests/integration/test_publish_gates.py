"""Publish gates: a build that would publish a vanished, shrunken or mostly quarantined table
stops after the base models, names the table, the figure and the var, and leaves the marts of
the last published build in place; --allow-shrink publishes a deliberate reload."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest

from lead_funnel.cli import main
from tests.conftest import GENERATED_PERIOD, query

LEADS = 300


@pytest.fixture(scope="module")
def raw_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from lead_funnel.generator import generate

    out = tmp_path_factory.mktemp("gates") / "raw"
    generate(LEADS, 5, out, profile="default", progress=False, **GENERATED_PERIOD)
    for table in ("engagement_events", "sales_activities"):
        shutil.copy(out / f"{table}.csv", out.parent / f"{table}.full.csv")
    return out


def _rewrite(raw_dir: Path, table: str, keep, garble=lambda index: False) -> None:
    """<table>.csv from the full export: rows where keep(index), the moment garbled where
    garble(index)."""
    with open(raw_dir.parent / f"{table}.full.csv", newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        fields = reader.fieldnames
        rows = list(reader)
    with open(raw_dir / f"{table}.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        for index, row in enumerate(rows):
            if keep(index):
                if garble(index):
                    row["occurred_at"] = "not a moment"
                writer.writerow(row)


def _build(raw_dir: Path, db: Path, *extra: str) -> int:
    return main(["build", "--raw-dir", str(raw_dir), "--duckdb-path", str(db), *extra])


def _published(db: Path, table: str) -> list[tuple]:
    return query(
        db,
        "select build_number, staged_rows from audit.published_table_counts"
        f" where source_table = '{table}' order by build_number",
    )


def _count(db: Path, relation: str) -> int:
    return query(db, f"select count(*) from {relation}")[0][0]


@pytest.mark.slow
def test_gates_stop_a_build_that_would_publish_nonsense(raw_dir: Path, tmp_path: Path, capsys):
    db = tmp_path / "lead_funnel.duckdb"

    assert _build(raw_dir, db) == 0
    events = _count(db, "staging.stg_marketing__engagement_events")
    activities = _count(db, "staging.stg_sales__activities")
    history_rows = _count(db, "marts.fct_lead_score_history")
    assert events > 1000 and activities > 100 and history_rows > 1000
    assert _published(db, "engagement_events") == [(1, events)]
    capsys.readouterr()

    # a header-only export: the build stops, the marts stay those of build 1
    _rewrite(raw_dir, "engagement_events", keep=lambda index: False)
    assert _build(raw_dir, db) == 1
    err = capsys.readouterr().err
    assert (
        f"raw table engagement_events: no rows staged, the last published build had {events}" in err
    )
    assert "--allow-shrink" in err and "not published" in err
    assert _count(db, "marts.fct_lead_score_history") == history_rows
    assert _published(db, "engagement_events") == [(1, events)]

    # events shrink to 30%; 40% of the activities carry garbage timestamps: both named
    _rewrite(raw_dir, "engagement_events", keep=lambda index: index % 10 < 3)
    _rewrite(raw_dir, "sales_activities", keep=lambda i: True, garble=lambda i: i % 10 < 4)
    assert _build(raw_dir, db) == 1
    err = capsys.readouterr().err
    shrink = re.search(
        r"raw table engagement_events: (\d+) rows staged, the last published build had (\d+), "
        r"a shrink of more than var max_shrink_share \(0\.5\)",
        err,
    )
    assert shrink, err
    assert int(shrink.group(2)) == events
    assert 0.25 * events < int(shrink.group(1)) < 0.35 * events
    quarantined = re.search(
        r"raw table sales_activities: (\d+) of (\d+) rows quarantined, more than var "
        r"max_quarantined_share \(0\.2\)",
        err,
    )
    assert quarantined, err
    assert 0.38 < int(quarantined.group(1)) / int(quarantined.group(2)) < 0.5
    assert _count(db, "marts.fct_lead_score_history") == history_rows

    # a deliberate reload with a raised quarantine share is published as build 2
    assert (
        _build(
            raw_dir,
            db,
            "--select",
            "staging audit",
            "--allow-shrink",
            "--vars",
            '{"max_quarantined_share": 0.6}',
        )
        == 0
    )
    assert _published(db, "engagement_events") == [(1, events), (2, int(shrink.group(1)))]
    assert _published(db, "sales_activities")[-1][0] == 2


def test_memory_limit_ends_with_one_clear_message(tmp_path: Path, monkeypatch, capsys):
    from tests.conftest import FIXTURES

    monkeypatch.setenv("LEAD_FUNNEL_DUCKDB_MEMORY_LIMIT", "40MB")
    monkeypatch.setenv("LEAD_FUNNEL_TEMP_DIR", str(tmp_path / "spill"))
    assert _build(FIXTURES / "raw_small", tmp_path / "oom.duckdb") == 1
    err = capsys.readouterr().err.strip()
    # the progress bar's lines, then one message that names the cause and the fix
    explained = [line for line in err.splitlines() if line.startswith("lead-funnel build:")]
    assert len(explained) == 1 and err.endswith(explained[0]), err
    assert re.fullmatch(
        r"lead-funnel build: (model \w+|the raw landing and publish hooks \(on-run-start, "
        r"on-run-end\)) ran out of memory \(memory limit: 40MB; temp directory: "
        + re.escape(str(tmp_path / "spill"))
        + r"\): raise LEAD_FUNNEL_DUCKDB_MEMORY_LIMIT .*",
        explained[0],
    ), err


def test_resource_settings_reach_duckdb(tmp_path: Path, monkeypatch):
    from lead_funnel.dbt_runner import run_dbt
    from tests.conftest import FIXTURES

    monkeypatch.setenv("LEAD_FUNNEL_DUCKDB_MEMORY_LIMIT", "1GB")
    monkeypatch.setenv("LEAD_FUNNEL_THREADS", "3")
    result = run_dbt(
        [
            "show",
            "--inline",
            "select current_setting('memory_limit') as memory_limit,"
            " current_setting('threads') as threads",
        ],
        raw_dir=FIXTURES / "raw_small",
        duckdb_path=tmp_path / "settings.duckdb",
        quiet=True,
    )
    table = result.result.results[0].agate_table
    row = dict(zip(table.column_names, table.rows[0], strict=True))
    assert row["memory_limit"] in ("953.6 MiB", "1000.0 MB", "1.0 GB")
    assert int(row["threads"]) == 3
