"""Shared pytest helpers: build the dbt project into temporary DuckDB files and query them.

Every test leaves the project alone: dbt's target and log paths point at a session folder
(`dbt_scratch`), and `project_left_alone` fails the session when anything under the project's
target/, logs/ or warehouse/ (tests.support.isolation.PROTECTED) was created, changed or
removed, or a new entry appeared at the top of the project.

`LEAD_FUNNEL_TEST_SHARD=i/n` keeps the test files of shard i of n (whole files, so module
fixtures are built once): `make pytest` runs the shards side by side. Files are dealt to the
shards by their rough cost (FILE_SECONDS), the heaviest first, each to the lightest shard.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

import duckdb
import pytest

from lead_funnel import paths
from lead_funnel.dbt_runner import run_dbt
from tests.support import isolation

FIXTURES = Path(__file__).parent / "fixtures"

#: The email-hash key of every test build (LEAD_FUNNEL_HASH_KEY), so warehouses built apart
#: (engines, full and incremental, two runs) hash an address alike; tests of the generated key
#: unset it.
TEST_HASH_KEY = "lead-funnel-test-key"
os.environ.setdefault("LEAD_FUNNEL_HASH_KEY", TEST_HASH_KEY)


def keyed_hash(value: str, key: str = TEST_HASH_KEY) -> str:
    """email_hash as the marts compute it: SHA-256 hex of key || value."""
    return hashlib.sha256((key + value).encode("utf-8")).hexdigest()


#: Session fixtures that build the large generated warehouse; tests using them are `slow`.
LARGE_FIXTURES = ("generated_raw",)


#: Rough seconds per test file on the CI machine (its non-Spark tests), for the shards; a file
#: not listed counts DEFAULT_FILE_SECONDS.
FILE_SECONDS = {
    "test_incremental.py": 1180,
    "test_refresh.py": 950,
    "test_scoring_differential.py": 420,
    "test_quality_check.py": 350,
    "test_engine_parity.py": 300,
    "test_profiles_and_sources.py": 220,
    "test_package_install.py": 220,
    "test_connector_postgres.py": 320,
    "test_connector_salesforce.py": 120,
    "test_connector_hubspot.py": 120,
    "test_connector_marketo.py": 100,
    "test_connector_combined.py": 50,
    "test_freshness.py": 150,
    "test_publish_gates.py": 150,
    "test_stages_as_data.py": 140,
    "test_accounts_pql_handoff.py": 120,
    "test_scoring_as_of.py": 120,
    "test_determinism.py": 110,
    "test_orchestration.py": 100,
    "test_report.py": 100,
    "test_staging_fixture.py": 90,
    "test_semantic_layer.py": 80,
    "test_bench.py": 80,
    "test_email_hash_key.py": 110,
    "test_privacy_erasure.py": 150,
    "test_sla_time_zones.py": 40,
    "test_attribution.py": 140,
    "test_channel_performance.py": 150,
    "test_suggest_rules.py": 60,
    "test_data_docs_offline.py": 60,
}
DEFAULT_FILE_SECONDS = 30


def _shard_files(files: list[str], count: int) -> list[set[str]]:
    """Whole files dealt to `count` shards: the heaviest first, each to the lightest shard."""
    shards: list[set[str]] = [set() for _ in range(count)]
    loads = [0] * count
    weight = {f: FILE_SECONDS.get(Path(f).name, DEFAULT_FILE_SECONDS) for f in files}
    for name in sorted(files, key=lambda f: (-weight[f], f)):
        lightest = loads.index(min(loads))
        shards[lightest].add(name)
        loads[lightest] += weight[name]
    return shards


def _keep_shard(config: pytest.Config, items: list[pytest.Item]) -> None:
    shard = os.environ.get("LEAD_FUNNEL_TEST_SHARD", "").strip()
    if not shard:
        return
    try:
        index, count = (int(part) for part in shard.split("/"))
        assert 1 <= index <= count
    except (ValueError, AssertionError):
        raise pytest.UsageError(
            f"LEAD_FUNNEL_TEST_SHARD must be i/n with 1 <= i <= n, not {shard!r}"
        ) from None
    files = sorted({item.nodeid.split("::")[0] for item in items})
    keep = _shard_files(files, count)[index - 1]
    kept = [item for item in items if item.nodeid.split("::")[0] in keep]
    config.hook.pytest_deselected(items=[item for item in items if item not in kept])
    items[:] = kept


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Refuse a test that uses the large generated warehouse without the `slow` marker, so
    `pytest -m "not slow"` never builds it; then keep LEAD_FUNNEL_TEST_SHARD's files."""
    unmarked = [
        item.nodeid
        for item in items
        if set(LARGE_FIXTURES) & set(getattr(item, "fixturenames", ()))
        and item.get_closest_marker("slow") is None
    ]
    if unmarked:
        raise pytest.UsageError(
            "these tests use the generated 20,000-lead warehouse but are not marked slow: "
            + ", ".join(unmarked)
        )
    _keep_shard(config, items)


