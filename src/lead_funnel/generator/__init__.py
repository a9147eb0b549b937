"""Synthetic raw CRM, engagement, sales, spend and product-usage data with a ground truth.

`generate(...)` writes one file per raw table of the contract plus ``ground_truth/``;
`PROFILES` holds the behaviour parameters of the ``default``, ``junk`` and ``strict`` funnels.

Conventions the warehouse can rely on:

* All columns are text; CSV quotes every non-null value and writes null as an empty field.
  Timestamps are ``YYYY-MM-DD HH:MM:SS`` UTC, dates ``YYYY-MM-DD``; the period end is
  ``end_date 00:00:00`` and no clean event, activity or status change lies after it
  (``loaded_at`` may).
* Within one cycle: marketing_qualified_at <= first_touched_at <= sales_accepted_at <=
  sales_qualified_at <= opportunity_created_at <= closed_at. The first touch of a cycle is the
  lead's first sales activity at or after its hand-off; follow-up activities lie strictly
  inside the cycle (before its recycle), so no activity falls between a recycle and the next
  hand-off. A sales-sourced (outbound) cycle has no ``marketing_qualified`` row; its first
  activity and ``sales_accepted`` share one timestamp, which the truth uses as the inferred
  MQL moment.
* The same seed and chunk size give byte-identical files; output depends on ``chunk_size``.
"""

from lead_funnel.generator.core import generate
from lead_funnel.generator.profiles import PROFILES, Profile
from lead_funnel.generator.vocab import COMPETITOR_DOMAINS

__all__ = ["COMPETITOR_DOMAINS", "PROFILES", "Profile", "generate"]
