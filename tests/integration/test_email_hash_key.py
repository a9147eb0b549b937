"""email_hash is a keyed hash: without the key, a list of addresses finds nobody.

With LEAD_FUNNEL_HASH_KEY (the test session sets one) the mart value is SHA-256 of key ||
address; without it each warehouse generates its own key once, in the private schema, and
keeps it across builds, so two warehouses hash one address differently.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb
import pytest

from lead_funnel import summary
from tests.conftest import FIXTURES, TEST_HASH_KEY, build_warehouse, keyed_hash, query

pytestmark = pytest.mark.slow

HANS = "hans@gmail.com"  # lead L2 of the fixture, already clean


def _key_line(db_path: Path) -> str:
    with duckdb.connect(str(db_path)) as con:
        return summary.hash_key_line(con)


def _hash_of_l2(db_path: Path) -> str:
    ((value,),) = query(db_path, "select email_hash from marts.dim_leads where lead_id = 'L2'")
    return value


def test_the_configured_key_hashes_the_address(small_warehouse: Path):
    value = _hash_of_l2(small_warehouse)
    assert value == keyed_hash(HANS) == hashlib.sha256((TEST_HASH_KEY + HANS).encode()).hexdigest()
    assert value != hashlib.md5(HANS.encode()).hexdigest()
    assert value != hashlib.sha256(HANS.encode()).hexdigest()
    # the key is the configured one: nothing is stored
    assert query(small_warehouse, "select key_source from private.hash_key_source") == [
        ("LEAD_FUNNEL_HASH_KEY",)
    ]
    assert "keyed with LEAD_FUNNEL_HASH_KEY" in _key_line(small_warehouse)


def test_a_generated_key_stays_with_its_warehouse(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("LEAD_FUNNEL_HASH_KEY")
    first = build_warehouse(FIXTURES / "raw_small", tmp_path / "a" / "lead_funnel.duckdb")
    ((key,),) = query(first, "select hash_key from private.hash_key")
    assert len(key) == 64
    value = _hash_of_l2(first)
    assert value == keyed_hash(HANS, key) != keyed_hash(HANS)
    assert "generated for this warehouse" in _key_line(first)
    # no mart carries the key
    columns = query(
        first,
        "select table_schema, column_name from information_schema.columns "
        "where column_name = 'hash_key'",
    )
    assert {schema for schema, _ in columns} == {"private"}
    # built again, the same warehouse keeps its key and its hashes
    build_warehouse(FIXTURES / "raw_small", first)
    assert query(first, "select hash_key from private.hash_key") == [(key,)]
    assert _hash_of_l2(first) == value
    # another warehouse gets another key
    second = build_warehouse(FIXTURES / "raw_small", tmp_path / "b" / "lead_funnel.duckdb")
    assert _hash_of_l2(second) != value
