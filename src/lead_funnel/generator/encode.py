"""Text encodings shared by every generated table: ids, timestamps, dates and vocabulary picks.

All columns are written as text, and several tables carry the same kinds of value (lead ids
in five tables, timestamps in all of them), so the formats live in one place: the same id or
moment is spelled the same way wherever it appears.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

DAY = 86400
# Zero-padded id widths: room for 1,000,000+ leads and tens of billions of events.
ID_WIDTHS = {
    "A": 7,  # accounts
    "L": 8,  # leads
    "E": 11,  # engagement events
    "S": 10,  # sales activities
    "C": 10,  # lead status changes
    "O": 8,  # opportunities
    "U": 10,  # product usage events
}


def ts_strings(seconds: Any, mask: Any = None) -> pa.Array:
    """Epoch seconds -> 'YYYY-MM-DD HH:MM:SS' strings (None or a True mask entry -> null)."""
    if isinstance(seconds, list):
        arr = pa.array(seconds, type=pa.int64())
    else:
        arr = pa.array(np.asarray(seconds, dtype=np.int64), mask=mask)
    return arr.cast(pa.timestamp("s")).cast(pa.string())


def date_strings(seconds: np.ndarray) -> pa.Array:
    """Epoch seconds -> 'YYYY-MM-DD' strings of their UTC day."""
    return (
        pa.array(np.asarray(seconds, dtype=np.int64) // DAY, type=pa.int32())
        .cast(pa.date32())
        .cast(pa.string())
    )


def ids(prefix: str, numbers: Any, mask: Any = None) -> pa.Array:
    """Prefixed zero-padded ids, e.g. ids('L', [1, 2]) -> L00000001, L00000002."""
    arr = pa.array(np.asarray(numbers, dtype=np.int64), mask=mask).cast(pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(arr, ID_WIDTHS[prefix], "0"), "")


def take(vocabulary: Any, index: np.ndarray) -> pa.Array:
    """vocabulary[index] as an arrow string array; negative index -> null."""
    index = np.asarray(index, dtype=np.int64)
    return pc.take(pa.array(list(vocabulary), type=pa.string()), pa.array(index, mask=index < 0))


def campaign_ids(numbers: np.ndarray) -> pa.Array:
    """Campaign numbers -> CMP001-style ids; negative -> null."""
    numbers = np.asarray(numbers, dtype=np.int64)
    arr = pa.array(numbers, mask=numbers < 0).cast(pa.string())
    return pc.binary_join_element_wise("CMP", pc.utf8_lpad(arr, 3, "0"), "")