@pytest.fixture(scope="session", autouse=True)
def project_left_alone() -> Iterator[Path]:
    """Fails the session when a test wrote into the project's target/, logs/ or warehouse/."""
    project = paths.project_dir()
    before = isolation.snapshot(project)
    yield project
    changed = isolation.changes(before, isolation.snapshot(project))
    assert not changed, f"the tests changed the project {project}: " + "; ".join(changed)


@pytest.fixture(scope="session", autouse=True)
def dbt_scratch(
    project_left_alone: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """dbt's target and log paths (DBT_TARGET_PATH, DBT_LOG_PATH) in a session folder, for
    in-process dbt and for every subprocess, which inherits the environment."""
    scratch = tmp_path_factory.mktemp("dbt_scratch")
    with pytest.MonkeyPatch.context() as env:
        for name, value in isolation.scratch_environment(scratch).items():
            env.setenv(name, value)
        yield scratch


def build_warehouse(
    raw_dir: Path,
    db_path: Path,
    dbt_vars: dict | None = None,
    exclude: Sequence[str] = (),
) -> Path:
    """dbt build on `raw_dir` into `db_path` (less the `exclude` selectors); returns the file."""
    args = ["build", "--exclude", *exclude] if exclude else ["build"]
    run_dbt(args, raw_dir=raw_dir, duckdb_path=db_path, dbt_vars=dbt_vars, quiet=True)
    return db_path


def query(db_path: Path, sql: str) -> list[tuple]:
    """Rows of one query against a built warehouse.

    Opened with DuckDB's default configuration: dbt-duckdb may still hold the same file open
    in this process, and DuckDB shares one database instance only between equal configurations.
    """
    with duckdb.connect(str(db_path)) as con:
        return con.execute(sql).fetchall()


def copy_warehouse(db_path: Path, target: Path) -> Path:
    """A copy of a built warehouse (with its write-ahead log) that another process may open.

    dbt-duckdb may keep the session's warehouse open in this process, which locks the file
    against other processes (the MetricFlow CLI) and against writes by a test that breaks it.
    """
    shutil.copy(db_path, target)
    wal = db_path.with_name(db_path.name + ".wal")
    if wal.is_file():
        shutil.copy(wal, target.with_name(target.name + ".wal"))
    return target


@pytest.fixture
def small_raw_copy(tmp_path: Path) -> Path:
    """A writable copy of the hand-made raw fixture, for tests that break it."""
    target = tmp_path / "raw"
    shutil.copytree(FIXTURES / "raw_small", target)
    return target


@pytest.fixture(scope="session")
def small_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made raw fixture built once per session."""
    db_path = tmp_path_factory.mktemp("small") / "lead_funnel.duckdb"
    return build_warehouse(FIXTURES / "raw_small", db_path)


GENERATED_LEADS = 20000
GENERATED_SEED = 11
GENERATED_AS_OF = "2026-09-30 00:00:00"
#: The period of every generated dataset whose values a test depends on (the generator's own
#: default ends today).
GENERATED_PERIOD = {"start_date": "2025-01-01", "end_date": "2026-09-30"}


@pytest.fixture(scope="session")
def generated_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated default-profile dataset with mess, and its ground truth."""
    from lead_funnel.generator import generate

    out = tmp_path_factory.mktemp("generated") / "raw"
    generate(
        GENERATED_LEADS, GENERATED_SEED, out, profile="default", progress=False, **GENERATED_PERIOD
    )
    return out


@pytest.fixture(scope="session")
def generated_warehouse(generated_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The generated dataset built once per session, scored as of the generator's end date."""
    db_path = tmp_path_factory.mktemp("generated_db") / "lead_funnel.duckdb"
    return build_warehouse(generated_raw, db_path, {"score_as_of": GENERATED_AS_OF})
