"""LEAD_FUNNEL_TEST_SHARD deals whole test files to shards, each file to exactly one."""

from __future__ import annotations

from tests.conftest import DEFAULT_FILE_SECONDS, FILE_SECONDS, _shard_files


def test_every_file_is_in_exactly_one_shard_and_the_heaviest_are_apart() -> None:
    files = [f"tests/integration/{name}" for name in FILE_SECONDS] + [
        "tests/unit/test_a.py",
        "tests/unit/test_b.py",
    ]
    shards = _shard_files(files, 2)
    assert sorted(shards[0] | shards[1]) == sorted(files)
    assert not shards[0] & shards[1]
    # the two heaviest files go to different shards
    assert "tests/integration/test_incremental.py" in shards[0]
    assert "tests/integration/test_refresh.py" in shards[1]
    loads = [
        sum(FILE_SECONDS.get(f.rsplit("/", 1)[1], DEFAULT_FILE_SECONDS) for f in shard)
        for shard in shards
    ]
    assert abs(loads[0] - loads[1]) <= max(FILE_SECONDS.values()) / 2, loads


def test_one_shard_keeps_everything() -> None:
    files = ["tests/unit/test_a.py", "tests/integration/test_refresh.py"]
    assert _shard_files(files, 1) == [set(files)]
