"""Row-for-row comparison of the same marts built on different engines.

Values are normalised before comparing: numbers of any type (Decimal, float, int) compare to a
relative 1e-9, timestamps and dates compare exactly (as naive UTC values), lists compare
element by element. Rows are put in the same order by sorting on every column, with numbers
rounded to 6 significant digits in the sort key only, so float noise cannot reorder them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal

RELATIVE_TOLERANCE = 1e-9


def normalise(value):
    """A value of any engine's driver in one comparable form."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return value
    if isinstance(value, dict):
        # maps: DuckDB MAP and Spark map give dicts of values, PostgreSQL jsonb of JSON text
        pairs = ((str(key), normalise(_json_value(item))) for key, item in value.items())
        return tuple(sorted(pairs))
    if isinstance(value, (list, tuple)) or hasattr(value, "tolist"):
        items = value.tolist() if hasattr(value, "tolist") else value
        return tuple(normalise(item) for item in items)
    return value


def _json_value(value):
    """A JSON timestamp string (PostgreSQL's jsonb) as the datetime it stands for."""
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


def _sort_key(value):
    if value is None:
        return (0, "")
    if isinstance(value, float):
        if math.isnan(value):
            return (1, "nan")
        return (1, f"{value:.6g}")
    if isinstance(value, tuple):
        return (2, tuple(_sort_key(item) for item in value))
    return (3, str(value))


def ordered(rows: Iterable[Sequence]) -> list[tuple]:
    normalised = [tuple(normalise(value) for value in row) for row in rows]
    return sorted(normalised, key=lambda row: tuple(_sort_key(value) for value in row))


def same_value(left, right) -> bool:
    if isinstance(left, float) and isinstance(right, float):
        if math.isnan(left) and math.isnan(right):
            return True
        return math.isclose(left, right, rel_tol=RELATIVE_TOLERANCE, abs_tol=RELATIVE_TOLERANCE)
    if isinstance(left, tuple) and isinstance(right, tuple):
        return len(left) == len(right) and all(map(same_value, left, right))
    return left == right


def differences(
    columns: Sequence[str], expected: Iterable[Sequence], actual: Iterable[Sequence], limit: int = 5
) -> list[str]:
    """Readable differences between two row sets (empty when they agree)."""
    left, right = ordered(expected), ordered(actual)
    if len(left) != len(right):
        return [f"{len(left)} rows against {len(right)}"]
    found = []
    for left_row, right_row in zip(left, right, strict=True):
        for name, a, b in zip(columns, left_row, right_row, strict=True):
            if not same_value(a, b):
                found.append(f"{name}: {a!r} against {b!r} in row {left_row!r}")
                break
        if len(found) >= limit:
            break
    return found
