"""The run driver: `generate` opens the files, simulates the leads chunk by chunk and closes up.

Leads are simulated in chunks (accounts of the chunk first), each chunk from its own random
stream seeded by (seed, chunk index), and appended to open files, so memory stays bounded and
the output is byte-identical for the same seed and chunk size. The steps of a chunk live in
their own modules (`population`, `engagement`, `sales`, `mess`); this module fixes their
order, which is also the order in which they draw from the chunk's random streams, so
reordering them changes the output.
"""

from __future__ import annotations

import json
import math
import random
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from lead_funnel.contract import raw_tables
from lead_funnel.generator import engagement, mess, population
from lead_funnel.generator.campaigns import write_campaigns_and_spend
from lead_funnel.generator.encode import DAY
from lead_funnel.generator.profiles import PROFILES
from lead_funnel.generator.sales import simulate_sales
from lead_funnel.generator.state import (
    TRUTH_CYCLE_COLUMNS,
    TRUTH_LEAD_COLUMNS,
    TRUTH_PRODUCT_COLUMNS,
    Run,
)
from lead_funnel.generator.writers import TableWriter
from lead_funnel.period import default_period


def _epoch(day: str) -> int:
    """'YYYY-MM-DD' -> epoch seconds of its UTC midnight."""
    d = datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    return int(d.timestamp())


def generate(
    n_leads: int,
    seed: int,
    out_dir: Path,
    profile: str = "default",
    mess_rate: float = 0.02,
    fmt: str = "csv",
    chunk_size: int = 20_000,
    progress: bool = True,
    start_date: str | None = None,
    end_date: str | None = None,
) -> dict[str, Any]:
    """Write the raw CRM tables and their ground truth for `n_leads` leads to `out_dir`.

    The period ends at midnight of `end_date` (default: today, UTC) and starts at `start_date`
    (default: 637 days earlier, `lead_funnel.period`); anything comparing generated values
    pins both.

    Returns the summary also written to ground_truth/mess.json: rows written per table,
    injected mess per kind, and the run parameters.
    """
    _check_arguments(n_leads, profile, mess_rate, fmt, chunk_size)
    start_date, end_date = default_period(start_date, end_date)
    start, end = _epoch(start_date), _epoch(end_date)
    if end - start < 60 * DAY:
        raise ValueError("the period must span at least 60 days")
    out_dir = Path(out_dir)
    truth_dir = out_dir / "ground_truth"
    truth_dir.mkdir(parents=True, exist_ok=True)
    run = Run(
        seed=seed,
        profile=PROFILES[profile],
        start=start,
        end=end,
        mess_rate=mess_rate,
        n_leads=n_leads,
    )
    run.total_accounts = max(1, round(n_leads / run.profile.leads_per_account))
    try:
        _open_writers(run, out_dir, truth_dir, fmt)
        write_campaigns_and_spend(run)
        n_chunks = math.ceil(n_leads / chunk_size)
        with tqdm(total=n_leads, unit="lead", desc="generating", disable=not progress) as bar:
            for chunk in range(n_chunks):
                size = min(chunk_size, n_leads - chunk * chunk_size)
                _simulate_chunk(run, chunk, size)
                bar.update(size)
    finally:
        _close_writers(run)
    summary: dict[str, Any] = {
        "seed": seed,
        "profile": profile,
        "n_leads": n_leads,
        "mess_rate": mess_rate,
        "format": fmt,
        "chunk_size": chunk_size,
        "start_date": start_date,
        "end_date": end_date,
        "tables": {
            name: {"rows": w.rows, "mess": dict(sorted(run.mess.get(name, {}).items()))}
            for name, w in run.writers.items()
        },
        "ground_truth": {name: {"rows": w.rows} for name, w in run.truth.items()},
    }
    _write_run_truth(run, truth_dir, summary)
    return summary


def _check_arguments(
    n_leads: int, profile: str, mess_rate: float, fmt: str, chunk_size: int
) -> None:
    """Raise ValueError on an unknown profile or format or an out-of-range number."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; choose from {sorted(PROFILES)}")
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"unknown format {fmt!r}; use 'csv' or 'parquet'")
    if n_leads < 1 or chunk_size < 1:
        raise ValueError("n_leads and chunk_size must be positive")
    if not 0.0 <= mess_rate <= 1.0:
        raise ValueError("mess_rate must lie in [0, 1]")


def _open_writers(run: Run, out_dir: Path, truth_dir: Path, fmt: str) -> None:
    """Open one writer per raw table of the contract (in `fmt`) and per truth table (CSV)."""
    for name, table in raw_tables().items():
        run.writers[name] = TableWriter(out_dir, name, table.columns, fmt)
    run.truth["leads_truth"] = TableWriter(truth_dir, "leads_truth", TRUTH_LEAD_COLUMNS, "csv")
    run.truth["mql_cycles_truth"] = TableWriter(
        truth_dir, "mql_cycles_truth", TRUTH_CYCLE_COLUMNS, "csv"
    )
    run.product_truth = TableWriter(truth_dir, "product_usage_truth", TRUTH_PRODUCT_COLUMNS, "csv")


def _close_writers(run: Run) -> None:
    """Close every writer opened so far."""
    for w in (*run.writers.values(), *run.truth.values()):
        w.close()
    if run.product_truth is not None:
        run.product_truth.close()


def _simulate_chunk(run: Run, chunk_index: int, n: int) -> None:
    """Simulate and write `n` leads (with their accounts) from the chunk's own random streams.

    `rng` (numpy) drives the population, engagement and mess, `prng` (Python) the sales
    process; both are seeded by (seed, chunk index) only.
    """
    rng = np.random.default_rng([run.seed, chunk_index])
    prng = random.Random(int(rng.integers(0, 2**62)))
    accounts = population.simulate_accounts(run, rng, chunk_index, n)
    leads = population.simulate_leads(run, rng, accounts, n)
    events = engagement.simulate_events(run, rng, leads)
    sim = simulate_sales(run, prng, accounts, leads, events)
    lead_mess = mess.merge_duplicates_and_pad_emails(run, rng, leads, events)
    mess.inject_contradictions(run, rng, sim, chunk_index)
    population.write_accounts(run, rng, accounts, leads)
    population.write_leads(run, rng, accounts, leads, lead_mess)
    columns = engagement.event_columns(run, events, lead_mess.ev_lead_num)
    run.writers["engagement_events"].write(mess.add_event_mess(run, rng, columns, events))
    sim.flush()
    engagement.write_product_usage(run, rng, leads)


def _write_run_truth(run: Run, truth_dir: Path, summary: dict[str, Any]) -> None:
    """Write the run-level truth files: the contradictory opportunities and mess.json."""
    with open(truth_dir / "contradictory_opportunities.csv", "w", encoding="utf-8") as fh:
        fh.write("opportunity_id,lead_id\n")
        for item in run.contradictory:
            fh.write(f"{item['opportunity_id']},{item['lead_id']}\n")
    with open(truth_dir / "mess.json", "w", encoding="utf-8") as fh:
        json.dump(summary, fh, indent=2, sort_keys=False)
        fh.write("\n")
