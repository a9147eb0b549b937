"""The default period of generated data, shared by the generator and the CLI.

Kept apart from `lead_funnel.generator` so the CLI can show it without importing the generator.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

#: The generated period by default: this many days up to the end date (2025-01-01 .. 2026-09-30
#: is 637 days).
DEFAULT_PERIOD_DAYS = 637


def default_period(start_date: str | None = None, end_date: str | None = None) -> tuple[str, str]:
    """The period to generate as ('YYYY-MM-DD', 'YYYY-MM-DD'): `end_date` defaults to today
    (UTC), so the data ends at the midnight that began the day it is generated on and a daily
    refresh finds it fresh; `start_date` defaults to DEFAULT_PERIOD_DAYS before the end."""
    end = end_date or datetime.now(timezone.utc).strftime("%Y-%m-%d")
    start = start_date or (
        datetime.strptime(end, "%Y-%m-%d") - timedelta(days=DEFAULT_PERIOD_DAYS)
    ).strftime("%Y-%m-%d")
    return start, end
