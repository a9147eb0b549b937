"""Daily loads: one generated dataset cut into the loads an extract tool would deliver day by day.

`split_daily` reads the single-file output of `generate` and writes, per raw table, one file per
load day::

    <out>/<table>/day_0001.csv      everything known on the first load day (the history)
    <out>/<table>/day_0002.csv      what the second day's load brought
    ...
    <out>/daily.json                the load days, their cut-off moments and rows per file

The load moment of day ``d`` is ``end - (days - d)`` days at midnight UTC; day ``d`` (from the
second on) holds the rows whose moment lies in ``(T[d-1], T[d]]`` and day 1 everything up to
``T[1]``. The moment of a row is its ``loaded_at`` where the table has one (engagement events),
else its own time: ``created_at`` (accounts, leads, opportunities), ``changed_at``,
``occurred_at`` or ``spend_date``; campaigns all come on day 1 and an account comes no later
than its first lead. A row whose moment does not parse (injected mess) comes on a day drawn
from the seed. Changes to a row arrive as a new version on the day of the change:

* a merged duplicate lead arrives unmerged (``updated_at = created_at``) on the day it was
  created and again, with ``merged_into_lead_id`` and its ``updated_at``, on the day of its merge;
* an opportunity closed on a later day than it was opened arrives open (stage ``discovery``,
  no ``closed_at`` / ``is_won``) on its creation day and closed on its closing day;
* on each day from the second, a share of the events that occurred two to six weeks before it
  arrive late: their ``loaded_at`` moves into that day.

A day without rows for a table writes no file for it. ``updated_at`` of accounts and leads is
at most their day's cut-off. The simulation runs 30 days past the end (so leads are created up to
the last day); what it produces after the end has not been loaded and is left out, and so is
the ground truth (it would describe that longer period). The folder holding days
1..k of every table (`days_through`) is a raw folder for a full build as of day k; the whole
output is the one of the last day.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from lead_funnel.contract import raw_tables
from lead_funnel.generator.encode import DAY

# The column holding each table's own moment (None: every row comes on day 1).
MOMENT_COLUMNS = {
    "accounts": "created_at",
    "leads": "created_at",
    "engagement_events": "loaded_at",
    "sales_activities": "occurred_at",
    "lead_status_changes": "changed_at",
    "opportunities": "created_at",
    "campaigns": None,
    "marketing_spend": "spend_date",
    "product_usage_events": "occurred_at",
}
# Share of the events two to six weeks old that each day from the second brings late.
LATE_EVENT_SHARE = 0.01
LATE_MIN_AGE, LATE_MAX_AGE = 14 * DAY, 42 * DAY


def day_file_name(day: int, fmt: str) -> str:
    """The file of load day `day` inside a table's folder, e.g. day_0003.csv."""
    return f"day_{day:04d}.{fmt}"


def _read(path: Path) -> pa.Table:
    if path.suffix == ".parquet":
        return pq.read_table(path)
    with open(path, encoding="utf-8") as fh:
        header = fh.readline()
    names = pa_csv.read_csv(pa.py_buffer(header.encode())).column_names
    return pa_csv.read_csv(
        path,
        convert_options=pa_csv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
        ),
    )


