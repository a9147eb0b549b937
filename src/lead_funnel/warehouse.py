"""Opening the warehouse for reading from the CLI and from tests alike."""

from __future__ import annotations

from pathlib import Path

import duckdb


def connect_for_reading(db_path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection, or a default one when this process already has the file open.

    DuckDB shares one database instance per file and process only between equal
    configurations; dbt-duckdb may still hold the file open (read-write) in the same process
    (the tests build and then check), so read-only would be refused there.
    """
    try:
        return duckdb.connect(str(db_path), read_only=True)
    except duckdb.ConnectionException:
        return duckdb.connect(str(db_path))
