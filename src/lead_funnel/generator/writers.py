"""Streaming table writers: one open file per table, appended chunk by chunk.

Every column is written as text (CSV with standard quoting, or Parquet with string columns);
a missing value is a null, which CSV renders as an empty field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq


def to_string_array(values: Any) -> pa.Array:
    """Coerce a column (arrow array, numpy array or Python list) to an arrow string array."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        arr = values
    elif isinstance(values, np.ndarray) and values.dtype.kind in "iub":
        arr = pa.array(values)
    else:
        arr = pa.array(values, type=pa.string()) if isinstance(values, list) else pa.array(values)
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if not pa.types.is_string(arr.type):
        arr = arr.cast(pa.string())
    return arr


class TableWriter:
    """Appends batches of one table to `<dir>/<name>.<fmt>` with a fixed column order."""

    def __init__(self, directory: Path, name: str, columns: Sequence[str], fmt: str) -> None:
        if fmt not in ("csv", "parquet"):
            raise ValueError(f"unknown format {fmt!r}; use 'csv' or 'parquet'")
        self.name = name
        self.columns = tuple(columns)
        self.fmt = fmt
        self.path = directory / f"{name}.{fmt}"
        self.rows = 0
        self.schema = pa.schema([(c, pa.string()) for c in self.columns])
        if fmt == "csv":
            self._writer: Any = pa_csv.CSVWriter(
                str(self.path),
                self.schema,
                write_options=pa_csv.WriteOptions(include_header=True, quoting_style="needed"),
            )
        else:
            self._writer = pq.ParquetWriter(str(self.path), self.schema, compression="zstd")

    def write(self, data: Mapping[str, Any]) -> int:
        """Append one batch given as {column: values}; returns the rows written."""
        missing = set(self.columns) - set(data)
        extra = set(data) - set(self.columns)
        if missing or extra:
            raise ValueError(f"{self.name}: missing {sorted(missing)}, unexpected {sorted(extra)}")
        arrays = [to_string_array(data[c]) for c in self.columns]
        n = len(arrays[0]) if arrays else 0
        if any(len(a) != n for a in arrays):
            raise ValueError(f"{self.name}: columns of unequal length")
        if n == 0:
            return 0
        table = pa.Table.from_arrays(arrays, schema=self.schema)
        self._writer.write_table(table)
        self.rows += n
        return n

    def close(self) -> None:
        self._writer.close()
