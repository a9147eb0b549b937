"""HubSpot adapters: the Fivetran HubSpot tables built end to end into the funnel.

The fixture (tests/fixtures/connectors/hubspot/hubspot/) is in the connector's own shape, values
made up. Its story, from which every expected value below was worked out by hand:

- Contacts 101 <- 102 <- 103: 101 lists 102;103 as merged into it, 102 (still a row, flagged
  _fivetran_deleted as Fivetran does for merged-away contacts) lists 103, and 103 is no longer
  a row. 201 <- 202 <- 203: 201 lists 202 only, 202 (a live row) lists 203, 203 is gone.
  History, events and an engagement point at the merged-away ids; all of it lands on 101 / 201.
- 104 is deleted in HubSpot: its contact row, history, email event, form submission and call are
  dropped; as a deal contact it is skipped.
- 105 is recycled: lead -> MQL -> SQL -> (cleared) -> lead, which is a recycle, then MQL again
  and a deal in a custom pipeline whose closed stage has probability 1 (won on a date-only
  close date). 108 is recycled by hs_lead_status BAD_TIMING and has an unknown lead status
  WAITING_ON_BUDGET and a change with an unreadable timestamp.
- 107 has no MQL: a call, then lifecycle opportunity and a closedwon deal entered at 16:00
  (deal_stage), so its cycle is inferred.
- Deals 4003 (_fivetran_deleted) and 4004 (is_deleted) are deleted; 4005 is open with an expected
  close date; 4006 is closed lost.
- Email events SENT, DELIVERED, PROCESSED and a non-unsubscribe STATUS_CHANGE are dropped, a
  filtered open too; an unknown type REPLY and an address no contact has are quarantined.
- Times: an offset (+01:00), a Z suffix and epoch milliseconds are read as UTC.

The main build reads both halves from HubSpot (MQLs from the CRM's statuses, var mql_source
crm, so HubSpot's lifecycle MQLs open the cycles). A second, smaller build reads the CRM from
the contract's leads.csv and only marketing from HubSpot: events then find the CRM's lead by
email. The framework's unit tests of the base models do not compile while a connector is
chosen, so both builds leave unit tests out.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from lead_funnel.dbt_runner import run_dbt
from tests.conftest import FIXTURES, build_warehouse, keyed_hash, query

pytestmark = pytest.mark.slow

RAW = FIXTURES / "connectors" / "hubspot"
AS_OF = "2026-06-30 00:00:00"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.fixture(scope="module")
def hubspot_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db_path = tmp_path_factory.mktemp("connector_hubspot") / "lead_funnel.duckdb"
    return build_warehouse(
        RAW,
        db_path,
        dbt_vars={
            "crm_source": "hubspot",
            "marketing_source": "hubspot",
            "mql_source": "crm",
            "score_as_of": AS_OF,
        },
    )


@pytest.fixture(scope="module")
def marketing_only_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db_path = tmp_path_factory.mktemp("connector_hubspot_marketing") / "lead_funnel.duckdb"
    run_dbt(
        [
            "build",
            "--indirect-selection",
            "cautious",
            "--select",
            "+audit_quarantined_rows",
            "+audit_connector_reconciliation",
            "+audit_raw_reconciliation",
        ],
        raw_dir=RAW,
        duckdb_path=db_path,
        dbt_vars={"marketing_source": "hubspot", "score_as_of": AS_OF},
        quiet=True,
    )
    return db_path


# --- leads and merges -------------------------------------------------------------------------


def test_staged_leads_and_their_survivors(hubspot_warehouse: Path) -> None:
    rows = query(
        hubspot_warehouse,
        "select lead_id, survivor_lead_id, merge_depth from intermediate.int_leads_resolved",
    )
    assert sorted(rows) == [
        ("101", "101", 0),
        ("102", "101", 1),
        # listed by 101 and by 102: merged into 101, the contact not itself merged away
        ("103", "101", 1),
        ("105", "105", 0),
        ("106", "106", 0),
        ("107", "107", 0),
        ("108", "108", 0),
        ("201", "201", 0),
        ("202", "201", 1),
        # listed by 202 only: the chain runs 203 -> 202 -> 201
        ("203", "201", 2),
    ]
    # the deleted contact 104 is no lead at all, not even quarantined
    assert query(hubspot_warehouse, "select count(*) from staging.base_crm__leads")[0][0] == 10


def test_merged_away_contacts_that_are_gone_get_a_lead_of_their_own(
    hubspot_warehouse: Path,
) -> None:
    rows = query(
        hubspot_warehouse,
        """select lead_id, merged_into_lead_id, email, created_at
           from staging.stg_crm__leads where lead_id in ('102', '103', '202', '203')""",
    )
    assert sorted(rows) == [
        ("102", "101", "alice.old@acme.com", at("2026-01-08 08:00:00")),
        # the earliest of its own history (lead at 01-05 08:00) and 101's creation
        ("103", "101", None, at("2026-01-05 08:00:00")),
        ("202", "201", "bob.b@globex.io", at("2026-01-18 08:00:00")),
        # its MQL at 01-16 12:00 is earlier than 202's creation
        ("203", "202", None, at("2026-01-16 12:00:00")),
    ]


def test_timestamps_are_read_as_utc(hubspot_warehouse: Path) -> None:
    leads = dict(query(hubspot_warehouse, "select lead_id, created_at from staging.stg_crm__leads"))
    assert leads["105"] == at("2026-01-15 09:30:00")  # 2026-01-15T10:30:00+01:00
    assert leads["106"] == at("2026-01-01 10:00:00")  # 1767261600000 ms
    accounts = dict(
        query(hubspot_warehouse, "select account_id, created_at from staging.stg_crm__accounts")
    )
    assert accounts == {"501": at("2026-01-05 09:00:00"), "503": at("2026-01-05 10:00:00")}
    events = dict(
        query(
            hubspot_warehouse,
            "select event_id, occurred_at from staging.stg_marketing__engagement_events",
        )
    )
    assert events["email:600015"] == at("2026-02-04 10:00:00")  # 1770199200000 ms
    assert events["form:c-3"] == at("2026-01-31 10:00:00")  # 1769853600000 ms


# --- status history ---------------------------------------------------------------------------


def test_status_history_per_lead_in_order(hubspot_warehouse: Path) -> None:
    rows = query(
        hubspot_warehouse,
        """select lead_id, status, changed_at, changed_by, reason
           from staging.stg_crm__lead_status_changes order by lead_id, changed_at, status""",
    )
    history: dict[str, list[tuple]] = {}
    for lead_id, status, changed_at, changed_by, reason in rows:
        history.setdefault(lead_id, []).append((status, changed_at, changed_by, reason))
    recycle = "lifecyclestage moved back from salesqualifiedlead to lead"
    assert history == {
        # user 7001 is owner 9001; a workflow (source_id 555) is nobody
        "101": [
            ("sales_accepted", at("2026-01-22 11:00:00"), "9001", None),
            ("marketing_qualified", at("2026-02-01 10:00:00"), None, None),
        ],
        "102": [("marketing_qualified", at("2026-01-20 10:00:00"), None, None)],
        # source_id given as the owner's email
        "103": [("sales_qualified", at("2026-01-25 09:00:00"), "9001", None)],
        "105": [
            ("marketing_qualified", at("2026-02-01 09:00:00"), None, None),
            ("sales_accepted", at("2026-02-02 10:00:00"), "9001", None),
            ("sales_qualified", at("2026-02-10 09:00:00"), "9001", None),
            ("recycled", at("2026-03-01 09:00:00"), "9001", recycle),
            ("marketing_qualified", at("2026-04-01 09:00:00"), None, None),
            ("sales_qualified", at("2026-04-05 10:00:00"), None, None),
            ("sales_qualified", at("2026-04-15 00:00:00"), None, None),
        ],
        "107": [
            ("sales_qualified", at("2026-03-05 10:00:00"), None, None),
            ("sales_qualified", at("2026-03-20 16:00:00"), None, None),
        ],
        "108": [
            ("marketing_qualified", at("2026-02-11 09:00:00"), None, None),
            ("recycled", at("2026-02-20 09:00:00"), "9001", None),
        ],
        "201": [("disqualified", at("2026-02-15 10:00:00"), "9002", None)],
        "202": [("sales_accepted", at("2026-01-19 10:00:00"), "9002", None)],
        "203": [("marketing_qualified", at("2026-01-16 12:00:00"), None, None)],
    }


def test_property_history_rows_dropped_and_why(hubspot_warehouse: Path) -> None:
    rows = query(
        hubspot_warehouse,
        """select contact_id, property_name, property_value, changed_at, drop_reason
           from staging.stg_hubspot__status_history_classified where outcome = 'dropped'""",
    )
    assert sorted(rows, key=lambda r: (r[0], r[3])) == [
        ("101", "lifecyclestage", "lead", "2026-01-10 09:00:00", "not_a_funnel_status"),
        ("101", "email", "alice@acme.com", "2026-01-10 09:00:00", "not_a_status_property"),
        ("102", "lifecyclestage", "subscriber", "2026-01-08 08:00:00", "not_a_funnel_status"),
        ("103", "lifecyclestage", "lead", "2026-01-05 08:00:00", "not_a_funnel_status"),
        (
            "104",
            "lifecyclestage",
            "marketingqualifiedlead",
            "2026-02-05 09:00:00",
            "contact_deleted_in_source",
        ),
        ("105", "lifecyclestage", "lead", "2026-01-15 09:30:00", "not_a_funnel_status"),
        ("105", "lifecyclestage", None, "2026-03-01 08:59:00", "value_cleared"),
        ("106", "lifecyclestage", "subscriber", "2026-01-01 10:00:00", "not_a_funnel_status"),
        ("106", "lifecyclestage", "lead", "2026-01-02 10:00:00", "not_a_funnel_status"),
        # back to subscriber, but from lead: not a recycle
        ("106", "lifecyclestage", "subscriber", "2026-01-03 10:00:00", "not_a_funnel_status"),
        ("201", "lifecyclestage", "lead", "2026-01-20 10:00:00", "not_a_funnel_status"),
    ]


# --- lifecycle marts --------------------------------------------------------------------------


def test_mql_cycles(hubspot_warehouse: Path) -> None:
    rows = query(
        hubspot_warehouse,
        """select lead_id, cycle_number, is_inferred_mql, marketing_qualified_at,
                  first_touched_at, first_touch_rep_id, sales_accepted_at, sales_qualified_at,
                  recycled_at, disqualified_at, opportunity_id, opportunity_created_at,
                  closed_won_at, closed_lost_at
           from marts.fct_mql_cycles where scoring_model = 'default'
           order by lead_id, cycle_number""",
    )
    t = at
    assert rows == [
        # 102's MQL opens 101's cycle; 101's own acceptance and 103's SQL fall in it; 101's
        # own MQL on 02-01 opens none (no recycle in between); deal 4003 was deleted
        ("101", 1, False, t("2026-01-20 10:00:00"), None, None, t("2026-01-22 11:00:00"),
         t("2026-01-25 09:00:00"), None, None, None, None, None, None),
        ("105", 1, False, t("2026-02-01 09:00:00"), t("2026-02-02 09:30:00"), "9001",
         t("2026-02-02 10:00:00"), t("2026-02-10 09:00:00"), t("2026-03-01 09:00:00"), None,
         None, None, None, None),
        # after the recycle: MQL again, the call with the empty type, the won deal 4002
        # (custom pipeline, closed with probability 1, date-only close date: midnight UTC)
        ("105", 2, False, t("2026-04-01 09:00:00"), t("2026-04-02 11:00:00"), "9002", None,
         t("2026-04-05 10:00:00"), None, None, "4002", t("2026-04-05 10:00:00"),
         t("2026-04-15 00:00:00"), None),
        # no MQL: inferred at the call before the SQL; won when closedwon was entered (16:00),
        # not at property_closedate (00:00)
        ("107", 1, True, t("2026-03-04 15:00:00"), t("2026-03-04 15:00:00"), "9002", None,
         t("2026-03-05 10:00:00"), None, None, "4001", t("2026-03-05 10:00:00"),
         t("2026-03-20 16:00:00"), None),
        ("108", 1, False, t("2026-02-11 09:00:00"), t("2026-02-12 10:00:00"), "9001", None,
         None, t("2026-02-20 09:00:00"), None, None, None, None, None),
        # 203's MQL, 203's meeting, 202's acceptance, 201's disqualification, 201's open deal
        ("201", 1, False, t("2026-01-16 12:00:00"), t("2026-01-18 14:00:00"), "9001",
         t("2026-01-19 10:00:00"), None, None, t("2026-02-15 10:00:00"), "4005",
         t("2026-02-01 11:00:00"), None, None),
    ]  # fmt: skip


def test_stage_history_of_the_recycled_lead(hubspot_warehouse: Path) -> None:
    rows = query(
        hubspot_warehouse,
        """select cycle_number, stage, valid_from from marts.fct_lead_stage_history
           where scoring_model = 'default' and lead_id = '105' order by entry_sequence""",
    )
    assert rows == [
        (None, "lead", at("2026-01-15 09:30:00")),
        (1, "mql", at("2026-02-01 09:00:00")),
        (1, "sal", at("2026-02-02 10:00:00")),
        (1, "sql", at("2026-02-10 09:00:00")),
        (1, "recycled", at("2026-03-01 09:00:00")),
        (2, "mql", at("2026-04-01 09:00:00")),
        (2, "sql", at("2026-04-05 10:00:00")),
        (2, "opportunity", at("2026-04-05 10:00:00")),
        (2, "won", at("2026-04-15 00:00:00")),
    ]


def test_merged_away_history_is_on_the_survivors_timeline(hubspot_warehouse: Path) -> None:
    rows = query(
        hubspot_warehouse,
        """select lead_id, touch_kind, source_record_id from marts.fct_lead_timeline
           where lead_id in ('101', '201') order by lead_id, touch_sequence""",
    )
    assert rows == [
        ("101", "email_open", "email:600005"),  # to 102's address
        ("101", "marketing_qualified", "102:lifecyclestage:2026-01-20 10:00:00"),
        ("101", "email_open", "email:600006"),  # to 101's additional address
        ("101", "sales_accepted", "101:hs_lead_status:2026-01-22 11:00:00"),
        ("101", "form_submit", "form:c-1"),  # by 103, no longer a contact
        ("101", "sales_qualified", "103:lifecyclestage:2026-01-25 09:00:00"),
        ("101", "marketing_qualified", "101:lifecyclestage:2026-02-01 10:00:00"),
        ("201", "marketing_qualified", "203:lifecyclestage:2026-01-16 12:00:00"),
        ("201", "email_open", "email:600016"),
        ("201", "meeting", "3201:203"),  # with 203, no longer a contact
        ("201", "sales_accepted", "202:hs_lead_status:2026-01-19 10:00:00"),
        ("201", "opportunity_created", "4005"),
        ("201", "disqualified", "201:hs_lead_status:2026-02-15 10:00:00"),
        ("201", "opportunity_created", "4006"),  # 202's deal
        ("201", "opportunity_lost", "4006"),
    ]


# --- opportunities, activities, events --------------------------------------------------------


def test_opportunities(hubspot_warehouse: Path) -> None:
    rows = query(
        hubspot_warehouse,
        """select opportunity_id, account_id, lead_id, stage, amount, closed_at, is_won
           from staging.stg_crm__opportunities order by opportunity_id""",
    )
    assert rows == [
        # primary company 503 over 501; contact 104 (created earlier) is deleted, so 107
        ("4001", "503", "107", "closed won", 12000, at("2026-03-20 16:00:00"), True),
        # two contacts: 105 was created first
        ("4002", "501", "105", "signed", 8000.5, at("2026-04-15 00:00:00"), True),
        # open: no close although a close date is set; its only company is deleted
        ("4005", None, "201", "appointment scheduled", 4000, None, None),
        ("4006", None, "202", "closed lost", 2500, at("2026-03-10 12:00:00"), False),
    ]


def test_sales_activities(hubspot_warehouse: Path) -> None:
    rows = query(
        hubspot_warehouse,
        """select activity_id, lead_id, rep_id, activity_type, occurred_at
           from staging.stg_sales__activities order by activity_id""",
    )
    assert rows == [
        ("3001:105", "105", "9001", "call", at("2026-02-02 09:30:00")),
        ("3003:107", "107", "9002", "call", at("2026-03-04 15:00:00")),
        # no type and no hs_timestamp: the table's type and the record's creation
        ("3005:105", "105", "9002", "call", at("2026-04-02 11:00:00")),
        # one email to two contacts touches both
        ("3101:105", "105", "9001", "email", at("2026-02-12 10:00:00")),
        ("3101:108", "108", "9001", "email", at("2026-02-12 10:00:00")),
        ("3201:203", "203", "9001", "meeting", at("2026-01-18 14:00:00")),
    ]


def test_engagement_events(hubspot_warehouse: Path) -> None:
    rows = query(
        hubspot_warehouse,
        """select event_id, lead_id, event_type, campaign_id, page_url
           from staging.stg_marketing__engagement_events order by event_id""",
    )
    assert rows == [
        ("email:600003", "105", "email_open", "801", None),  # Dave@Acme.com
        ("email:600004", "105", "email_click", "801", "https://acme.example/pricing"),
        ("email:600005", "102", "email_open", "801", None),
        ("email:600006", "101", "email_open", "802", None),
        ("email:600007", "106", "email_bounce", "801", None),
        ("email:600008", "106", "unsubscribe", "801", None),
        ("email:600015", "108", "email_open", "802", None),
        ("email:600016", "202", "email_open", "802", None),
        ("form:c-1", "103", "form_submit", None, "https://acme.example/demo"),
        ("form:c-3", "105", "form_submit", None, "https://acme.example/newsletter"),
    ]
    campaigns = query(
        hubspot_warehouse, "select * from staging.stg_marketing__campaigns order by campaign_id"
    )
    assert campaigns == [("801", "January newsletter", "email"), ("802", "Webinar invite", "email")]


# --- quarantine and reconciliation ------------------------------------------------------------


def test_quarantined_rows_and_reasons(hubspot_warehouse: Path) -> None:
    rows = query(
        hubspot_warehouse,
        "select source_table, record_key, rejection_reason from audit.audit_quarantined_rows",
    )
    assert sorted(rows) == [
        ("accounts", "505", "invalid_number"),  # employees 'many'
        ("engagement_events", "email:600011", "unknown_lead"),  # an address no contact has
        ("engagement_events", "email:600012", "unknown_event_type"),  # REPLY
        ("engagement_events", "form:c-4", "unknown_lead"),  # contact 999
        ("lead_status_changes", "108:hs_lead_status:2026-02-12 09:00:00", "unknown_status"),
        ("lead_status_changes", "108:hs_lead_status:not a time", "unreadable_timestamp"),
        ("lead_status_changes", "999:lifecyclestage:2026-02-01 00:00:00", "unknown_lead"),
    ]
    unknown = query(
        hubspot_warehouse,
        """select lead_id from staging.base_marketing__engagement_events
           where event_id = 'email:600011'""",
    )
    # the address is hashed, never written into the id
    assert unknown[0][0].startswith("hubspot:recipient:")
    assert "nowhere" not in unknown[0][0]


def test_row_outcomes(hubspot_warehouse: Path) -> None:
    rows = query(
        hubspot_warehouse,
        """select connector_table, contract_table, outcome, reason, row_count, connector_rows
           from staging.stg_hubspot__crm_row_outcomes
           union all
           select connector_table, contract_table, outcome, reason, row_count, connector_rows
           from staging.stg_hubspot__marketing_row_outcomes""",
    )
    assert sorted(rows, key=lambda r: (r[0], r[2], r[3] or "")) == [
        ("company", None, "dropped", "deleted_in_source", 2, 5),
        ("company", "accounts", "mapped", None, 3, 5),
        ("contact", None, "dropped", "deleted_in_source", 1, 9),
        ("contact", "leads", "mapped", None, 8, 9),
        ("contact_form_submission", None, "dropped", "contact_deleted_in_source", 1, 4),
        ("contact_form_submission", "engagement_events", "mapped", None, 3, 4),
        ("contact_property_history", None, "dropped", "contact_deleted_in_source", 1, 32),
        ("contact_property_history", None, "dropped", "not_a_funnel_status", 8, 32),
        ("contact_property_history", None, "dropped", "not_a_status_property", 1, 32),
        ("contact_property_history", None, "dropped", "value_cleared", 1, 32),
        ("contact_property_history", "lead_status_changes", "mapped", None, 21, 32),
        ("deal", None, "dropped", "deleted_in_source", 2, 6),
        ("deal", "opportunities", "mapped", None, 4, 6),
        ("email_campaign", "campaigns", "mapped", None, 2, 2),
        ("email_event", None, "dropped", "contact_deleted_in_source", 1, 16),
        ("email_event", None, "dropped", "filtered_in_source", 1, 16),
        # SENT, DELIVERED, PROCESSED and a STATUS_CHANGE to SUBSCRIBED
        ("email_event", None, "dropped", "not_a_contract_event_type", 4, 16),
        ("email_event", "engagement_events", "mapped", None, 10, 16),
        ("engagement_call", None, "dropped", "contact_deleted_in_source", 1, 5),
        ("engagement_call", None, "dropped", "deleted_in_source", 1, 5),
        ("engagement_call", "sales_activities", "mapped", None, 3, 5),
        ("engagement_email", None, "dropped", "not_a_sales_touch", 1, 2),  # INCOMING_EMAIL
        ("engagement_email", "sales_activities", "mapped", None, 1, 2),
        ("engagement_meeting", None, "dropped", "no_associated_contact", 1, 2),
        ("engagement_meeting", "sales_activities", "mapped", None, 1, 2),
        ("engagement_note", None, "dropped", "not_a_sales_touch", 1, 1),
        ("engagement_task", None, "dropped", "not_a_sales_touch", 1, 1),
    ]


def test_raw_and_connector_reconciliation(hubspot_warehouse: Path) -> None:
    raw = query(
        hubspot_warehouse,
        """select source_table, raw_rows, staged_rows, quarantined_rows, is_reconciled
           from audit.audit_raw_reconciliation order by source_table""",
    )
    assert raw == [
        ("accounts", 3, 2, 1, True),
        ("campaigns", 2, 2, 0, True),
        ("engagement_events", 13, 10, 3, True),
        ("lead_status_changes", 21, 18, 3, True),
        ("leads", 10, 10, 0, True),
        ("marketing_spend", 0, 0, 0, True),
        ("opportunities", 4, 4, 0, True),
        ("product_usage_events", 0, 0, 0, True),
        ("sales_activities", 6, 6, 0, True),
    ]
    connector = query(
        hubspot_warehouse,
        """select connector_table, connector_rows, mapped_rows, dropped_rows, is_reconciled
           from audit.audit_connector_reconciliation where connector = 'hubspot'
           order by connector_table""",
    )
    assert connector == [
        ("company", 5, 3, 2, True),
        ("contact", 9, 8, 1, True),
        ("contact_form_submission", 4, 3, 1, True),
        ("contact_property_history", 32, 21, 11, True),
        ("deal", 6, 4, 2, True),
        ("email_campaign", 2, 2, 0, True),
        ("email_event", 16, 10, 6, True),
        ("engagement_call", 5, 3, 2, True),
        ("engagement_email", 2, 1, 1, True),
        ("engagement_meeting", 2, 1, 1, True),
        ("engagement_note", 1, 0, 1, True),
        ("engagement_task", 1, 0, 1, True),
    ]


# --- marketing from HubSpot, CRM from files ---------------------------------------------------


def test_events_find_the_crm_lead_by_email(marketing_only_warehouse: Path) -> None:
    rows = query(
        marketing_only_warehouse,
        "select event_id, lead_id from staging.stg_hubspot__engagement_events order by event_id",
    )
    assert rows == [
        ("email:600003", "SF2"),  # Dave@Acme.com = ' Dave@ACME.com '
        ("email:600004", "SF2"),
        ("email:600005", "SF1"),  # 102's address: no CRM lead; its survivor 101's address
        ("email:600006", "SF1"),  # 101's additional address: 101's primary address
        ("email:600007", "hubspot:106"),  # no CRM lead: the HubSpot contact's id
        ("email:600008", "hubspot:106"),
        ("email:600011", "hubspot:recipient:" + keyed_hash("stranger@nowhere.net")),
        ("email:600012", "SF2"),
        ("email:600015", "hubspot:108"),
        # 202 -> 201, whose address two CRM leads share: the one not merged away
        ("email:600016", "SF5"),
        ("form:c-1", "SF1"),  # 103 is gone: its survivor's address
        ("form:c-3", "SF2"),
        ("form:c-4", "hubspot:999"),
    ]
    quarantined = query(
        marketing_only_warehouse,
        "select record_key, rejection_reason from audit.audit_quarantined_rows",
    )
    assert sorted(quarantined) == [
        ("email:600007", "unknown_lead"),
        ("email:600008", "unknown_lead"),
        ("email:600011", "unknown_lead"),
        ("email:600012", "unknown_event_type"),
        ("email:600015", "unknown_lead"),
        ("form:c-4", "unknown_lead"),
    ]
    connector = query(
        marketing_only_warehouse,
        """select connector_table, connector_rows, mapped_rows, dropped_rows, is_reconciled
           from audit.audit_connector_reconciliation order by connector_table""",
    )
    # only the marketing half's tables: the CRM tables are not read
    assert connector == [
        ("contact_form_submission", 4, 3, 1, True),
        ("email_campaign", 2, 2, 0, True),
        ("email_event", 16, 10, 6, True),
    ]
    raw = dict(
        query(
            marketing_only_warehouse,
            "select source_table, is_reconciled from audit.audit_raw_reconciliation",
        )
    )
    assert all(raw.values()) and raw.keys() >= {"leads", "engagement_events", "campaigns"}
