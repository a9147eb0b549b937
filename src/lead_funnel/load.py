"""Put the raw files of the contract into the `raw` schema of PostgreSQL or Spark.

On DuckDB the landing hook reads the files directly at the start of every build. Other
warehouses cannot read local files, so `lead-funnel load --target postgres|spark` lands them
first, with exactly the DuckDB rules: the files are landed by the same dbt macro
(`land_raw_files`) into a scratch DuckDB file, so a missing table becomes an empty table with
the contract's columns, a file lacking a required column stops with the same message, and
malformed CSV lines go to `raw.raw_rejected_lines`. The landed tables are then copied:

- PostgreSQL: `COPY ... FROM STDIN` into tables whose contract columns are all `text`;
- Spark: Parquet files under `<LEAD_FUNNEL_SPARK_DIR>/raw/<table>/`, registered as tables
  (`create table ... using parquet location ...`) through dbt's own Spark session, so the
  metastore is the one `dbt build` uses.

A warehouse that an extract-load tool already fills does not need this: point var
`raw_schema` at the schema it writes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import duckdb

from lead_funnel import paths, schemas
from lead_funnel.dbt_runner import run_dbt

#: Landing bookkeeping tables written beside the contract's tables.
LANDING_TABLES = ("raw_landed_files", "raw_rejected_lines")

TARGETS = ("postgres", "spark")


def land_to_duckdb(raw_dir: Path, scratch: Path, dbt_vars: dict | None = None) -> Path:
    """Land `raw_dir` with the DuckDB landing macro into a scratch file; returns its path.

    Its raw schema holds the same views (and tables of accepted lines) a DuckDB build reads,
    copied on while the files are still in place.
    """
    db_path = scratch / "landing.duckdb"
    saved = os.environ.get("LEAD_FUNNEL_TARGET")
    os.environ["LEAD_FUNNEL_TARGET"] = "duckdb"
    try:
        run_dbt(
            ["run-operation", "land_raw_files"],
            raw_dir=raw_dir,
            duckdb_path=db_path,
            dbt_vars=dbt_vars,
            quiet=True,
        )
    finally:
        if saved is None:
            os.environ.pop("LEAD_FUNNEL_TARGET", None)
        else:
            os.environ["LEAD_FUNNEL_TARGET"] = saved
    return db_path


def _landed_tables(con: duckdb.DuckDBPyConnection, raw_schema: str) -> list[str]:
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = ? "
        "order by table_name",
        [raw_schema],
    ).fetchall()
    return [row[0] for row in rows]


def _columns(con: duckdb.DuckDBPyConnection, raw_schema: str, table: str) -> list[tuple[str, str]]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [raw_schema, table],
    ).fetchall()
    return [(name, data_type) for name, data_type in rows]


_PG_TYPES = {"BIGINT": "bigint", "TIMESTAMP": "timestamp", "INTEGER": "integer"}


def _pg_connect():
    import psycopg2

    return psycopg2.connect(
        host=os.environ.get("LEAD_FUNNEL_PG_HOST", "localhost"),
        port=int(os.environ.get("LEAD_FUNNEL_PG_PORT", "5432")),
        user=os.environ.get("LEAD_FUNNEL_PG_USER", "postgres"),
        password=os.environ.get("LEAD_FUNNEL_PG_PASSWORD", ""),
        dbname=os.environ.get("LEAD_FUNNEL_PG_DATABASE", "lead_funnel"),
    )


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def copy_to_postgres(db_path: Path, raw_schema: str, scratch: Path) -> dict[str, int]:
    """Copy every landed table into PostgreSQL's `raw_schema`; returns rows per table."""
    counts: dict[str, int] = {}
    with duckdb.connect(str(db_path)) as con, _pg_connect() as pg:
        cur = pg.cursor()
        cur.execute(f"create schema if not exists {_quote(raw_schema)}")
        for table in _landed_tables(con, raw_schema):
            columns = _columns(con, raw_schema, table)
            ddl = ", ".join(
                f"{_quote(name)} {_PG_TYPES.get(data_type, 'text')}" for name, data_type in columns
            )
            relation = f"{_quote(raw_schema)}.{_quote(table)}"
            cur.execute(f"drop table if exists {relation} cascade")
            cur.execute(f"create table {relation} ({ddl})")
            csv_path = scratch / f"{table}.csv"
            con.execute(
                f"copy (select * from {_quote(raw_schema)}.{_quote(table)}) "
                f"to '{csv_path.as_posix()}' (format csv, header false)"
            )
            with csv_path.open("r", encoding="utf-8") as handle:
                cur.copy_expert(f"copy {relation} from stdin with (format csv)", handle)
            counts[table] = cur.rowcount
            cur.execute(f"analyze {relation}")
        pg.commit()
    return counts


def spark_dir() -> Path:
    """Where the Spark target keeps its tables and metastore (LEAD_FUNNEL_SPARK_DIR)."""
    env = os.environ.get("LEAD_FUNNEL_SPARK_DIR")
    return Path(env).resolve() if env else paths.project_dir() / "warehouse" / "spark"


def copy_to_spark(db_path: Path, raw_schema: str) -> dict[str, int]:
    """Write every landed table as Parquet and register it in Spark's `raw_schema`."""
    raw_root = spark_dir() / "raw"
    locations: dict[str, str] = {}
    counts: dict[str, int] = {}
    with duckdb.connect(str(db_path)) as con:
        for table in _landed_tables(con, raw_schema):
            folder = raw_root / table
            if folder.exists():
                shutil.rmtree(folder)
            folder.mkdir(parents=True)
            con.execute(
                f"copy (select * from {_quote(raw_schema)}.{_quote(table)}) "
                f"to '{(folder / 'part-0.parquet').as_posix()}' (format parquet)"
            )
            counts[table] = con.execute(
                f"select count(*) from {_quote(raw_schema)}.{_quote(table)}"
            ).fetchone()[0]
            locations[table] = folder.as_posix()
    os.environ.setdefault("LEAD_FUNNEL_SPARK_DIR", str(spark_dir()))
    run_dbt(
        ["run-operation", "lf_register_raw_tables", "--args", _json({"locations": locations})],
        quiet=True,
    )
    return counts


def _json(value: object) -> str:
    import json

    return json.dumps(value)


def load(target: str, raw_dir: Path, dbt_vars: dict | None = None) -> dict[str, int]:
    """Land `raw_dir` into the raw schema of `target` (postgres or spark)."""
    if target not in TARGETS:
        raise ValueError(f"load: target must be one of {', '.join(TARGETS)}, not {target!r}")
    raw_schema = schemas.raw_schema(dbt_vars)
    scratch = Path(tempfile.mkdtemp(prefix="lead_funnel_load_"))
    saved = os.environ.get("LEAD_FUNNEL_TARGET")
    try:
        db_path = land_to_duckdb(raw_dir, scratch, dbt_vars)
        os.environ["LEAD_FUNNEL_TARGET"] = target
        if target == "postgres":
            return copy_to_postgres(db_path, raw_schema, scratch)
        return copy_to_spark(db_path, raw_schema)
    finally:
        if saved is None:
            os.environ.pop("LEAD_FUNNEL_TARGET", None)
        else:
            os.environ["LEAD_FUNNEL_TARGET"] = saved
        shutil.rmtree(scratch, ignore_errors=True)
