"""`lead-funnel suggest-rules` on generated data whose drivers are known.

The generator gives free-mail leads no account, so they almost never buy; content downloads
are part of the buying burst of high-intent leads, while nearly every lead opens emails. A
copy of the default model with those three rules deliberately wrong (free mail +20, business
email -10, content downloads -10, email opens 15) must be corrected from the outcomes: the
points move back toward the drivers and the suggestion ranks the holdout better than the
wrong rules. The suggested seed rows then build as a scoring model of their own.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from lead_funnel.cli import main
from lead_funnel.dbt_runner import run_dbt
from lead_funnel.paths import project_dir
from lead_funnel.suggest import auc, suggest_rules
from tests.conftest import GENERATED_AS_OF, copy_warehouse, query
from tests.support.isolation import copy_project

pytestmark = pytest.mark.slow

WRONG = {
    "fit_email_free": 20,
    "fit_email_business": -10,
    "eng_content_download": -10,
    "eng_email_open": 15,
}


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _wrong_seeds(folder: Path) -> Path:
    """seeds/scoring with the default model's four rules set wrong."""
    target = folder / "scoring"
    shutil.copytree(project_dir() / "seeds" / "scoring", target)
    for name in ("scoring_fit_rules.csv", "scoring_behavior_rules.csv"):
        rows = _rows(target / name)
        for row in rows:
            if row["scoring_model"] == "default" and row["rule_id"] in WRONG:
                row["points"] = str(WRONG[row["rule_id"]])
        with open(target / name, "w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return target


def test_auc_counts_ties_half():
    assert auc([1, 2, 3, 4], [0, 0, 1, 1]) == 1.0
    assert auc([1, 1, 1, 1], [0, 1, 0, 1]) == 0.5
    assert auc([3, 1, 2, 2], [1, 0, 1, 0]) == pytest.approx(0.875)
    assert auc([1, 2], [1, 1]) is None


def test_suggestion_corrects_wrong_points(generated_warehouse: Path, tmp_path: Path):
    seeds = _wrong_seeds(tmp_path / "seeds")
    result = suggest_rules(generated_warehouse, "default", tmp_path / "out", seed_dir=seeds)
    points = {f.rule_id: f.suggested_points for f in result.features}
    # toward the drivers: free mail below business email, downloads up, opens down
    assert points["fit_email_free"] < 0 < points["fit_email_business"]
    assert points["eng_content_download"] > WRONG["eng_content_download"]
    assert points["eng_email_open"] < WRONG["eng_email_open"]
    assert result.auc_suggested > result.auc_current + 0.02
    # time-ordered split: the test leads are the later ones
    ((scored,),) = query(
        generated_warehouse,
        "select count(*) from marts.fct_lead_scores where scoring_model = 'default'",
    )
    assert result.train_leads + result.test_leads <= scored
    assert result.train_leads == round(0.7 * (result.train_leads + result.test_leads))


def test_suggest_rules_command_writes_a_reviewable_model(
    generated_warehouse: Path, generated_raw: Path, tmp_path: Path, capsys
):
    out = tmp_path / "suggested"
    code = main(
        [
            "suggest-rules",
            "--scoring-model",
            "default",
            "--out",
            str(out),
            "--duckdb-path",
            str(generated_warehouse),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "holdout AUC" in printed and "nothing applied" in printed
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "## Holdout AUC" in report and "## Points that changed most" in report
    assert "## Test leads the two disagree on" in report
    summary = json.loads((out / "suggestion.json").read_text(encoding="utf-8"))
    # on the shipped rules, which follow the drivers, the fit does not lose ranking power
    assert summary["holdout_auc_suggested"] >= summary["holdout_auc_current"] - 0.005
    seed_rules = {
        r["rule_id"]
        for r in _rows(project_dir() / "seeds" / "scoring" / "scoring_behavior_rules.csv")
        if r["scoring_model"] == "default"
    }
    suggested_rules = _rows(out / "scoring_behavior_rules.csv")
    assert {r["rule_id"] for r in suggested_rules} == seed_rules
    assert {r["scoring_model"] for r in suggested_rules} == {"default_suggested"}
    (model,) = _rows(out / "scoring_models.csv")
    assert model["scoring_model"] == "default_suggested" and model["is_default"] == "false"
    assert 0 < float(model["mql_threshold"]) <= 100
    # nothing applied: the project's seeds do not name the new model
    assert "default_suggested" not in (
        project_dir() / "seeds" / "scoring" / "scoring_models.csv"
    ).read_text(encoding="utf-8")

    # a person who accepts it appends the rows to the seeds; the new model then builds
    project = copy_project(tmp_path / "work", project_dir())
    for seed in out.glob("*.csv"):
        target = project / "seeds" / "scoring" / seed.name
        rows = _rows(seed)
        with open(target, "a", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writerows(rows)
    db = copy_warehouse(generated_warehouse, tmp_path / "lead_funnel.duckdb")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LEAD_FUNNEL_PROJECT_DIR", str(project))
        run_dbt(
            ["build", "--select", "+fct_lead_scores", "--exclude", "resource_type:test"],
            raw_dir=generated_raw,
            duckdb_path=db,
            dbt_vars={"score_as_of": GENERATED_AS_OF},
            quiet=True,
        )
    ((leads, mqls),) = query(
        db,
        """select count(*), count(marketing_qualified_at) from marts.fct_lead_scores
           where scoring_model = 'default_suggested'""",
    )
    ((default_leads,),) = query(
        db, "select count(*) from marts.fct_lead_scores where scoring_model = 'default'"
    )
    assert leads == default_leads and mqls > 0