def _write(table: pa.Table, path: Path, fmt: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "parquet":
        pq.write_table(table, path, compression="zstd")
    else:
        pa_csv.write_csv(table, path, write_options=pa_csv.WriteOptions(quoting_style="needed"))


def _epochs(values: pa.Array) -> np.ndarray:
    """Epoch seconds of 'YYYY-MM-DD HH:MM:SS' or 'YYYY-MM-DD' texts; -1 where neither parses."""
    values = pc.utf8_trim_whitespace(values)
    full = pc.strptime(values, format="%Y-%m-%d %H:%M:%S", unit="s", error_is_null=True)
    date_only = pc.strptime(values, format="%Y-%m-%d", unit="s", error_is_null=True)
    moments = pc.coalesce(full, date_only).cast(pa.int64())
    return np.array(moments.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)


def _timestamps(epochs: np.ndarray) -> pa.Array:
    return pc.strftime(
        pa.array(np.asarray(epochs, dtype=np.int64), type=pa.timestamp("s")),
        format="%Y-%m-%d %H:%M:%S",
    )


class _Days:
    """Load days of moments: the first day whose cut-off is not before the moment; 0 (not
    loaded yet) for a moment after the last cut-off but within the simulation, a day drawn
    from the seed for a moment that does not parse (-1) or lies far past it (injected mess)."""

    def __init__(self, cutoffs: np.ndarray, simulated_end: int, rng: np.random.Generator):
        self.cutoffs, self.simulated_end, self.rng = cutoffs, simulated_end, rng

    def __call__(self, moments: np.ndarray) -> np.ndarray:
        days = np.searchsorted(self.cutoffs, moments, side="left") + 1
        days[days > self.cutoffs.size] = 0
        odd = (moments < 0) | (moments > self.simulated_end)
        days[odd] = self.rng.integers(1, self.cutoffs.size + 1, int(odd.sum()))
        return days


def split_daily(
    src_dir: Path, out_dir: Path, days: int, end_date: str, seed: int, simulated_days: int = 0
) -> dict[str, Any]:
    """Cut the raw files of `src_dir` into `days` daily loads up to `end_date` under `out_dir`;
    returns the summary also written to daily.json. `src_dir` was generated with its period
    running `simulated_days` past `end_date` (rows after the end are not loaded yet)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    src_dir, out_dir = Path(src_dir), Path(out_dir)
    from lead_funnel.generator.core import _epoch

    end = _epoch(end_date)
    cutoffs = np.array([end - (days - d) * DAY for d in range(1, days + 1)], dtype=np.int64)
    rng = np.random.default_rng([seed, 7_700_001])
    day_of = _Days(cutoffs, end + (simulated_days + 60) * DAY, rng)
    parts: dict[str, tuple[np.ndarray, pa.Table]] = {}
    fmt = "csv"
    account_first_lead: dict[str, int] = {}
    for name in raw_tables():
        path = next(
            (p for p in (src_dir / f"{name}.csv", src_dir / f"{name}.parquet") if p.is_file()),
            None,
        )
        if path is None:
            continue
        fmt = path.suffix[1:]
        table = _read(path)
        column = MOMENT_COLUMNS[name]
        if column is None:
            row_days = np.ones(table.num_rows, dtype=np.int64)
        else:
            row_days = day_of(_epochs(table[column].combine_chunks()))
        if name == "engagement_events":
            table, row_days = _events(table, row_days, cutoffs, rng)
        elif name == "leads":
            table, row_days = _leads(table, row_days, cutoffs, day_of, rng)
            for account_id, day in zip(
                table["account_id"].to_pylist(), row_days.tolist(), strict=True
            ):
                if account_id is not None and day > 0:
                    account_first_lead[account_id] = min(
                        account_first_lead.get(account_id, day), day
                    )
        elif name == "opportunities":
            table, row_days = _opportunities(table, row_days, day_of)
        parts[name] = (row_days, table)
    if "accounts" in parts:
        row_days, table = parts["accounts"]
        first = np.array(
            [account_first_lead.get(a, 0) for a in table["account_id"].to_pylist()],
            dtype=np.int64,
        )
        parts["accounts"] = (
            np.where((first > 0) & ((row_days == 0) | (first < row_days)), first, row_days),
            table,
        )
    for name in ("accounts", "leads"):
        if name in parts:
            parts[name] = (parts[name][0], _clamp_updated(*parts[name], cutoffs))
    loads: list[dict[str, Any]] = [
        {"day": d, "loaded_through": _timestamps(cutoffs[d - 1 : d])[0].as_py(), "rows": {}}
        for d in range(1, days + 1)
    ]
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    for name, (row_days, table) in parts.items():
        for d in range(1, days + 1):
            day_rows = table.filter(pa.array(row_days == d))
            if day_rows.num_rows:
                _write(day_rows, out_dir / name / day_file_name(d, fmt), fmt)
                loads[d - 1]["rows"][name] = day_rows.num_rows
    summary = {"days": days, "end_date": end_date, "format": fmt, "loads": loads}
    with open(out_dir / "daily.json", "w", encoding="utf-8") as fh:
        json.dump(summary, fh, indent=2)
        fh.write("\n")
    return summary


def _clamp_updated(row_days: np.ndarray, table: pa.Table, cutoffs: np.ndarray) -> pa.Table:
    """updated_at no later than the row's load day: a row cannot tell of a later update."""
    updated = _epochs(table["updated_at"].combine_chunks())
    limit = cutoffs[np.clip(row_days - 1, 0, cutoffs.size - 1)]
    clamp = (row_days >= 1) & (updated > limit)
    clamped = _timestamps(np.where(clamp, limit, 0))
    return _set(table, "updated_at", pc.if_else(pa.array(clamp), clamped, table["updated_at"]))


def _set(table: pa.Table, column: str, values: pa.Array) -> pa.Table:
    return table.set_column(table.schema.get_field_index(column), column, values)


def _events(
    table: pa.Table, row_days: np.ndarray, cutoffs: np.ndarray, rng: np.random.Generator
) -> tuple[pa.Table, np.ndarray]:
    """Move a share of events two to six weeks old into each later day (loaded that day)."""
    loaded = _epochs(table["loaded_at"].combine_chunks())
    occurred = _epochs(table["occurred_at"].combine_chunks())
    moved = np.zeros(table.num_rows, dtype=bool)
    for d in range(2, cutoffs.size + 1):
        day_start, day_end = cutoffs[d - 2], cutoffs[d - 1]
        age = day_end - occurred
        eligible = np.flatnonzero(
            (occurred >= 0)
            & (age >= LATE_MIN_AGE)
            & (age <= LATE_MAX_AGE)
            & (row_days >= 1)
            & (row_days < d)
        )
        late = eligible[rng.random(eligible.size) < LATE_EVENT_SHARE]
        row_days[late] = d
        loaded[late] = day_start + rng.integers(60, DAY, late.size)
        moved[late] = True
    new_loaded = pc.if_else(pa.array(moved), _timestamps(np.maximum(loaded, 0)), table["loaded_at"])
    return _set(table, "loaded_at", new_loaded), row_days


def _leads(
    table: pa.Table,
    row_days: np.ndarray,
    cutoffs: np.ndarray,
    day_of: _Days,
    rng: np.random.Generator,
) -> tuple[pa.Table, np.ndarray]:
    """A duplicate merged on a later day than it was created comes twice: unmerged on its first
    day, merged on the day of the merge. Each day from the second merges at least one
    duplicate created before it (its updated_at moved into that day)."""
    merged = pc.is_valid(table["merged_into_lead_id"]).to_numpy(zero_copy_only=False)
    updated = _epochs(table["updated_at"].combine_chunks())
    merge_days = day_of(updated)
    merge_days[~merged] = row_days[~merged]
    forced = np.zeros(table.num_rows, dtype=bool)
    for d in range(2, cutoffs.size + 1):
        open_ = np.flatnonzero(merged & (row_days >= 1) & (row_days < d) & (merge_days == row_days))
        if open_.size:
            k = min(open_.size, max(1, int(round(open_.size * 0.02))))
            chosen = np.sort(rng.choice(open_, k, replace=False))
            merge_days[chosen] = d
            updated[chosen] = cutoffs[d - 2] + rng.integers(60, DAY, chosen.size)
            forced[chosen] = True
    table = _set(
        table,
        "updated_at",
        pc.if_else(pa.array(forced), _timestamps(np.maximum(updated, 0)), table["updated_at"]),
    )
    later = np.flatnonzero(merged & (row_days >= 1) & ((merge_days > row_days) | (merge_days == 0)))
    if later.size == 0:
        return table, row_days
    first = table.take(pa.array(later))
    first = _set(first, "updated_at", first["created_at"])
    first = _set(first, "merged_into_lead_id", pa.nulls(first.num_rows, pa.string()))
    days_out = np.where(merged, merge_days, row_days)
    return pa.concat_tables([table, first]), np.concatenate([days_out, row_days[later]])


def _opportunities(
    table: pa.Table, row_days: np.ndarray, day_of: _Days
) -> tuple[pa.Table, np.ndarray]:
    """An opportunity closed on a later day than it was opened (or not yet) comes open first
    (stage discovery, no closed_at or is_won), then closed on its closing day."""
    closed = _epochs(table["closed_at"].combine_chunks())
    has_close = closed >= 0
    close_days = np.where(has_close, day_of(np.maximum(closed, 0)), row_days)
    later = np.flatnonzero(
        has_close & (row_days >= 1) & ((close_days > row_days) | (close_days == 0))
    )
    if later.size == 0:
        return table, row_days
    first = table.take(pa.array(later))
    first = _set(first, "stage", pa.array(["discovery"] * later.size, pa.string()))
    first = _set(first, "closed_at", pa.nulls(later.size, pa.string()))
    first = _set(first, "is_won", pa.nulls(later.size, pa.string()))
    days_out = np.where(has_close, close_days, row_days)
    return pa.concat_tables([table, first]), np.concatenate([days_out, row_days[later]])


def days_through(daily_dir: Path, day: int, dest: Path) -> Path:
    """A raw folder at `dest` holding load days 1..`day` of the daily output in `daily_dir`
    (files hard-linked where the file system allows, else copied); returns `dest`."""
    daily_dir, dest = Path(daily_dir), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for table_dir in sorted(p for p in daily_dir.iterdir() if p.is_dir()):
        if table_dir.name == "ground_truth":
            continue
        for path in sorted(table_dir.iterdir()):
            if not path.name.startswith("day_") or int(path.stem[4:]) > day:
                continue
            target = dest / table_dir.name / path.name
            if target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                target.hardlink_to(path)
            except OSError:
                shutil.copy2(path, target)
    return dest
