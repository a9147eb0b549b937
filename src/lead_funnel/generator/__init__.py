"""Synthetic raw CRM, engagement, sales, spend and product-usage data with a ground truth.

`generate(...)` writes one file per raw table of the contract plus ``ground_truth/``;
`PROFILES` holds the behaviour parameters of the ``default``, ``junk`` and ``strict`` funnels.

Conventions the warehouse can rely on:

* All columns are text; CSV quotes every non-null value and writes null as an empty field.
  Timestamps are ``YYYY-MM-DD HH:MM:SS`` UTC, dates ``YYYY-MM-DD``; the period end is
  ``end_date 00:00:00`` and no clean event, activity or status change lies after it
  (``loaded_at`` may).
* Marketing hands a lead to sales at the warehouse's derived MQL moments of the ``default``
  scoring model (see `lead_funnel.generator.handoff`), each with a ``marketing_qualified``
  status change. The truth's cycles are derived from the clean files with the warehouse's
  documented cycle semantics (`lead_funnel.generator.cycles`): real cycles start at those
  hand-offs; a sales-sourced (outbound) lead gets an inferred cycle, starting at its first
  sales-side moment, only when sales qualify it (or open an opportunity) before marketing
  qualifies it.
* Within one cycle: marketing_qualified_at <= first_touched_at <= sales_accepted_at <=
  sales_qualified_at <= opportunity_created_at <= closed_at, except for the injected
  contradictory opportunities (closed won before the first touch), which the truth flags.
  Follow-up activities lie strictly inside the cycle (before its recycle).
* The same seed and chunk size give byte-identical files; output depends on ``chunk_size``.
"""

from lead_funnel.generator.core import generate
from lead_funnel.generator.profiles import PROFILES, Profile
from lead_funnel.generator.vocab import COMPETITOR_DOMAINS

__all__ = ["COMPETITOR_DOMAINS", "PROFILES", "Profile", "generate"]
