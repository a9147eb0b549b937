"""The state one generator run shares across its chunks, and the ground truth's layouts.

Chunks are simulated one after another but number their rows from shared counters, append to
the same open files and add to the same mess tallies; `Run` carries all of that, so each
step of a chunk takes the run and the chunk's own data and nothing global.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lead_funnel.generator.encode import DAY
from lead_funnel.generator.profiles import Profile
from lead_funnel.generator.writers import TableWriter

UNKNOWN_LEAD_BASE = 90_000_000  # lead ids from here on never exist in leads
TRUTH_LEAD_COLUMNS = (
    "lead_id",
    "survivor_lead_id",
    "account_id",
    "profile",
    "latent_fit",
    "latent_intent",
    "created_at",
    "is_merged_duplicate",
    "has_padded_email",
)
# One row per free-trial lead (ground_truth/product_usage_truth.csv): its sign-up, whether the
# simulation activated it, and its paid upgrade; written apart from mess.json's tallies.
TRUTH_PRODUCT_COLUMNS = ("lead_id", "signed_up_at", "is_activated", "upgraded_at")
TRUTH_CYCLE_COLUMNS = (
    "lead_id",
    "cycle_number",
    "is_inferred_mql",
    "marketing_qualified_at",
    "first_touched_at",
    "first_touch_rep_id",
    "sales_accepted_at",
    "sales_rejected_at",
    "rejection_reason",
    "recycled_at",
    "sales_qualified_at",
    "disqualified_at",
    "opportunity_id",
    "opportunity_created_at",
    "closed_won_at",
    "closed_lost_at",
    "is_contradictory",
)


@dataclass
class Run:
    """State shared by the chunks of one run: parameters, counters, writers and tallies."""

    seed: int
    profile: Profile
    start: int
    end: int
    mess_rate: float
    n_leads: int
    writers: dict[str, TableWriter] = field(default_factory=dict)
    truth: dict[str, TableWriter] = field(default_factory=dict)
    product_truth: TableWriter | None = None
    next_account: int = 1
    next_lead: int = 1
    next_event: int = 1
    next_activity: int = 1
    next_change: int = 1
    next_opportunity: int = 1
    next_usage: int = 1
    next_unknown_lead: int = UNKNOWN_LEAD_BASE
    mess: dict[str, dict[str, int]] = field(default_factory=dict)
    contradictory: list[dict[str, str]] = field(default_factory=list)
    campaigns_by_channel: dict[str, list[int]] = field(default_factory=dict)
    total_accounts: int = 0

    @property
    def last_created(self) -> int:
        """The latest moment a lead (or account) may be created: 30 days before the end."""
        return self.end - 30 * DAY

    def tally(self, table: str, kind: str, count: int) -> None:
        """Add `count` injected rows of mess `kind` to `table`'s tally."""
        bucket = self.mess.setdefault(table, {})
        bucket[kind] = bucket.get(kind, 0) + int(count)
