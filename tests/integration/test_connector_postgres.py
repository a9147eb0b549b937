"""A connector's typed tables in PostgreSQL give the same funnel as its files on DuckDB.

On DuckDB the landing hook makes text views of a connector fixture's files. A warehouse holds
what the connector wrote: typed columns (booleans, instants with a zone, dates, numbers). Here
the rows of the Salesforce fixture (tests/fixtures/connectors/salesforce/) and of the HubSpot
fixture (tests/fixtures/connectors/hubspot/) are written into a real PostgreSQL server as typed
tables in the connector's schema (by the connector's documented types: `is_*` and the deletion
flags boolean, datetimes `timestamptz`, `close_date`-like dates date, amounts numeric; a column
whose fixture values are not all of that type, such as epoch milliseconds, stays text), the
contract files the connector does not supply are loaded with `lead-funnel load`, and the project
is built there. Every public mart, the staged contract tables and both reconciliations must
equal the DuckDB build's, row for row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from lead_funnel.dbt_runner import run_dbt
from lead_funnel.load import load
from tests.conftest import FIXTURES, build_warehouse
from tests.support.engines import PostgresServer, environment, postgres_bin_dir
from tests.support.parity import differences

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Case:
    raw_dir: Path
    connector: str
    dbt_vars: dict
    leads: int


CASES = {
    "salesforce": Case(
        FIXTURES / "connectors" / "salesforce",
        "salesforce",
        {"crm_source": "salesforce", "score_as_of": "2025-06-30 00:00:00"},
        leads=9,
    ),
    "hubspot": Case(
        FIXTURES / "connectors" / "hubspot",
        "hubspot",
        {
            "crm_source": "hubspot",
            "marketing_source": "hubspot",
            "mql_source": "crm",
            "score_as_of": "2026-06-30 00:00:00",
        },
        leads=10,
    ),
}

#: Staged and audit tables compared beside the public marts.
STAGED = [
    ("staging", "stg_crm__leads"),
    ("staging", "stg_crm__accounts"),
    ("staging", "stg_crm__lead_status_changes"),
    ("staging", "stg_crm__opportunities"),
    ("staging", "stg_sales__activities"),
    ("staging", "stg_marketing__engagement_events"),
    ("staging", "stg_marketing__campaigns"),
    ("audit", "audit_raw_reconciliation"),
    ("audit", "audit_connector_reconciliation"),
]

BOOLEANS = {"_fivetran_deleted", "_fivetran_active", "filtered_event", "bounced", "closed_won"}
DATES = {"converted_date", "close_date", "activity_date"}
NUMERICS = {
    "annual_revenue",
    "amount",
    "number_of_employees",
    "probability",
    "property_amount",
    "property_annualrevenue",
    "property_numberofemployees",
}
INSTANTS = {
    "_fivetran_synced",
    "_fivetran_start",
    "_fivetran_end",
    "created",
    "timestamp",
    "date_entered",
    "created_at",
    "updated_at",
}
#: PostgreSQL type -> the DuckDB type that checks a fixture value can be written as it.
CHECKS = {
    "boolean": "boolean",
    "date": "date",
    "numeric": "decimal(38, 6)",
    "timestamptz": "timestamptz",
}


def column_type(name: str) -> str:
    """The PostgreSQL type the connector gives a column."""
    if name.startswith(("is_", "has_")) or name in BOOLEANS:
        return "boolean"
    if name in DATES:
        return "date"
    if name in NUMERICS:
        return "numeric"
    if name in INSTANTS or name.endswith(("_date", "_date_time", "date", "_hs_timestamp")):
        return "timestamptz"
    return "text"


def typed_columns(path: Path) -> list[tuple[str, str]]:
    """(column, PostgreSQL type) of a fixture CSV: text where a value does not fit the type."""
    with duckdb.connect() as con:
        relation = f"read_csv('{path.as_posix()}', header = true, all_varchar = true)"
        names = [row[0] for row in con.execute(f"describe select * from {relation}").fetchall()]
        columns = []
        for name in names:
            wanted = column_type(name)
            if wanted != "text":
                misfits = con.execute(
                    f'select count(*) from {relation} where "{name}" is not null'
                    f' and try_cast("{name}" as {CHECKS[wanted]}) is null'
                ).fetchone()[0]
                wanted = wanted if misfits == 0 else "text"
            columns.append((name, wanted))
    return columns


def connect(settings: dict[str, str]):
    import psycopg2

    return psycopg2.connect(
        host=settings["LEAD_FUNNEL_PG_HOST"],
        port=int(settings["LEAD_FUNNEL_PG_PORT"]),
        user="postgres",
        dbname=settings["LEAD_FUNNEL_PG_DATABASE"],
    )


def write_typed_tables(
    settings: dict[str, str], folder: Path, schema: str
) -> dict[str, tuple[int, list[tuple[str, str]]]]:
    """Every CSV of `folder` as a typed table of `schema`; returns rows and columns per table."""
    written = {}
    con = connect(settings)
    with con, con.cursor() as cur:
        cur.execute(f"create schema if not exists {schema}")
        for path in sorted(folder.glob("*.csv")):
            columns = typed_columns(path)
            ddl = ", ".join(f'"{name}" {data_type}' for name, data_type in columns)
            cur.execute(f'create table {schema}."{path.stem}" ({ddl})')
            with path.open(encoding="utf-8") as handle:
                cur.copy_expert(
                    f'copy {schema}."{path.stem}" from stdin with (format csv, header true)',
                    handle,
                )
            written[path.stem] = (cur.rowcount, columns)
    con.close()
    return written


def fetch_postgres(settings: dict[str, str], tables, columns_of) -> dict[str, list[tuple]]:
    rows = {}
    con = connect(settings)
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
def server():
    if postgres_bin_dir() is None:
        pytest.fail("PostgreSQL is not installed: apt-get install postgresql (see README)")
    server = PostgresServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module", params=sorted(CASES))
def builds(request, server, compared_tables, tmp_path_factory):
    """The DuckDB rows, and the PostgreSQL build of the same connector tables typed."""
    case = CASES[request.param]
    db_path = tmp_path_factory.mktemp(f"connector_{request.param}") / "lead_funnel.duckdb"
    build_warehouse(case.raw_dir, db_path, dbt_vars=case.dbt_vars)
    expected = {}
    with duckdb.connect(str(db_path)) as con:
        for schema, name in compared_tables:
            cursor = con.execute(f"select * from {schema}.{name}")
            expected[name] = ([column[0] for column in cursor.description], cursor.fetchall())
    database = f"lf_{request.param}"
    server.create_database(database)
    settings = server.settings(database)
    with environment({**settings, "LEAD_FUNNEL_TARGET": "postgres"}):
        load("postgres", case.raw_dir, dbt_vars=case.dbt_vars)
        written = write_typed_tables(settings, case.raw_dir / case.connector, case.connector)
        result = run_dbt(["build"], raw_dir=case.raw_dir, dbt_vars=case.dbt_vars, quiet=True)
        statuses = {r.node.name: str(r.status).lower() for r in result.result.results}
        columns_of = {name: expected[name][0] for _, name in compared_tables}
        actual = fetch_postgres(settings, compared_tables, columns_of)
    return case, expected, written, statuses, actual


def test_the_connector_tables_are_typed_in_postgres(builds) -> None:
    case, _, written, _, _ = builds
    types = {data_type for _, columns in written.values() for _, data_type in columns}
    # not a text copy: booleans, instants and numbers are typed as the connector writes them
    assert {"boolean", "timestamptz", "numeric"} <= types
    if case.connector == "salesforce":
        assert written["lead"][0] == 10
        assert dict(written["opportunity"][1])["close_date"] == "date"
        assert dict(written["lead"][1])["is_deleted"] == "boolean"
    else:
        assert dict(written["deal_stage"][1])["date_entered"] == "timestamptz"
        # the fixture mixes epoch milliseconds into the history's moments: text there
        assert dict(written["contact_property_history"][1])["timestamp"] == "text"
        assert dict(written["deal"][1])["is_deleted"] == "boolean"


def test_everything_builds_on_postgres(builds) -> None:
    case, _, _, statuses, _ = builds
    # exposures and saved queries report no-op
    done = {"success", "pass", "no-op"}
    failed = {name: status for name, status in statuses.items() if status not in done}
    assert not failed
    assert statuses[f"stg_{case.connector}__leads"] == "success"


def test_postgres_equals_duckdb_row_for_row(builds, compared_tables) -> None:
    case, expected, _, _, actual = builds
    found = {}
    for _, name in compared_tables:
        columns, rows = expected[name]
        problems = differences(columns, rows, actual[name])
        if problems:
            found[name] = problems
    assert not found
    # the comparison is not between empty tables
    assert len(expected["stg_crm__leads"][1]) == case.leads
    assert len(expected["stg_crm__lead_status_changes"][1]) > 10
