"""The Salesforce adapter (var crm_source salesforce), built end to end on a made-up fixture.

tests/fixtures/connectors/salesforce/ holds the connector's tables in its own column names
(salesforce/<table>.csv) beside the contract files the CRM does not supply
(engagement_events.csv and campaigns.csv, keyed by Salesforce lead and campaign ids). The
fixture's leads (ids 00Q01 ... 00Q10):

- 00Q01 converted (account 001A1, contact 003C1, opportunity 006O1 won): its history lacks
  'Closed - Converted', so the adapter adds it on converted_date; a task and an event on its
  contact count as its touches; a deleted Status row (to Nurturing) is no recycle.
- 00Q02 survives two merges: 00Q03 (deleted, master 00Q02) and 00Q04 (deleted, master 00Q03):
  a chain; 00Q04's demo request, 00Q03's page view and status change move to 00Q02.
- 00Q05 is recycled (Nurturing) and qualifies again.
- 00Q06 goes to an unknown status ('Waiting on Legal') and gets a task of an unknown type.
- 00Q07 is deleted (not merged): dropped with its history and task; its event is quarantined.
- 00Q08 has no history: its current status is its creation status.
- 00Q09 converted with 'Closed - Converted' in its history; its opportunity is deleted.
- 00Q10 converted the day it was created, to the org's converted status 'Qualified'.

Every expected value below was worked out by hand from those rows.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, build_warehouse, query

pytestmark = pytest.mark.slow

RAW_DIR = FIXTURES / "connectors" / "salesforce"
SCORE_AS_OF = "2025-06-30 00:00:00"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db_path = tmp_path_factory.mktemp("connector_salesforce") / "lead_funnel.duckdb"
    return build_warehouse(
        RAW_DIR,
        db_path,
        dbt_vars={"crm_source": "salesforce", "score_as_of": SCORE_AS_OF},
    )


def test_deleted_leads_are_dropped_and_merged_ones_resolve_to_their_survivor(
    warehouse: Path,
) -> None:
    survivors = dict(
        query(warehouse, "select lead_id, survivor_lead_id from intermediate.int_leads_resolved")
    )
    assert survivors == {
        "00Q01": "00Q01",
        "00Q02": "00Q02",
        "00Q03": "00Q02",
        # a chain of two merges: 00Q04 -> 00Q03 -> 00Q02
        "00Q04": "00Q02",
        "00Q05": "00Q05",
        "00Q06": "00Q06",
        "00Q08": "00Q08",
        "00Q09": "00Q09",
        "00Q10": "00Q10",
    }
    depth = dict(
        query(warehouse, "select lead_id, merge_depth from intermediate.int_leads_resolved")
    )
    assert (depth["00Q03"], depth["00Q04"]) == (1, 2)
    merged = dict(
        query(warehouse, "select lead_id, merged_into_lead_id from staging.stg_salesforce__leads")
    )
    assert {k: v for k, v in merged.items() if v} == {"00Q03": "00Q02", "00Q04": "00Q03"}
    # 00Q07 was deleted without a merge: not a lead at all
    assert "00Q07" not in merged


def test_lead_columns_come_from_the_lead_table(warehouse: Path) -> None:
    rows = {
        r[0]: r[1:]
        for r in query(
            warehouse,
            """select lead_id, account_id, email, job_title, country, lead_source, campaign_id,
                      created_at, updated_at
               from staging.stg_salesforce__leads""",
        )
    }
    # converted: the account it was converted into; the earliest live campaign membership
    # (00v01 at 09:00:05; the deleted 00v03 at 08:00 does not count); lead source unchanged;
    # '...000Z' and '...+0000' read as UTC
    assert rows["00Q01"] == (
        "001A1",
        "Ada.Lovelace@Acme.com",
        "VP Marketing",
        "US",
        "Web",
        "701C1",
        "2025-01-06 09:00:00",
        "2025-01-20 15:00:00",
    )
    # no country code: the country as entered; no last_modified_date: the sync time
    assert rows["00Q08"] == (
        None,
        "hedy@gmail.com",
        "Engineer",
        "Germany",
        "Partner Referral",
        None,
        "2025-04-10 10:00:00",
        "2025-06-01 00:00:00",
    )
    # '+00:00' suffix
    assert rows["00Q09"][0] == "001A2"
    assert rows["00Q09"][6] == "2025-04-01 09:00:00"
    campaigns = {k: v[5] for k, v in rows.items() if v[5]}
    assert campaigns == {"00Q01": "701C1", "00Q03": "701C1", "00Q05": "701C2"}
    staged = dict(query(warehouse, "select lead_id, lead_source from staging.stg_crm__leads"))
    assert len(staged) == 9
    assert staged["00Q02"] == "partner referral"


def test_accounts_domain_and_timestamps(warehouse: Path) -> None:
    rows = {
        r[0]: r[1:]
        for r in query(
            warehouse,
            """select account_id, domain, employee_count, annual_revenue, country, created_at,
                      updated_at
               from staging.stg_salesforce__accounts""",
        )
    }
    assert rows == {
        "001A1": (
            "acme.com",
            "250",
            "25000000.00",
            "US",
            "2024-12-01 09:00:00",
            "2025-01-10 10:00:00",
        ),
        # no created/last-modified date in the connection: the sync time; 5000.0 and 9.0E8
        # become plain numbers
        "001A2": (
            "globex.io",
            "5000",
            "900000000.00",
            "GB",
            "2025-05-31 23:00:00",
            "2025-05-31 23:00:00",
        ),
        # HTTP://WWW.Initech.co.uk:8080/path?x=1
        "001A4": (
            "initech.co.uk",
            "80",
            "1200000.50",
            "United Kingdom",
            "2025-01-15 08:30:00",
            "2025-05-05 16:00:00",
        ),
    }
    # 001A3 was merged away into 001A1, 001A5 deleted
    staged = {r[0] for r in query(warehouse, "select account_id from staging.stg_crm__accounts")}
    assert staged == {"001A1", "001A2", "001A4"}


def test_status_history_per_lead_in_order(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """select lead_id, change_id, status, changed_at, is_date_only
           from staging.stg_crm__lead_status_changes
           order by lead_id, changed_at, change_id""",
    )
    history: dict[str, list[tuple]] = {}
    for lead_id, *change in rows:
        history.setdefault(lead_id, []).append(tuple(change))
    assert history == {
        # creation status = the oldest Status row's old value; 017H03 (deleted) is no recycle;
        # the conversion is added on converted_date, midnight UTC, flagged as a date
        "00Q01": [
            ("lead_created:00Q01", "marketing_qualified", at("2025-01-06 09:00:00"), False),
            ("017H02", "sales_accepted", at("2025-01-08 10:00:00"), False),
            ("lead_converted:00Q01", "sales_qualified", at("2025-01-20 00:00:00"), True),
        ],
        # no history: the current status at creation
        "00Q02": [("lead_created:00Q02", "marketing_qualified", at("2025-02-03 08:00:00"), False)],
        "00Q03": [
            ("lead_created:00Q03", "marketing_qualified", at("2025-02-05 08:00:00"), False),
            ("017H05", "sales_accepted", at("2025-02-13 09:00:00"), False),
        ],
        "00Q04": [("lead_created:00Q04", "marketing_qualified", at("2025-02-06 08:00:00"), False)],
        "00Q05": [
            ("lead_created:00Q05", "marketing_qualified", at("2025-03-03 09:00:00"), False),
            ("017H06", "sales_accepted", at("2025-03-06 09:00:00"), False),
            ("017H07", "recycled", at("2025-03-10 09:00:00"), False),
            ("017H08", "sales_accepted", at("2025-04-15 09:00:00"), False),
        ],
        # 017H09 ('Waiting on Legal') is quarantined
        "00Q06": [("lead_created:00Q06", "marketing_qualified", at("2025-03-10 09:00:00"), False)],
        "00Q08": [("lead_created:00Q08", "sales_accepted", at("2025-04-10 10:00:00"), False)],
        # the history has 'Closed - Converted': nothing added
        "00Q09": [
            ("lead_created:00Q09", "marketing_qualified", at("2025-04-01 09:00:00"), False),
            ("017H11", "sales_accepted", at("2025-04-02 10:00:00"), False),
            ("017H12", "sales_qualified", at("2025-04-05 11:00:00"), False),
        ],
        # converted without history: no creation status; converted the day it was created
        # (14:00), so the conversion is dated at its creation, not at midnight before it
        "00Q10": [("lead_converted:00Q10", "sales_qualified", at("2025-05-05 14:00:00"), False)],
    }
    raw_status = dict(
        query(
            warehouse,
            "select change_id, status from staging.stg_salesforce__lead_status_changes",
        )
    )
    assert raw_status["lead_converted:00Q10"] == "Qualified"
    assert raw_status["lead_converted:00Q01"] == "Closed - Converted"


def test_mql_cycles_and_sales_moments(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """select lead_id, cycle_number, is_inferred_mql, marketing_qualified_at,
                  mql_trigger_event_id, first_touched_at, first_touch_rep_id, sales_accepted_at,
                  recycled_at, sales_qualified_at, opportunity_id, opportunity_created_at,
                  closed_won_at
           from marts.fct_mql_cycles where scoring_model = 'default'
           order by lead_id, cycle_number""",
    )
    t = at
    assert rows == [
        # demo request E01; first touch the call 00T01; SQL at the added conversion; won at
        # the stage change 017F3 (not the deleted 017F4, not close_date 2025-03-01)
        (
            "00Q01",
            1,
            False,
            t("2025-01-07 09:00:00"),
            "E01",
            t("2025-01-08 09:30:00"),
            "005U1",
            t("2025-01-08 10:00:00"),
            None,
            t("2025-01-20 00:00:00"),
            "006O1",
            t("2025-01-20 15:00:00"),
            t("2025-02-27 16:30:00"),
        ),
        # merged-away leads' history on the survivor: 00Q04's demo request and LinkedIn
        # message, 00Q03's status change
        (
            "00Q02",
            1,
            False,
            t("2025-02-12 10:00:00"),
            "E03",
            t("2025-02-12 11:00:00"),
            "005U2",
            t("2025-02-13 09:00:00"),
            None,
            None,
            None,
            None,
            None,
        ),
        # recycled, then a second cycle; the open task and the 'Other' task are no touches
        (
            "00Q05",
            1,
            False,
            t("2025-03-05 10:00:00"),
            "E04",
            t("2025-03-07 14:00:00"),
            "005U2",
            t("2025-03-06 09:00:00"),
            t("2025-03-10 09:00:00"),
            None,
            None,
            None,
            None,
        ),
        (
            "00Q05",
            2,
            False,
            t("2025-04-14 10:00:00"),
            "E05",
            None,
            None,
            t("2025-04-15 09:00:00"),
            None,
            None,
            None,
            None,
            None,
        ),
        # no MQL event: the SQL infers a cycle from the first sales moment (the SAL); the
        # event 00U04 has no start time and counts at its activity_date_time; the deleted
        # opportunity 006O2 never counts
        (
            "00Q09",
            1,
            True,
            t("2025-04-02 10:00:00"),
            None,
            t("2025-04-03 09:00:00"),
            "005U1",
            t("2025-04-02 10:00:00"),
            None,
            t("2025-04-05 11:00:00"),
            None,
            None,
            None,
        ),
        (
            "00Q10",
            1,
            True,
            t("2025-05-05 14:00:00"),
            None,
            None,
            None,
            None,
            None,
            t("2025-05-05 14:00:00"),
            None,
            None,
            None,
        ),
    ]


def test_stage_history_of_the_won_and_the_recycled_lead(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """select lead_id, cycle_number, stage, valid_from, valid_to
           from marts.fct_lead_stage_history
           where scoring_model = 'default' and lead_id in ('00Q01', '00Q05')
           order by lead_id, valid_from, stage_order""",
    )
    t = at
    assert rows == [
        ("00Q01", None, "lead", t("2025-01-06 09:00:00"), t("2025-01-07 09:00:00")),
        ("00Q01", 1, "mql", t("2025-01-07 09:00:00"), t("2025-01-08 10:00:00")),
        ("00Q01", 1, "sal", t("2025-01-08 10:00:00"), t("2025-01-20 00:00:00")),
        ("00Q01", 1, "sql", t("2025-01-20 00:00:00"), t("2025-01-20 15:00:00")),
        ("00Q01", 1, "opportunity", t("2025-01-20 15:00:00"), t("2025-02-27 16:30:00")),
        ("00Q01", 1, "won", t("2025-02-27 16:30:00"), None),
        ("00Q05", None, "lead", t("2025-03-03 09:00:00"), t("2025-03-05 10:00:00")),
        ("00Q05", 1, "mql", t("2025-03-05 10:00:00"), t("2025-03-06 09:00:00")),
        ("00Q05", 1, "sal", t("2025-03-06 09:00:00"), t("2025-03-10 09:00:00")),
        ("00Q05", 1, "recycled", t("2025-03-10 09:00:00"), t("2025-04-14 10:00:00")),
        ("00Q05", 2, "mql", t("2025-04-14 10:00:00"), t("2025-04-15 09:00:00")),
        ("00Q05", 2, "sal", t("2025-04-15 09:00:00"), None),
    ]


def test_merged_away_leads_history_moves_to_the_survivor(warehouse: Path) -> None:
    records = ["E02", "E03", "00T11", "017H05", "lead_created:00Q03", "lead_created:00Q04"]
    timeline = dict(
        query(
            warehouse,
            f"""select source_record_id, lead_id from marts.fct_lead_timeline
                where source_record_id in ({", ".join(f"'{r}'" for r in records)})""",
        )
    )
    assert timeline == dict.fromkeys(records, "00Q02")
    scores = {
        r[0]: r[1:]
        for r in query(
            warehouse,
            """select lead_id, fit_score, marketing_qualified_at from marts.fct_lead_scores
               where scoring_model = 'default'""",
        )
    }
    # merged-away leads have no score of their own
    assert "00Q03" not in scores and "00Q04" not in scores
    # fit by hand: 00Q01 VP 12 + marketing 10 + business email 5 + north america 5 + its
    # converted account (software 15, 250 employees 12) = 59; 00Q02 manager 5 + marketing 10 +
    # business email 5 + emea 3 = 23, plus the account its email domain matches (grace@globex.io:
    # Globex, manufacturing 5, 5,000 employees 10) = 38
    assert scores["00Q01"] == (59.0, at("2025-01-07 09:00:00"))
    assert scores["00Q02"] == (38.0, at("2025-02-12 10:00:00"))
    matched = query(
        warehouse,
        "select account_id, crm_account_id, account_match_method from marts.dim_leads"
        " where lead_id = '00Q02'",
    )
    assert matched == [("001A2", None, "email_domain")]


def test_sales_activities_from_tasks_and_events(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """select activity_id, lead_id, rep_id, activity_type, occurred_at
           from staging.stg_sales__activities order by activity_id""",
    )
    t = at
    assert rows == [
        # completed_date_time, not the due date
        ("00T01", "00Q01", "005U1", "call", t("2025-01-08 09:30:00")),
        # a task on contact 003C1 belongs to the lead converted into it
        ("00T02", "00Q01", "005U1", "email", t("2025-01-25 12:00:00")),
        # a type the seed does not know passes on; no completion time: the creation time
        ("00T08", "00Q06", "005U1", "demo", t("2025-03-13 15:00:00")),
        ("00T10", "00Q02", "005U2", "email", t("2025-02-13 08:45:00")),
        ("00T11", "00Q04", "005U2", "linkedin_message", t("2025-02-12 11:00:00")),
        ("00U01", "00Q05", "005U2", "meeting", t("2025-03-07 14:00:00")),
        # an event on a contact, subtype Event without a type: a meeting
        ("00U03", "00Q01", "005U1", "meeting", t("2025-01-22 16:00:00")),
        ("00U04", "00Q09", "005U1", "call", t("2025-04-03 09:00:00")),
    ]


def test_opportunities_closed_at_and_won(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """select opportunity_id, lead_id, stage, amount, is_won, is_closed, closed_at
           from staging.stg_crm__opportunities order by opportunity_id""",
    )
    assert [(r[0], r[1], r[2], float(r[3]), r[4], r[5], r[6]) for r in rows] == [
        # the stage change into Closed Won from opportunity_field_history
        ("006O1", "00Q01", "closed won", 12000.5, True, True, at("2025-02-27 16:30:00")),
        # open: no close moment, no outcome; 1.5E4 read as a number
        ("006O3", None, "proposal/price quote", 15000.0, None, False, None),
        # closed without stage history: close_date at midnight UTC
        ("006O4", None, "closed won", 3000.0, True, True, at("2025-05-02 00:00:00")),
    ]


def test_quarantined_rows_and_reasons(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """select source_table, record_key, rejection_reason
           from audit.audit_quarantined_rows order by source_table, record_key""",
    )
    assert rows == [
        # an event of the deleted lead 00Q07
        ("engagement_events", "E06", "unknown_lead"),
        ("lead_status_changes", "017H09", "unknown_status"),
        # a task whose who_id is neither a lead nor a contact
        ("sales_activities", "00T07", "unknown_lead"),
    ]


def test_row_outcomes(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """select connector_table, contract_table, outcome, reason, row_count, connector_rows
           from staging.stg_salesforce__row_outcomes
           order by connector_table, outcome desc, reason nulls first""",
    )
    assert rows == [
        ("account", "accounts", "mapped", None, 3, 5),
        ("account", None, "dropped", "deleted_in_source", 1, 5),
        ("account", None, "dropped", "merged_away", 1, 5),
        ("event", "sales_activities", "mapped", None, 3, 4),
        ("event", None, "dropped", "deleted_in_source", 1, 4),
        ("lead", "leads", "mapped", None, 9, 10),
        ("lead", None, "dropped", "deleted_in_source", 1, 10),
        ("lead_history", "lead_status_changes", "mapped", None, 8, 12),
        ("lead_history", None, "dropped", "deleted_in_source", 1, 12),
        ("lead_history", None, "dropped", "lead_deleted_in_source", 1, 12),
        ("lead_history", None, "dropped", "not_a_status_change", 2, 12),
        ("opportunity", "opportunities", "mapped", None, 3, 4),
        ("opportunity", None, "dropped", "deleted_in_source", 1, 4),
        ("task", "sales_activities", "mapped", None, 6, 13),
        ("task", None, "dropped", "contact_never_a_lead", 1, 13),
        # 00T12 (is_deleted) and 00T13 (_fivetran_deleted)
        ("task", None, "dropped", "deleted_in_source", 2, 13),
        ("task", None, "dropped", "lead_deleted_in_source", 1, 13),
        ("task", None, "dropped", "not_a_sales_touch", 1, 13),
        ("task", None, "dropped", "not_linked_to_a_person", 1, 13),
        ("task", None, "dropped", "task_not_completed", 1, 13),
    ]
    dropped = query(
        warehouse,
        """select activity_id, drop_reason from staging.base_salesforce__activities
           where drop_reason is not null order by activity_id""",
    )
    assert dropped == [
        ("00T03", "contact_never_a_lead"),
        ("00T04", "task_not_completed"),
        ("00T05", "not_a_sales_touch"),
        ("00T06", "lead_deleted_in_source"),
        ("00T09", "not_linked_to_a_person"),
        ("00T12", "deleted_in_source"),
        ("00T13", "deleted_in_source"),
        ("00U02", "deleted_in_source"),
    ]


def test_raw_reconciliation(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """select source_table, raw_rows, staged_rows, quarantined_rows, exact_duplicates_removed,
                  is_reconciled
           from audit.audit_raw_reconciliation order by source_table""",
    )
    assert rows == [
        ("accounts", 3, 3, 0, 0, True),
        ("campaigns", 3, 3, 0, 0, True),
        ("engagement_events", 7, 6, 1, 0, True),
        # 8 history rows + 8 creation statuses + 2 added conversions
        ("lead_status_changes", 18, 17, 1, 0, True),
        ("leads", 9, 9, 0, 0, True),
        ("marketing_spend", 0, 0, 0, 0, True),
        ("opportunities", 3, 3, 0, 0, True),
        ("product_usage_events", 0, 0, 0, 0, True),
        ("sales_activities", 9, 8, 1, 0, True),
    ]


def test_connector_reconciliation(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """select connector, connector_table, connector_rows, mapped_rows, dropped_rows,
                  rejected_lines, is_reconciled
           from audit.audit_connector_reconciliation order by connector_table""",
    )
    assert rows == [
        ("salesforce", "account", 5, 3, 2, 0, True),
        ("salesforce", "event", 4, 3, 1, 0, True),
        ("salesforce", "lead", 10, 9, 1, 0, True),
        ("salesforce", "lead_history", 12, 8, 4, 0, True),
        ("salesforce", "opportunity", 4, 3, 1, 0, True),
        ("salesforce", "task", 13, 6, 7, 0, True),
    ]
