"""Suggested rule weights: points fitted to a team's own outcomes, as seed rows to review.

`suggest_rules` reads a built warehouse and, for one scoring model, describes every lead whose
outcome window has ended (the population of rpt_threshold_calibration) by rule-level features
at the horizon (calibration_horizon_days after its creation): 1 for each fit rule it matches,
and the number of counted occurrences of each behaviour rule by then. Leads are ordered by
creation; the earlier `train_share` of them train an L2-regularised logistic regression of
reaching SQL within the outcome window on those features, and the later ones test it.

The coefficients become points on the 0-100 scale: a feature's points are its coefficient
times one scale for all rules, the scale putting the 99th percentile of the training leads'
summed points at 100. Rules that too few training leads have (`min_support`) and disqualifying
fit rules keep their points. The threshold is the score above which the suggested model makes
as many training MQLs as the current rules at the current threshold, so the two are compared
at the same volume.

Both models are then scored the same way on the test leads (the sum of a rule's points times
its feature, clamped to 0-100: the rules without decay, caps beyond those already counted, or
gates) and compared by AUC against reaching SQL; the report also gives the AUC of the
engine's own backtest score on the same leads, the points that changed most and the test
leads the two disagree on. Nothing is applied: the output is a folder of seed rows for a
person to read, edit and copy into seeds/scoring/.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np

from lead_funnel import paths, schemas

SCORING_SEEDS = ("scoring_models", "scoring_fit_rules", "scoring_behavior_rules")
#: Seeds of seeds/scoring/ whose rows belong to one scoring model and are copied for the new one.
PER_MODEL_SEEDS = (
    "scoring_fast_track_events",
    "scoring_groups",
    "scoring_suppression",
    "scoring_grade_bands",
)


@dataclass
class Feature:
    """One rule as a feature: its kind, current points and whether the fit may change it."""

    rule_id: str
    kind: str  # fit | behavior
    current_points: float
    is_learned: bool = True
    note: str = ""
    support: int = 0
    coefficient: float = 0.0
    suggested_points: float = 0.0


@dataclass
class Suggestion:
    """What suggest_rules found: the features, the thresholds and the holdout comparison."""

    scoring_model: str
    suggested_model: str
    horizon_days: int
    outcome_days: int
    train_leads: int
    test_leads: int
    train_sqls: int
    test_sqls: int
    current_threshold: float
    suggested_threshold: float
    scale: float
    auc_current: float | None
    auc_suggested: float | None
    auc_engine_backtest: float | None
    features: list[Feature] = field(default_factory=list)
    disagreements: list[tuple[str, float, float, bool]] = field(default_factory=list)


def auc(scores: Sequence[float], labels: Sequence[bool]) -> float | None:
    """Mann-Whitney AUC, ties counted half; None without both classes."""
    s = np.asarray(scores, dtype=float)
    y = np.asarray(labels, dtype=bool)
    positives, negatives = int(y.sum()), int((~y).sum())
    if not positives or not negatives:
        return None
    order = np.argsort(s, kind="mergesort")
    ranks = np.empty(len(s), dtype=float)
    sorted_scores = s[order]
    i = 0
    while i < len(s):
        j = i
        while j + 1 < len(s) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i : j + 1]] = (i + j) / 2.0 + 1.0
        i = j + 1
    return float((ranks[y].sum() - positives * (positives + 1) / 2.0) / (positives * negatives))


def fit_logistic(
    x: np.ndarray,
    y: np.ndarray,
    l2: float = 1.0,
    prior: np.ndarray | None = None,
    iterations: int = 100,
) -> np.ndarray:
    """Coefficients (intercept first) of a logistic regression whose coefficients are pulled
    towards `prior` (default 0) with an L2 penalty `l2`, by Newton steps.

    The intercept is not penalised. Deterministic: no random start, no sampling.
    """
    design = np.hstack([np.ones((x.shape[0], 1)), x])
    centre = np.concatenate([[0.0], prior if prior is not None else np.zeros(x.shape[1])])
    weights = centre.copy()
    penalty = np.full(design.shape[1], l2)
    penalty[0] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(design @ weights, -30, 30)))
        gradient = design.T @ (p - y) + penalty * (weights - centre)
        hessian = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.solve(hessian + 1e-9 * np.eye(len(weights)), gradient)
        weights -= step
        if np.max(np.abs(step)) < 1e-10:
            break
    return weights


def log_loss(x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> float:
    """Mean negative log-likelihood of `weights` (intercept first) on (x, y)."""
    z = np.clip(weights[0] + x @ weights[1:], -30, 30)
    return float(np.mean(np.logaddexp(0.0, z) - y * z))


#: Penalties tried for the pull towards the current rules (the best on the last quarter of
#: the training leads is used; the last keeps the current rules but for noise).
PENALTIES = (0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0, 1e6)


def _read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write_csv(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _project_var(name: str, default: int) -> int:
    """An integer var of dbt_project.yml (the calibration's horizon and window)."""
    import yaml

    with open(paths.project_dir() / "dbt_project.yml", encoding="utf-8") as handle:
        project = yaml.safe_load(handle)
    return int((project.get("vars") or {}).get(name, default))


def _points_text(points: float) -> str:
    return str(int(points)) if float(points).is_integer() else f"{points:g}"


def _leads(con: duckdb.DuckDBPyConnection, model: str, horizon: int, outcome: int) -> list[tuple]:
    """(lead_id, created_at, reached_sql, engine backtest score) of the population, by creation."""
    scores = schemas.table("marts", "fct_lead_scores")
    leads = schemas.table("marts", "dim_leads")
    cycles = schemas.table("marts", "fct_mql_cycles")
    history = schemas.table("marts", "fct_lead_score_history")
    models = schemas.table("seeds", "scoring_models")
    return con.execute(
        f"""
        with population as (
            select s.lead_id, l.created_at,
                   l.created_at + to_days(cast(? as integer)) as horizon_at,
                   l.created_at + to_days(cast(? as integer)) as window_ends_at
            from {scores} as s inner join {leads} as l on s.lead_id = l.lead_id
            where s.scoring_model = ?
              and l.created_at + to_days(cast(? as integer)) <= s.scored_as_of
        ),
        outcomes as (
            select p.lead_id, bool_or(
                c.sales_qualified_at <= p.window_ends_at
                or c.opportunity_created_at <= p.window_ends_at
                or c.closed_won_at <= p.window_ends_at) as reached_sql
            from population as p inner join {cycles} as c
                on p.lead_id = c.lead_id and c.scoring_model = ?
            group by p.lead_id
        ),
        backtest as (
            select p.lead_id, max(h.lead_score) as score
            from population as p
            inner join {history} as h on p.lead_id = h.lead_id and h.scoring_model = ?
            inner join {models} as m on m.scoring_model = h.scoring_model
            where h.occurred_at <= p.horizon_at and not h.is_fit_disqualified
              and not h.is_suppressed and h.fit_score >= m.min_fit_score
              and h.engagement_score + h.intent_score + h.negative_score
                  >= coalesce(m.min_behavior_score, 0) - 1e-9
            group by p.lead_id
        )
        select p.lead_id, p.created_at, coalesce(o.reached_sql, false), coalesce(b.score, -1)
        from population as p
        left join outcomes as o on p.lead_id = o.lead_id
        left join backtest as b on p.lead_id = b.lead_id
        order by p.created_at, p.lead_id
        """,
        [horizon, outcome, model, outcome, model, model],
    ).fetchall()


def _feature_rows(
    con: duckdb.DuckDBPyConnection, model: str, horizon: int
) -> tuple[list[tuple], list[tuple]]:
    """(lead_id, rule_id) of matched fit rules; (lead_id, rule_id, count) of counted
    occurrences of behaviour rules by the horizon."""
    components = schemas.table("marts", "fct_lead_score_components")
    occurrences = schemas.table("intermediate", "int_engagement_events_scored")
    leads = schemas.table("marts", "dim_leads")
    fit = con.execute(
        f"""select lead_id, rule_id from {components}
            where scoring_model = ? and rule_kind = 'fit'""",
        [model],
    ).fetchall()
    behavior = con.execute(
        f"""
        select o.lead_id, o.rule_id, count(*)
        from {occurrences} as o inner join {leads} as l on o.lead_id = l.lead_id
        where o.scoring_model = ? and o.is_counted
          and o.occurred_at <= l.created_at + to_days(cast(? as integer))
        group by o.lead_id, o.rule_id
        """,
        [model, horizon],
    ).fetchall()
    return fit, behavior


def _connect(db_path: Path) -> duckdb.DuckDBPyConnection:
    """The warehouse, read-only; with the default configuration when this process already
    holds it open that way (DuckDB shares a file only between equal configurations)."""
    try:
        return duckdb.connect(str(db_path), read_only=True)
    except duckdb.ConnectionException:
        return duckdb.connect(str(db_path))


def suggest_rules(
    db_path: Path,
    scoring_model: str,
    out_dir: Path,
    seed_dir: Path | None = None,
    suggested_model: str | None = None,
    train_share: float = 0.7,
    l2: float = 1.0,
    min_support: int = 30,
    horizon_days: int | None = None,
    outcome_days: int | None = None,
) -> Suggestion:
    """Fit the points of `scoring_model`'s rules to the warehouse's outcomes; write the seed
    rows of the suggested model and a report to `out_dir`."""
    seed_dir = seed_dir or paths.project_dir() / "seeds" / "scoring"
    suggested_model = suggested_model or f"{scoring_model}_suggested"
    horizon = (
        horizon_days if horizon_days is not None else _project_var("calibration_horizon_days", 30)
    )
    outcome = (
        outcome_days if outcome_days is not None else _project_var("calibration_outcome_days", 180)
    )
    model_columns, model_rows = _read_csv(seed_dir / "scoring_models.csv")
    model_row = next((r for r in model_rows if r["scoring_model"] == scoring_model), None)
    if model_row is None:
        known = ", ".join(sorted(r["scoring_model"] for r in model_rows))
        raise ValueError(f"no scoring model {scoring_model!r} in {seed_dir} (has {known})")
    fit_columns, fit_rules = _read_csv(seed_dir / "scoring_fit_rules.csv")
    behavior_columns, behavior_rules = _read_csv(seed_dir / "scoring_behavior_rules.csv")
    fit_rules = [r for r in fit_rules if r["scoring_model"] == scoring_model]
    behavior_rules = [r for r in behavior_rules if r["scoring_model"] == scoring_model]

    features = [Feature(r["rule_id"], "fit", float(r["points"])) for r in fit_rules] + [
        Feature(r["rule_id"], "behavior", float(r["points"])) for r in behavior_rules
    ]
    for feature, rule in zip(features, fit_rules + behavior_rules, strict=True):
        if rule.get("is_disqualifying", "").strip().lower() == "true":
            feature.is_learned = False
            feature.note = "disqualifying: kept"
    index = {f.rule_id: k for k, f in enumerate(features)}

    with _connect(db_path) as con:
        population = _leads(con, scoring_model, horizon, outcome)
        fit_rows, behavior_rows = _feature_rows(con, scoring_model, horizon)
    if len(population) < 20:
        raise ValueError(
            f"only {len(population)} leads of {scoring_model!r} have an ended {outcome}-day "
            "outcome window: too few to fit rule weights"
        )
    row_of = {lead_id: k for k, (lead_id, *_rest) in enumerate(population)}
    x = np.zeros((len(population), len(features)))
    for lead_id, rule_id in fit_rows:
        if lead_id in row_of and rule_id in index:
            x[row_of[lead_id], index[rule_id]] = 1.0
    for lead_id, rule_id, count in behavior_rows:
        if lead_id in row_of and rule_id in index:
            x[row_of[lead_id], index[rule_id]] = float(count)
    y = np.array([bool(r[2]) for r in population])
    engine_scores = np.array([float(r[3]) for r in population])
    n_train = int(round(len(population) * train_share))
    train, test = slice(0, n_train), slice(n_train, len(population))

    for k, feature in enumerate(features):
        feature.support = int((x[train, k] != 0).sum())
        if feature.is_learned and feature.support < min_support:
            feature.is_learned = False
            feature.note = f"{feature.support} training leads: kept"
    learned = [k for k, f in enumerate(features) if f.is_learned]
    current = np.array([f.current_points for f in features])
    # The current rules on the log-odds scale: one slope for their summed points, so that a
    # point means the same before and after; the fit starts from, and is pulled towards, them.
    current_linear = (x @ current)[:, None] / 100.0
    slope = fit_logistic(current_linear[train], y[train].astype(float), l2=0.0)[1] / 100.0
    slope = max(slope, 1e-4)
    x_learned = x[:, learned]
    mean = x_learned[train].mean(axis=0)
    sd = x_learned[train].std(axis=0)
    sd[sd == 0] = 1.0
    standardised = (x_learned - mean) / sd
    # the kept rules' points enter as a fixed offset: move them out of the fitted part
    kept = [k for k, f in enumerate(features) if not f.is_learned]
    offset = x[:, kept] @ (current[kept] * slope) if kept else np.zeros(len(population))
    prior = current[learned] * slope * sd
    n_fit = int(round(n_train * 0.75))
    inner, validation = slice(0, n_fit), slice(n_fit, n_train)

    def fitted(rows: slice, penalty: float) -> np.ndarray:
        design = np.hstack([standardised[rows], offset[rows, None]])
        return fit_logistic(
            design, y[rows].astype(float), l2=penalty, prior=np.append(prior, slope)
        )

    def validation_loss(penalty: float) -> float:
        weights = fitted(inner, penalty)
        design = np.hstack([standardised[validation], offset[validation, None]])
        return log_loss(design, y[validation].astype(float), weights)

    penalty = min(PENALTIES, key=validation_loss) if n_train - n_fit >= 10 else 30.0
    weights = fitted(train, penalty)
    raw = weights[1 : 1 + len(learned)] / sd
    for k, coefficient in zip(learned, raw, strict=True):
        features[k].coefficient = float(coefficient)
    # Points on the 0-100 scale: the summed log-odds of the training leads, scaled so that
    # their 99th percentile is where the current rules put theirs (at most 100); kept rules
    # keep their points.
    learned_linear = x[:, learned] @ raw + offset / slope * slope
    current_top = min(100.0, float(np.percentile(np.clip(x[train] @ current, 0, None), 99)))
    top = float(np.percentile(learned_linear[train], 99))
    scale = current_top / top if top > 0 else 1.0 / slope
    for feature in features:
        if feature.is_learned:
            feature.suggested_points = float(round(feature.coefficient * scale))
        else:
            feature.suggested_points = feature.current_points
    suggested = np.array([f.suggested_points for f in features])

    def score(points: np.ndarray) -> np.ndarray:
        return np.clip(x @ points, 0.0, 100.0)

    current_scores, suggested_scores = score(current), score(suggested)
    current_threshold = float(model_row["mql_threshold"])
    volume = int((current_scores[train] >= current_threshold - 1e-9).sum())
    ranked = np.sort(suggested_scores[train])[::-1]
    suggested_threshold = float(round(ranked[volume - 1])) if volume else current_threshold
    suggested_threshold = min(max(suggested_threshold, 1.0), 100.0)

    test_ids = [r[0] for r in population[test]]
    current_mql = current_scores[test] >= current_threshold - 1e-9
    suggested_mql = suggested_scores[test] >= suggested_threshold - 1e-9
    disagree = np.flatnonzero(current_mql != suggested_mql)
    disagree = disagree[
        np.argsort(
            -np.abs(suggested_scores[test][disagree] - current_scores[test][disagree]),
            kind="mergesort",
        )
    ]
    result = Suggestion(
        scoring_model=scoring_model,
        suggested_model=suggested_model,
        horizon_days=horizon,
        outcome_days=outcome,
        train_leads=n_train,
        test_leads=len(population) - n_train,
        train_sqls=int(y[train].sum()),
        test_sqls=int(y[test].sum()),
        current_threshold=current_threshold,
        suggested_threshold=suggested_threshold,
        scale=scale,
        auc_current=auc(current_scores[test], y[test]),
        auc_suggested=auc(suggested_scores[test], y[test]),
        auc_engine_backtest=auc(engine_scores[test], y[test]),
        features=features,
        disagreements=[
            (
                test_ids[k],
                float(current_scores[test][k]),
                float(suggested_scores[test][k]),
                bool(y[test][k]),
            )
            for k in disagree
        ],
    )
    _write_outputs(
        result,
        out_dir,
        seed_dir,
        model_columns,
        model_row,
        fit_columns,
        fit_rules,
        behavior_columns,
        behavior_rules,
    )
    return result


def _renamed(rows: list[dict[str, str]], model: str) -> list[dict[str, str]]:
    return [dict(r, scoring_model=model) for r in rows]


def _write_outputs(
    result: Suggestion,
    out_dir: Path,
    seed_dir: Path,
    model_columns: list[str],
    model_row: dict[str, str],
    fit_columns: list[str],
    fit_rules: list[dict[str, str]],
    behavior_columns: list[str],
    behavior_rules: list[dict[str, str]],
) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    points = {f.rule_id: f.suggested_points for f in result.features}
    new_model = dict(
        model_row,
        scoring_model=result.suggested_model,
        description=(
            f"Suggested from outcomes: the rules of {result.scoring_model} with points fitted "
            f"to reaching SQL within {result.outcome_days} days"
        ),
        mql_threshold=_points_text(result.suggested_threshold),
        is_default="false",
    )
    _write_csv(out_dir / "scoring_models.csv", model_columns, [new_model])
    _write_csv(
        out_dir / "scoring_fit_rules.csv",
        fit_columns,
        [
            dict(r, points=_points_text(points[r["rule_id"]]))
            for r in _renamed(fit_rules, result.suggested_model)
        ],
    )
    _write_csv(
        out_dir / "scoring_behavior_rules.csv",
        behavior_columns,
        [
            dict(r, points=_points_text(points[r["rule_id"]]))
            for r in _renamed(behavior_rules, result.suggested_model)
        ],
    )
    for name in PER_MODEL_SEEDS:
        path = seed_dir / f"{name}.csv"
        if path.is_file():
            columns, rows = _read_csv(path)
            own = [r for r in rows if r.get("scoring_model") == result.scoring_model]
            _write_csv(out_dir / f"{name}.csv", columns, _renamed(own, result.suggested_model))
    (out_dir / "suggestion.json").write_text(
        json.dumps(
            {
                "scoring_model": result.scoring_model,
                "suggested_model": result.suggested_model,
                "horizon_days": result.horizon_days,
                "outcome_days": result.outcome_days,
                "train_leads": result.train_leads,
                "test_leads": result.test_leads,
                "train_sqls": result.train_sqls,
                "test_sqls": result.test_sqls,
                "current_threshold": result.current_threshold,
                "suggested_threshold": result.suggested_threshold,
                "holdout_auc_current": result.auc_current,
                "holdout_auc_suggested": result.auc_suggested,
                "holdout_auc_engine_backtest": result.auc_engine_backtest,
                "rules": [
                    {
                        "rule_id": f.rule_id,
                        "kind": f.kind,
                        "current_points": f.current_points,
                        "suggested_points": f.suggested_points,
                        "learned": f.is_learned,
                        "training_leads_with_rule": f.support,
                        "note": f.note,
                    }
                    for f in result.features
                ],
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    (out_dir / "report.md").write_text(report_text(result), encoding="utf-8")


def _auc_text(value: float | None) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.3f}"


def _verdict(result: Suggestion) -> str:
    if result.auc_current is None or result.auc_suggested is None:
        return "The test leads hold only one outcome: the AUCs cannot compare the two."
    gap = result.auc_suggested - result.auc_current
    if gap > 0.005:
        return f"The suggested rules rank the test leads better (AUC {gap:+.3f})."
    if gap < -0.005:
        return (
            f"The suggested rules rank the test leads worse (AUC {gap:+.3f}): keep the current "
            "rules, or take only the changes you can explain."
        )
    return "The two rank the test leads alike (AUC within 0.005): the changes are small bets."


def report_text(result: Suggestion, changed: int = 10, disagreements: int = 15) -> str:
    """The short review of a suggestion, in Markdown."""
    lines = [
        f"# Suggested rule weights for scoring model `{result.scoring_model}`",
        "",
        f"Leads are described at day {result.horizon_days} after creation and labelled by "
        f"reaching SQL within {result.outcome_days} days. The earlier {result.train_leads} "
        f"leads ({result.train_sqls} SQLs) trained the weights; the later {result.test_leads} "
        f"({result.test_sqls} SQLs) test them. Nothing has been applied: review the seed rows "
        f"here, then append them to seeds/scoring/ to build `{result.suggested_model}` beside "
        f"`{result.scoring_model}`.",
        "",
        "## Holdout AUC (reaching SQL)",
        "",
        "| model | threshold | AUC |",
        "|---|---|---|",
        f"| current rules (`{result.scoring_model}`) | {_points_text(result.current_threshold)} "
        f"| {_auc_text(result.auc_current)} |",
        f"| suggested rules (`{result.suggested_model}`) | "
        f"{_points_text(result.suggested_threshold)} | {_auc_text(result.auc_suggested)} |",
        f"| engine backtest score of `{result.scoring_model}` (rpt_threshold_calibration) | | "
        f"{_auc_text(result.auc_engine_backtest)} |",
        "",
        _verdict(result),
        "",
        "Both rule sets are scored alike on the test leads: the points of each matched fit rule "
        "and of each counted behaviour occurrence by the horizon, clamped to 0-100, without "
        "decay. The suggested threshold makes as many training MQLs as the current rules at the "
        "current threshold.",
        "",
        "## Points that changed most",
        "",
        "| rule | kind | current | suggested | change | note |",
        "|---|---|---|---|---|---|",
    ]
    moved = sorted(
        result.features,
        key=lambda f: (-abs(f.suggested_points - f.current_points), f.rule_id),
    )
    for f in moved[:changed]:
        lines.append(
            f"| `{f.rule_id}` | {f.kind} | {_points_text(f.current_points)} | "
            f"{_points_text(f.suggested_points)} | "
            f"{f.suggested_points - f.current_points:+g} | {f.note} |"
        )
    lines += [
        "",
        f"## Test leads the two disagree on ({len(result.disagreements)})",
        "",
        "Leads one model makes an MQL and the other does not, the largest score gap first.",
        "",
        "| lead | current score | suggested score | reached SQL |",
        "|---|---|---|---|",
    ]
    for lead_id, current, suggested, reached in result.disagreements[:disagreements]:
        lines.append(
            f"| {lead_id} | {current:.1f} | {suggested:.1f} | {'yes' if reached else 'no'} |"
        )
    return "\n".join(lines) + "\n"
