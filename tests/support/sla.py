"""The SLA clock in plain Python, from the seeds: business hours on the wall clock of a time
zone (zoneinfo), without the territory's holidays, for comparing with int_mql_handoffs_sla."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from lead_funnel.paths import project_dir


def _seed(*parts: str) -> list[dict[str, str]]:
    with open(Path(project_dir(), "seeds", *parts), newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


class SlaClock:
    def __init__(self) -> None:
        self.hours = {
            int(r["iso_weekday"]): (int(r["start_hour"]), int(r["end_hour"]))
            for r in _seed("business_hours.csv")
        }
        self.holidays: dict[str, set[date]] = {}
        for r in _seed("routing", "routing_holidays.csv"):
            self.holidays.setdefault(r["territory"], set()).add(
                date.fromisoformat(r["holiday_date"])
            )
        self.country_zones = {
            r["country"]: r["time_zone"] for r in _seed("routing", "country_time_zones.csv")
        }

    def time_zone(self, owner_zone: str | None, country: str | None) -> str:
        """The owner's zone, else the country's, else UTC (var sla_default_time_zone)."""
        return owner_zone or self.country_zones.get(country or "", "UTC")

    def due(self, at: datetime, hours: float, zone: str, territory: str | None) -> datetime:
        """UTC (naive) moment `hours` business hours after the UTC (naive) moment `at`."""
        tz = ZoneInfo(zone)
        start_utc = at.replace(tzinfo=UTC)
        closed = self.holidays.get("", set()) | self.holidays.get(territory or "", set())
        remaining = timedelta(hours=hours)
        day = start_utc.astimezone(tz).date()
        for _ in range(400):
            if day.isoweekday() in self.hours and day not in closed:
                opens, shuts = self.hours[day.isoweekday()]
                begin = datetime.combine(day, time(opens), tzinfo=tz).astimezone(UTC)
                end = datetime.combine(day, time(shuts), tzinfo=tz).astimezone(UTC)
                begin = max(begin, start_utc)
                if begin < end:
                    if remaining <= end - begin:
                        return (begin + remaining).replace(tzinfo=None)
                    remaining -= end - begin
            day += timedelta(days=1)
        raise AssertionError("no business hours within 400 days")
