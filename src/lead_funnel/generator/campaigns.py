"""Campaigns and their marketing spend: small tables written once, before the first chunk.

Leads and engagement events point at campaigns, so the campaigns of every channel exist
(and are registered on the run) before any lead is simulated. They come from a random stream
of their own, so they do not depend on the number of leads or the chunk size.
"""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa

from lead_funnel.generator import vocab as V
from lead_funnel.generator.encode import DAY, date_strings
from lead_funnel.generator.mess import inject_negative_spend
from lead_funnel.generator.state import Run

# Seed offset of the campaigns' random stream (chunks use the chunk index instead).
_CAMPAIGN_STREAM = 1_000_003


def write_campaigns_and_spend(run: Run) -> None:
    """Write the campaigns, register them per channel on `run`, and write their daily spend."""
    rng = np.random.default_rng([run.seed, _CAMPAIGN_STREAM])
    channels, windows = _write_campaigns(run, rng)
    days, cmp, amounts = _daily_spend(rng, channels, windows)
    days, cmp, amounts, n_neg = inject_negative_spend(run, rng, days, cmp, amounts)
    channel_arr = np.array(channels, dtype=object)[cmp - 1]
    run.writers["marketing_spend"].write(
        {
            "spend_date": date_strings(days * DAY),
            "channel": pa.array(channel_arr.tolist(), type=pa.string()),
            "campaign_id": [f"CMP{c:03d}" for c in cmp.tolist()],
            "amount": [f"{a:.2f}" for a in amounts.tolist()],
            "currency": ["USD"] * len(cmp),
        }
    )
    run.tally("marketing_spend", "negative_amount", n_neg)


def _write_campaigns(run: Run, rng: np.random.Generator) -> tuple[list[str], list[tuple[int, int]]]:
    """Name the campaigns of every channel and give each a run window within the period.

    Writes the campaigns table and returns each campaign's channel and (begin, end) window,
    in campaign-number order (campaign k is at position k - 1).
    """
    names, channels = [], []
    windows: list[tuple[int, int]] = []
    n = 0
    for channel in V.CHANNELS:
        for k in range(V.CAMPAIGNS_PER_CHANNEL[channel]):
            n += 1
            theme = V.CAMPAIGN_THEMES[int(rng.integers(len(V.CAMPAIGN_THEMES)))]
            names.append(f"{channel.replace('_', ' ').title()} - {theme} {k + 1:02d}")
            channels.append(channel)
            run.campaigns_by_channel.setdefault(channel, []).append(n)
            span = run.end - run.start
            length = int(span * rng.uniform(0.25, 1.0))
            begin = run.start + int((span - length) * rng.random())
            windows.append((begin, begin + length))
    run.writers["campaigns"].write(
        {
            "campaign_id": [f"CMP{i:03d}" for i in range(1, n + 1)],
            "campaign_name": names,
            "channel": channels,
        }
    )
    return channels, windows


def _daily_spend(
    rng: np.random.Generator, channels: list[str], windows: list[tuple[int, int]]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(day number, campaign number, amount) of every paid campaign's spend, campaign by campaign.

    A paid campaign spends every day of its window (events and webinars weekly) around a
    budget of its own.
    """
    days_all: list[np.ndarray] = []
    cmp_all: list[np.ndarray] = []
    amount_all: list[np.ndarray] = []
    for i, channel in enumerate(channels):
        if channel not in V.PAID_CHANNELS:
            continue
        begin, stop = windows[i]
        days = np.arange(begin // DAY, stop // DAY + 1, dtype=np.int64)
        if channel in ("events", "webinar"):
            days = days[::7]  # these are paid weekly
        budget = float(rng.lognormal(math.log(400.0), 0.6))
        amounts = np.round(budget * rng.lognormal(0.0, 0.3, days.size), 2)
        days_all.append(days)
        cmp_all.append(np.full(days.size, i + 1))
        amount_all.append(amounts)
    return np.concatenate(days_all), np.concatenate(cmp_all), np.concatenate(amount_all)
