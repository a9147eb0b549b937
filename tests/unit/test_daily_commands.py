"""The daily job's dbt command, the parts of `lead-funnel bench --full` and where the bench
generates its data."""

from __future__ import annotations

import argparse
import os

import pytest

from lead_funnel.cli import _in_child_process, _parts
from lead_funnel.refresh import build_args


def test_the_refresh_builds_with_data_tests_and_without_unit_tests() -> None:
    assert build_args() == ["build", "--exclude-resource-type", "unit_test"]
    assert build_args(full_refresh=True) == [
        "build",
        "--exclude-resource-type",
        "unit_test",
        "--full-refresh",
    ]


def test_bench_parts_are_read_in_the_order_given() -> None:
    assert _parts("incremental") == ["incremental"]
    assert _parts("full, overhead") == ["full", "overhead"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("full,daily", "parts are full, overhead, incremental"),
        ("", "parts are full, overhead, incremental"),
        ("overhead,incremental", "overhead compares with the full build"),
    ],
)
def test_bench_parts_refuse_what_they_cannot_measure(text: str, message: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=message):
        _parts(text)


def test_the_bench_generates_in_a_process_of_its_own() -> None:
    # the generator's memory goes with that process, not into the process that then times builds
    assert _in_child_process(os.getpid) != os.getpid()
    assert _in_child_process(divmod, 17, 5) == (3, 2)
