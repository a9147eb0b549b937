"""Lead scoring in plain Python.

`reference` restates the scoring semantics of `models/marts/scoring/_scoring__docs.md` one
rule at a time, so that the dbt models can be checked against an independent reading of the
same text.
"""

from lead_funnel.scoring.reference import (
    BehaviorRule,
    Event,
    FitRule,
    HistoryRow,
    LeadProfile,
    LeadRecord,
    LeadScore,
    Occurrence,
    Rules,
    ScoringModel,
    lead_attributes,
    load_rules,
    resolve_survivors,
    score_lead,
    score_population,
)

__all__ = [
    "BehaviorRule",
    "Event",
    "FitRule",
    "HistoryRow",
    "LeadProfile",
    "LeadRecord",
    "LeadScore",
    "Occurrence",
    "Rules",
    "ScoringModel",
    "lead_attributes",
    "load_rules",
    "resolve_survivors",
    "score_lead",
    "score_population",
]
