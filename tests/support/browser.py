"""Debian's chromium for the browser tests, started the way this closed network needs.

Without the background-networking flags chromium keeps trying Google's hosts, whose
connections this machine refuses; the tests block every request that is not a local file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> Path:
    """Debian's chromium; the test fails (never skips) without it."""
    found = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(found).is_file():
        pytest.fail("chromium is missing: run `make browser` (installs Debian's chromium)")
    return Path(found)
