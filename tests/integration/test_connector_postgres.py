"""A connector's typed tables in PostgreSQL give the same funnel as its files on DuckDB.

On DuckDB the landing hook makes text views of the Salesforce fixture's files
(tests/fixtures/connectors/salesforce/salesforce/*.csv). A warehouse holds what the connector
wrote: typed columns (booleans, instants with a zone, dates, numbers). Here the same rows are
written into a real PostgreSQL server as typed tables in schema `salesforce` (the types the
connector's documentation gives: `is_*` boolean, datetimes `timestamptz`, `close_date` and
`converted_date` date, amounts numeric), the contract files the CRM does not supply are
loaded with `lead-funnel load`, and the project is built there with crm_source salesforce.
Every public mart, the staged contract tables and both reconciliations must equal the
DuckDB build's, row for row.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from lead_funnel.dbt_runner import run_dbt
from lead_funnel.load import load
from tests.conftest import FIXTURES, build_warehouse
from tests.support.engines import PostgresServer, environment, postgres_bin_dir
from tests.support.parity import differences

pytestmark = pytest.mark.slow

RAW_DIR = FIXTURES / "connectors" / "salesforce"
VARS = {"crm_source": "salesforce", "score_as_of": "2025-06-30 00:00:00"}

#: Staged and audit tables compared beside the public marts.
STAGED = [
    ("staging", "stg_crm__leads"),
    ("staging", "stg_crm__accounts"),
    ("staging", "stg_crm__lead_status_changes"),
    ("staging", "stg_crm__opportunities"),
    ("staging", "stg_sales__activities"),
    ("audit", "audit_raw_reconciliation"),
    ("audit", "audit_connector_reconciliation"),
]

#: Columns of the connector's tables that are not text, by the connector's documented types.
DATES = {"converted_date", "close_date", "activity_date"}
INTEGERS: set[str] = set()
# number_of_employees is an integer in Salesforce; the fixture writes one as 5000.0
NUMERICS = {"annual_revenue", "amount", "number_of_employees"}


def column_type(name: str) -> str:
    """The PostgreSQL type the connector gives a Salesforce column."""
    if name.startswith(("is_", "has_")) or name in {"_fivetran_deleted", "_fivetran_active"}:
        return "boolean"
    if name in DATES:
        return "date"
    if name in INTEGERS:
        return "integer"
    if name in NUMERICS:
        return "numeric"
    if name.endswith(("_date", "_date_time")) or name == "_fivetran_synced":
        return "timestamptz"
    return "text"


def write_typed_tables(settings: dict[str, str], folder: Path, schema: str) -> dict[str, int]:
    """Every CSV of `folder` as a typed table of `schema`; returns rows per table."""
    import psycopg2

    counts = {}
    con = psycopg2.connect(
        host=settings["LEAD_FUNNEL_PG_HOST"],
        port=int(settings["LEAD_FUNNEL_PG_PORT"]),
        user="postgres",
        dbname=settings["LEAD_FUNNEL_PG_DATABASE"],
    )
    with con, con.cursor() as cur:
        cur.execute(f"create schema if not exists {schema}")
        for path in sorted(folder.glob("*.csv")):
            header = path.read_text(encoding="utf-8").splitlines()[0].split(",")
            ddl = ", ".join(f'"{name}" {column_type(name)}' for name in header)
            cur.execute(f'create table {schema}."{path.stem}" ({ddl})')
            with path.open(encoding="utf-8") as handle:
                cur.copy_expert(
                    f'copy {schema}."{path.stem}" from stdin with (format csv, header true)',
                    handle,
                )
            counts[path.stem] = cur.rowcount
    con.close()
    return counts


def fetch_postgres(settings: dict[str, str], tables, columns_of) -> dict[str, list[tuple]]:
    import psycopg2

    con = psycopg2.connect(
        host=settings["LEAD_FUNNEL_PG_HOST"],
        port=int(settings["LEAD_FUNNEL_PG_PORT"]),
        user="postgres",
        dbname=settings["LEAD_FUNNEL_PG_DATABASE"],
    )
    rows = {}
    with con, con.cursor() as cur:
        for schema, name in tables:
            cur.execute(f"select {', '.join(columns_of[name])} from {schema}.{name}")
            rows[name] = cur.fetchall()
    con.close()
    return rows


@pytest.fixture(scope="module")
def compared_tables() -> list[tuple[str, str]]:
    manifest = run_dbt(["parse"], quiet=True).result
    marts = [
        (node.schema, node.name)
        for node in manifest.nodes.values()
        if node.resource_type == "model" and str(getattr(node, "access", "")).endswith("public")
    ]
    assert len(marts) >= 20, marts
    return sorted(marts) + STAGED


@pytest.fixture(scope="module")
def duckdb_rows(compared_tables, tmp_path_factory) -> dict[str, tuple[list[str], list[tuple]]]:
    db_path = tmp_path_factory.mktemp("connector_duckdb") / "lead_funnel.duckdb"
    build_warehouse(RAW_DIR, db_path, dbt_vars=VARS)
    rows = {}
    with duckdb.connect(str(db_path)) as con:
        for schema, name in compared_tables:
            cursor = con.execute(f"select * from {schema}.{name}")
            rows[name] = ([column[0] for column in cursor.description], cursor.fetchall())
    return rows


@pytest.fixture(scope="module")
def postgres_build(compared_tables, duckdb_rows):
    if postgres_bin_dir() is None:
        pytest.fail("PostgreSQL is not installed: apt-get install postgresql (see README)")
    server = PostgresServer()
    settings = server.start()
    try:
        with environment({**settings, "LEAD_FUNNEL_TARGET": "postgres"}):
            load("postgres", RAW_DIR, dbt_vars=VARS)
            written = write_typed_tables(settings, RAW_DIR / "salesforce", "salesforce")
            result = run_dbt(["build"], raw_dir=RAW_DIR, dbt_vars=VARS, quiet=True)
            statuses = {r.node.name: str(r.status).lower() for r in result.result.results}
            columns_of = {name: duckdb_rows[name][0] for _, name in compared_tables}
            rows = fetch_postgres(settings, compared_tables, columns_of)
        yield written, statuses, rows
    finally:
        server.stop()


def test_the_connector_tables_are_typed_in_postgres(postgres_build) -> None:
    written, _, _ = postgres_build
    # every table of the fixture, with its rows (the lead table has ten leads)
    assert written["lead"] == 10
    assert set(written) >= {"lead", "lead_history", "account", "opportunity", "task", "event"}


def test_everything_builds_on_postgres(postgres_build) -> None:
    _, statuses, _ = postgres_build
    # exposures and saved queries report no-op
    done = {"success", "pass", "no-op"}
    failed = {name: status for name, status in statuses.items() if status not in done}
    assert not failed
    assert statuses["stg_salesforce__leads"] == "success"


def test_postgres_equals_duckdb_row_for_row(postgres_build, duckdb_rows, compared_tables) -> None:
    _, _, rows = postgres_build
    found = {}
    for _, name in compared_tables:
        columns, expected = duckdb_rows[name]
        problems = differences(columns, expected, rows[name])
        if problems:
            found[name] = problems
    assert not found
    # the comparison is not between empty tables
    assert len(duckdb_rows["stg_crm__leads"][1]) == 9
    assert len(duckdb_rows["stg_crm__lead_status_changes"][1]) > 10
