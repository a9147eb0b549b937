"""Tests of the synthetic data generator: contract, determinism, stage order, mess, profiles."""

from __future__ import annotations

import csv
import json
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from lead_funnel.contract import raw_tables
from lead_funnel.generator import COMPETITOR_DOMAINS, PROFILES, generate
from lead_funnel.generator import vocab as V
from lead_funnel.generator.rates import measure_rates
from lead_funnel.scoring import Event, LeadProfile, load_rules, score_lead
from lead_funnel.scoring.reference import (
    AccountCandidate,
    StatusChange,
    email_domain,
    match_account,
)
from tests.conftest import GENERATED_PERIOD

END = "2026-09-30 00:00:00"
STAGES = (
    "marketing_qualified_at",
    "first_touched_at",
    "sales_accepted_at",
    "sales_qualified_at",
    "opportunity_created_at",
)


def _rows(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _valid_ts(value: str) -> bool:
    try:
        datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return False
    return not value.startswith("2099")


@pytest.fixture(scope="module")
def messy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("messy")
    generate(1500, seed=3, out_dir=out, progress=False, **GENERATED_PERIOD, mess_rate=0.03)
    return out


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("clean")
    generate(800, seed=5, out_dir=out, progress=False, **GENERATED_PERIOD, mess_rate=0.0)
    return out


def _mess(out: Path) -> dict:
    return json.loads((out / "ground_truth" / "mess.json").read_text())


def test_same_seed_gives_identical_bytes_and_other_seed_differs(tmp_path: Path) -> None:
    generate(300, seed=11, out_dir=tmp_path / "a", progress=False, **GENERATED_PERIOD)
    generate(300, seed=11, out_dir=tmp_path / "b", progress=False, **GENERATED_PERIOD)
    generate(300, seed=12, out_dir=tmp_path / "c", progress=False, **GENERATED_PERIOD)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.*"))
    assert len(files) == len(raw_tables()) + 5  # ground_truth: 4 files + product_usage_truth.csv
    for rel in files:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel
    a = (tmp_path / "a" / "engagement_events.csv").read_bytes()
    assert a != (tmp_path / "c" / "engagement_events.csv").read_bytes()


def test_every_file_has_exactly_the_contract_columns(messy: Path, tmp_path: Path) -> None:
    for name, table in raw_tables().items():
        with open(messy / f"{name}.csv", encoding="utf-8", newline="") as fh:
            assert tuple(next(csv.reader(fh))) == table.columns, name
    summary = generate(
        300, seed=1, out_dir=tmp_path, fmt="parquet", progress=False, **GENERATED_PERIOD
    )
    for name, table in raw_tables().items():
        parquet = pq.read_table(tmp_path / f"{name}.parquet")
        assert tuple(parquet.column_names) == table.columns, name
        assert parquet.num_rows == summary["tables"][name]["rows"]


def test_rows_written_match_the_summary(messy: Path) -> None:
    summary = _mess(messy)
    for name in raw_tables():
        assert len(_rows(messy / f"{name}.csv")) == summary["tables"][name]["rows"], name
    assert summary["n_leads"] == 1500 and summary["seed"] == 3


def test_vocabularies_follow_the_seeds(messy: Path) -> None:
    leads = _rows(messy / "leads.csv")
    assert {r["lead_source"] for r in leads} <= set(V.LEAD_SOURCES)
    statuses = {r["status"] for r in _rows(messy / "lead_status_changes.csv")}
    assert statuses <= set(V.lead_statuses())
    assert {"marketing_qualified", "sales_accepted", "sales_rejected"} <= statuses
    usage = _rows(messy / "product_usage_events.csv")
    assert {r["event_type"] for r in usage} <= set(V.product_usage_event_types())
    trial = {r["lead_id"] for r in leads if r["lead_source"] == "free_trial"}
    assert {r["lead_id"] for r in usage} <= trial
    assert 0.08 < len(trial) / len(leads) < 0.17
    opps = _rows(messy / "opportunities.csv")
    assert {r["stage"] for r in opps} <= {
        "discovery",
        "proposal",
        "negotiation",
        "closed_won",
        "closed_lost",
    }
    for r in opps:
        closed = r["stage"].startswith("closed_")
        assert bool(r["closed_at"]) == closed and bool(r["is_won"]) == closed
    acts = _rows(messy / "sales_activities.csv")
    assert {r["activity_type"] for r in acts} <= set(V.SALES_ACTIVITY_TYPES)
    campaigns = _rows(messy / "campaigns.csv")
    assert 30 <= len(campaigns) <= 60 and {r["channel"] for r in campaigns} == set(V.CHANNELS)
    domains = {r["domain"] for r in _rows(messy / "accounts.csv")}
    assert domains & set(COMPETITOR_DOMAINS)
    free = sum(r["email"].strip().lower().split("@")[1] in V.free_mail_domains() for r in leads)
    assert 0.10 < free / len(leads) < 0.30


def test_stage_moments_are_ordered_within_each_cycle(messy: Path) -> None:
    cycles = _rows(messy / "ground_truth" / "mql_cycles_truth.csv")
    assert cycles
    for c in cycles:
        if c["is_contradictory"] == "true":
            continue
        moments = [c[s] for s in STAGES if c[s]]
        closed = c["closed_won_at"] or c["closed_lost_at"]
        moments += [closed] if closed else []
        assert moments == sorted(moments), c
        if c["sales_rejected_at"]:
            assert c["first_touched_at"] <= c["sales_rejected_at"]
            assert not c["sales_accepted_at"]
        if c["recycled_at"]:
            assert c["recycled_at"] >= (c["sales_rejected_at"] or c["sales_accepted_at"])
        assert all(c[s] <= END for s in STAGES if c[s])
    by_lead = defaultdict(list)
    for c in cycles:
        by_lead[c["lead_id"]].append(c)
    for lead_cycles in by_lead.values():
        assert [int(c["cycle_number"]) for c in lead_cycles] == list(range(1, len(lead_cycles) + 1))
        for prev, nxt in zip(lead_cycles, lead_cycles[1:], strict=False):
            assert prev["recycled_at"] and nxt["marketing_qualified_at"] > prev["recycled_at"]
    assert any(c["is_inferred_mql"] == "true" and c["sales_qualified_at"] for c in cycles)


def test_status_changes_and_first_touches_match_the_truth(messy: Path) -> None:
    cycles = _rows(messy / "ground_truth" / "mql_cycles_truth.csv")
    changes = _rows(messy / "lead_status_changes.csv")
    mql = sorted(
        (r["lead_id"], r["changed_at"]) for r in changes if r["status"] == "marketing_qualified"
    )
    assert all(
        r["changed_by"] == "marketing_automation"
        for r in changes
        if not r["reason"] and r["status"] == "marketing_qualified"
    )
    expected = sorted(
        (c["lead_id"], c["marketing_qualified_at"])
        for c in cycles
        if c["is_inferred_mql"] == "false"
    )
    assert mql == expected
    activities = defaultdict(list)
    for a in _rows(messy / "sales_activities.csv"):
        activities[a["lead_id"]].append((a["occurred_at"], a["rep_id"]))
    for c in cycles:
        if not c["first_touched_at"]:
            continue
        after = [a for a in activities[c["lead_id"]] if a[0] >= c["marketing_qualified_at"]]
        assert min(after)[0] == c["first_touched_at"]
        assert (c["first_touched_at"], c["first_touch_rep_id"]) in after


def _clean_events(out: Path) -> list[dict[str, str]]:
    """The events a warehouse keeps: valid rows, exact copies dropped, earliest of an id."""
    known_leads = {r["lead_id"] for r in _rows(out / "leads.csv")}
    types = set(V.engagement_event_types())
    seen: dict[str, dict[str, str]] = {}
    for r in _rows(out / "engagement_events.csv"):
        if r["lead_id"] not in known_leads or r["event_type"] not in types:
            continue
        if not _valid_ts(r["occurred_at"]):
            continue
        kept = seen.get(r["event_id"])
        if kept is None or r["occurred_at"] < kept["occurred_at"]:
            seen[r["event_id"]] = r
    return list(seen.values())


def test_clean_events_lie_between_creation_and_end(messy: Path) -> None:
    truth = {r["lead_id"]: r for r in _rows(messy / "ground_truth" / "leads_truth.csv")}
    for e in _clean_events(messy):
        survivor = truth[e["lead_id"]]["survivor_lead_id"]
        own = truth[e["lead_id"]]["created_at"]
        assert truth[survivor]["created_at"] <= own <= e["occurred_at"] <= END
        assert e["loaded_at"] >= e["occurred_at"]


def test_mess_counts_equal_what_the_files_hold(messy: Path) -> None:
    summary = _mess(messy)
    mess = summary["tables"]["engagement_events"]["mess"]
    lines = (messy / "engagement_events.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert len(lines) - len(set(lines)) == mess["exact_duplicate"] > 0
    rows = _rows(messy / "engagement_events.csv")
    lead_ids = {r["lead_id"] for r in _rows(messy / "leads.csv")}
    types = set(V.engagement_event_types())
    assert sum(r["occurred_at"].startswith("2099") for r in rows) == mess["future_timestamp"] > 0
    unreadable = sum(r["occurred_at"] in V.UNREADABLE_TIMESTAMPS for r in rows)
    assert unreadable == mess["unreadable_timestamp"] > 0
    assert sum(r["event_type"] not in types for r in rows) == mess["unknown_event_type"] > 0
    assert sum(r["lead_id"] not in lead_ids for r in rows) == mess["unknown_lead"] > 0
    distinct = {tuple(r.values()) for r in rows}
    per_id = Counter(row[0] for row in distinct)
    assert sum(k - 1 for k in per_id.values()) == mess["conflicting_duplicate_id"] > 0
    late = 0
    for row in distinct:
        r = dict(zip(rows[0].keys(), row, strict=True))
        if _valid_ts(r["occurred_at"]):
            gap = datetime.fromisoformat(r["loaded_at"]) - datetime.fromisoformat(r["occurred_at"])
            late += gap.days >= 2
    assert late == mess["late_arriving"] > 0

    leads = _rows(messy / "leads.csv")
    lead_mess = summary["tables"]["leads"]["mess"]
    padded = sum(r["email"] != r["email"].strip() for r in leads)
    assert padded == lead_mess["padded_email"] > 0
    merged = [r for r in leads if r["merged_into_lead_id"]]
    assert len(merged) == lead_mess["merged_duplicate"] > 0
    by_id = {r["lead_id"]: r for r in leads}
    for r in merged:
        survivor = by_id[r["merged_into_lead_id"]]
        assert not survivor["merged_into_lead_id"]
        assert r["email"].lower() == survivor["email"].strip().lower() != r["email"]
    truth = _rows(messy / "ground_truth" / "leads_truth.csv")
    assert sum(t["has_padded_email"] == "true" for t in truth) == padded
    assert {t["lead_id"] for t in truth if t["is_merged_duplicate"] == "true"} == {
        r["lead_id"] for r in merged
    }

    spend = _rows(messy / "marketing_spend.csv")
    negative = sum(float(r["amount"]) < 0 for r in spend)
    assert negative == summary["tables"]["marketing_spend"]["mess"]["negative_amount"] > 0


def test_contradictory_opportunities_close_before_the_first_touch(messy: Path) -> None:
    summary = _mess(messy)
    flagged = _rows(messy / "ground_truth" / "contradictory_opportunities.csv")
    assert (
        len(flagged)
        == summary["tables"]["opportunities"]["mess"]["contradictory_closed_won_before_first_touch"]
        >= 1
    )
    opps = {r["opportunity_id"]: r for r in _rows(messy / "opportunities.csv")}
    first_touch: dict[str, str] = {}
    for a in _rows(messy / "sales_activities.csv"):
        first_touch[a["lead_id"]] = min(first_touch.get(a["lead_id"], "9"), a["occurred_at"])
    for item in flagged:
        opp = opps[item["opportunity_id"]]
        assert opp["lead_id"] == item["lead_id"] and opp["stage"] == "closed_won"
        assert opp["closed_at"] < first_touch[item["lead_id"]]
    cycles = _rows(messy / "ground_truth" / "mql_cycles_truth.csv")
    assert {c["lead_id"] for c in cycles if c["is_contradictory"] == "true"} == {
        f["lead_id"] for f in flagged
    }


def test_zero_mess_rate_gives_clean_files(clean: Path) -> None:
    summary = _mess(clean)
    for name, table in summary["tables"].items():
        assert all(v == 0 for v in table["mess"].values()), name
    assert _rows(clean / "ground_truth" / "contradictory_opportunities.csv") == []
    rows = _rows(clean / "engagement_events.csv")
    assert len({r["event_id"] for r in rows}) == len(rows)
    assert all(_valid_ts(r["occurred_at"]) for r in rows)
    assert {r["event_type"] for r in rows} <= set(V.engagement_event_types())
    leads = _rows(clean / "leads.csv")
    assert all(r["email"] == r["email"].strip().lower() for r in leads)
    assert not any(r["merged_into_lead_id"] for r in leads)
    assert all(float(r["amount"]) >= 0 for r in _rows(clean / "marketing_spend.csv"))
    assert 35 < len(rows) / len(leads) < 65
    assert all("2025-01-01" <= r["created_at"] <= "2026-08-31" for r in leads)
    assert len({r["created_at"][:7] for r in leads}) == 20


def _text(value: str) -> str | None:
    return value.strip() or None


def test_mql_moments_recomputed_with_the_reference_equal_the_truth(messy: Path) -> None:
    """Each lead's real cycle starts are its default-model MQL moments under the recycle rule:
    the first eligible scoring event, then the first one strictly after each later recycle,
    eligibility scored with the lead's status changes (a recycle resets behaviour)."""
    rules = load_rules()
    accounts = {r["account_id"]: r for r in _rows(messy / "accounts.csv")}
    truth = {r["lead_id"]: r for r in _rows(messy / "ground_truth" / "leads_truth.csv")}
    events = defaultdict(list)
    for e in _clean_events(messy):
        events[truth[e["lead_id"]]["survivor_lead_id"]].append(
            Event(
                event_id=e["event_id"],
                event_type=e["event_type"].strip().lower(),
                occurred_at=datetime.fromisoformat(e["occurred_at"]),
                properties=_text(e["properties"]),
            )
        )
    recycles, changes = defaultdict(list), defaultdict(list)
    for r in _rows(messy / "lead_status_changes.csv"):
        survivor = truth[r["lead_id"]]["survivor_lead_id"]
        changed_at = datetime.fromisoformat(r["changed_at"])
        changes[survivor].append(StatusChange(changed_at=changed_at, status=r["status"]))
        if r["status"] == "recycled":
            recycles[survivor].append(r["changed_at"])
    real, inferred = defaultdict(list), set()
    for c in _rows(messy / "ground_truth" / "mql_cycles_truth.csv"):
        if c["is_inferred_mql"] == "true":
            inferred.add(c["lead_id"])
        else:
            real[c["lead_id"]].append(c["marketing_qualified_at"])
    as_of = datetime.fromisoformat(END)
    links = Counter(r["account_id"] for r in _rows(messy / "leads.csv") if _text(r["account_id"]))
    candidates = [
        AccountCandidate(a["account_id"], _text(a["domain"]), None, links[a["account_id"]])
        for a in accounts.values()
    ]
    checked = with_recycle = matched = 0
    for lead in _rows(messy / "leads.csv"):
        lead_id = lead["lead_id"]
        if lead["merged_into_lead_id"] or lead_id in inferred:
            continue
        # a lead the CRM links to no account is matched by its email domain, as staging does
        account_id = _text(lead["account_id"]) or match_account(
            email_domain(_text(lead["email"])), candidates, rules.free_mail_domains
        )
        acc = accounts.get(account_id)
        country = _text(lead["country"]) or (_text(acc["country"]) if acc else None)
        profile = LeadProfile(
            lead_id=lead_id,
            job_title=_text(lead["job_title"]),
            email_domain=email_domain(_text(lead["email"])),
            country=country.upper() if country else None,
            industry=acc["industry"].strip().lower() if acc else None,
            employee_count=float(acc["employee_count"]) if acc else None,
            annual_revenue=float(acc["annual_revenue"]) if acc and acc["annual_revenue"] else None,
            account_country=acc["country"].strip().upper() if acc else None,
            account_domain=acc["domain"].strip().lower() if acc else None,
        )
        score = score_lead(rules, "default", profile, events[lead_id], as_of, changes[lead_id])
        eligible = [str(row.occurred_at) for row in score.history if row.is_mql_eligible]
        moments = eligible[:1]
        for r in sorted(recycles[lead_id]):
            if moments and r >= moments[-1]:
                later = [m for m in eligible if m > r]
                if later and later[0] != moments[-1]:
                    moments.append(later[0])
        assert moments == real[lead_id], lead_id
        matched += account_id is not None and not _text(lead["account_id"])
        checked += bool(moments)
        with_recycle += len(moments) > 1
    assert checked > 300 and with_recycle > 5 and matched > 20


def test_profiles_order_mql_to_sql(tmp_path: Path) -> None:
    assert set(PROFILES) == {"default", "junk", "strict"}
    rates = {}
    for name in PROFILES:
        generate(
            5000,
            seed=21,
            out_dir=tmp_path / name,
            profile=name,
            progress=False,
            **GENERATED_PERIOD,
            mess_rate=0,
        )
        rates[name] = measure_rates(tmp_path / name)
    assert rates["junk"]["mql_to_sql"] < 0.10 < rates["default"]["mql_to_sql"]
    assert rates["default"]["mql_to_sql"] < 0.30 < rates["strict"]["mql_to_sql"]
    assert rates["strict"]["lead_to_mql"] < rates["default"]["lead_to_mql"]
    assert rates["default"]["lead_to_mql"] < rates["junk"]["lead_to_mql"]
    fast = rates["default"]["mql_to_sql_touched_within_5_min"]
    assert fast > 4 * rates["default"]["mql_to_sql_touched_after_30_min"]


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="profile"):
        generate(10, 1, tmp_path, profile="nope", progress=False, **GENERATED_PERIOD)
    with pytest.raises(ValueError, match="format"):
        generate(10, 1, tmp_path, fmt="xlsx", progress=False, **GENERATED_PERIOD)


def test_chunks_continue_ids_and_conflicting_copies_come_later(tmp_path: Path) -> None:
    summary = generate(
        700, seed=4, out_dir=tmp_path, chunk_size=250, progress=False, **GENERATED_PERIOD
    )
    assert summary["tables"]["accounts"]["rows"] == 62 + 62 + 50
    for name, key in (
        ("leads", "lead_id"),
        ("accounts", "account_id"),
        ("sales_activities", "activity_id"),
        ("lead_status_changes", "change_id"),
        ("opportunities", "opportunity_id"),
        ("product_usage_events", "event_id"),
    ):
        values = [r[key] for r in _rows(tmp_path / f"{name}.csv")]
        assert len(values) == len(set(values)), name
    by_id = defaultdict(set)
    for r in _rows(tmp_path / "engagement_events.csv"):
        by_id[r["event_id"]].add((r["occurred_at"], r["lead_id"], r["page_url"], r["properties"]))
    conflicts = [sorted(v) for v in by_id.values() if len(v) > 1]
    assert (
        len(conflicts) == summary["tables"]["engagement_events"]["mess"]["conflicting_duplicate_id"]
    )
    for first, copy in conflicts:
        assert first[0] < copy[0] and first[1] == copy[1]
        assert first[2] != copy[2] and first[3] != copy[3]
        gap = datetime.fromisoformat(copy[0]) - datetime.fromisoformat(first[0])
        assert 60 <= gap.total_seconds() <= 7200


def test_the_default_period_ends_today(tmp_path: Path) -> None:
    from datetime import timedelta, timezone

    before = datetime.now(timezone.utc).date()
    summary = generate(20, seed=1, out_dir=tmp_path, progress=False, mess_rate=0.0)
    after = datetime.now(timezone.utc).date()
    end = datetime.strptime(summary["end_date"], "%Y-%m-%d").date()
    assert end in {before, after}
    assert summary["start_date"] == (end - timedelta(days=637)).isoformat()
    # the data runs up to the end: spend is booked until a few days before it
    spend = [r["spend_date"] for r in _rows(tmp_path / "marketing_spend.csv")]
    latest = max(datetime.strptime(d, "%Y-%m-%d").date() for d in spend)
    assert end - timedelta(days=7) < latest < end
