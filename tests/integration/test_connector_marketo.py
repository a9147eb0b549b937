"""The Marketo adapter and the Google Ads, LinkedIn Ads and Facebook Ads spend adapters, end to end.

The fixture (tests/fixtures/connectors/marketo) holds Marketo tables in the connector's shape
(marketo/<table>.csv), the three ad connectors' report tables, and the CRM as contract files
(crm_source files). The project is built once with marketing_source marketo, all three ad
connectors as spend_source and mql_source crm (the MQL cycles come from the statuses), and
every figure below was worked out by hand from the fixture:

- Marketo leads 101 (alice@acme.com -> L1), 201 (bob -> L2), 301 (carol -> L3, deleted twice),
  401 (" Dan@Delta.com " -> L4), 501 (no CRM lead: 'marketo:501', quarantined unknown_lead).
- Merges (logged on the winner): 102 -> 101 and, earlier, 103 -> 102 (a chain); 202 and 203
  -> 201 in one activity. 102's own address is L6's, yet its history goes to the survivor, L1.
- Status (lead_describe 50 = leadStatus): L1 MQL, then Recycled logged on 102, then MQL at
  08:00+02:00, then Contacted; Known / Engaged are pre-funnel (dropped), Bogus Stage unknown.
- Spend: Google campaign 20250000111 -> 9001 (one report row written twice), 20250000222
  unmapped (one cost 'n/a'); LinkedIn 505550001 and 505550002 -> 701AA00000ABM01; Facebook
  ads 7001/7002 -> campaign ...801 -> 9003 (7001's latest ad_history version), ad 7003 unknown.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, build_warehouse, query

pytestmark = pytest.mark.slow

RAW = FIXTURES / "connectors" / "marketo"
PROJECT = Path(__file__).resolve().parents[2]
DBT_VARS = {
    "marketing_source": "marketo",
    "spend_source": ["google_ads", "linkedin_ads", "facebook_ads"],
    "score_as_of": "2025-06-30 00:00:00",
    "mql_source": "crm",
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db_path = tmp_path_factory.mktemp("connector_marketo") / "lead_funnel.duckdb"
    return build_warehouse(RAW, db_path, dbt_vars=DBT_VARS)


def test_marketo_leads_resolve_through_merges_deletes_and_email(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """select marketo_lead_id, survivor_marketo_lead_id, lead_id, is_merged_away, is_deleted
           from staging.stg_marketo__lead_identities""",
    )
    assert {r[0]: r[1:] for r in rows} == {
        "101": ("101", "L1", False, False),
        "102": ("101", "L1", True, False),
        "103": ("101", "L1", True, False),
        "201": ("201", "L2", False, False),
        "202": ("201", "L2", True, False),
        "203": ("201", "L2", True, False),
        "301": ("301", "L3", False, True),
        "401": ("401", "L4", False, False),
        "501": ("501", "marketo:501", False, False),
    }


def test_staged_events_per_lead_and_type(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """select lead_id, event_type, count(*) from staging.stg_marketing__engagement_events
           group by lead_id, event_type""",
    )
    assert {(r[0], r[1]): r[2] for r in rows} == {
        # 1001 (delivered twice: one row), 1002 of merged-away 102, 1003 of 103 (102's loser)
        ("L1", "email_open"): 3,
        ("L1", "email_click"): 1,
        ("L1", "form_submit"): 1,
        ("L2", "email_click"): 1,
        ("L2", "pricing_page_view"): 1,
        # 3002 and 3004 of merged-away 202
        ("L2", "page_view"): 2,
        ("L2", "form_submit"): 1,
        ("L2", "unsubscribe"): 1,
        ("L4", "email_open"): 1,
        ("L4", "careers_page_view"): 1,
        ("L4", "demo_request"): 1,
        # a hard and a soft bounce
        ("L4", "email_bounce"): 2,
    }
    # The deleted lead's activities and the merged-away lead's own CRM address get nothing.
    assert not query(
        warehouse,
        "select 1 from staging.stg_marketing__engagement_events where lead_id in ('L3', 'L6')",
    )


def test_event_ids_moments_campaigns_pages_and_properties(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """select event_id, lead_id, event_type, cast(occurred_at as varchar), campaign_id,
                  page_url, properties
           from staging.stg_marketing__engagement_events""",
    )
    events = {r[0]: r[1:] for r in rows}
    # Activity id 1001 exists in two tables: the table prefix keeps both.
    assert events["activity_open_email:1001"] == (
        "L1",
        "email_open",
        "2025-03-02 10:00:00",
        "9001",
        None,
        None,
    )
    assert events["activity_click_email:1001"] == (
        "L2",
        "email_click",
        "2025-03-07 11:00:00",
        # smart campaign 5002 -> program 9002, linked to Salesforce campaign 701AA00000ABM01
        "701AA00000ABM01",
        "https://www.example.com/pricing?utm_source=email",
        None,
    )
    # 23:30 at -05:00 is 04:30 UTC the next day; /Pricing matches the pattern ignoring case.
    assert events["activity_visit_webpage:3001"][1:3] == (
        "pricing_page_view",
        "2025-03-11 04:30:00",
    )
    # A Z suffix is UTC.
    assert events["activity_open_email:1006"][2] == "2025-03-06 09:00:00"
    # Form fields that are a JSON object are the properties; others (with an address) are not.
    assert events["activity_fill_out_form:4001"][1] == "demo_request"
    assert events["activity_fill_out_form:4001"][5] == '{"buying_timeline": "0-3 months"}'
    assert events["activity_fill_out_form:4003"][1] == "form_submit"
    assert events["activity_fill_out_form:4003"][5] is None
    assert len(events) == 16


def test_quarantined_rows_and_reasons(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select source_table, record_key, rejection_reason from audit.audit_quarantined_rows",
    )
    assert sorted(rows) == [
        ("engagement_events", "activity_open_email:1005", "unknown_lead"),
        ("engagement_events", "activity_visit_webpage:3005", "unreadable_timestamp"),
        ("lead_status_changes", "marketo:9107", "unknown_status"),
        ("lead_status_changes", "marketo:9109", "unknown_lead"),
        ("marketing_spend", "google_ads:20250000222", "invalid_number"),
    ]
    raw_record = query(
        warehouse,
        """select raw_record from audit.audit_quarantined_rows
           where record_key = 'activity_open_email:1005'""",
    )[0][0]
    assert "lead_id=marketo:501" in raw_record


def test_status_history_from_data_value_changes(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """select change_id, lead_id, status, reason, cast(changed_at as varchar), changed_by
           from staging.stg_crm__lead_status_changes order by lead_id, changed_at""",
    )
    assert rows == [
        ("marketo:9102", "L1", "marketing_qualified", "score threshold reached",
         "2025-03-05 10:00:00", None),
        # logged on merged-away 102: the survivor's history
        ("marketo:9104", "L1", "recycled", "no response", "2025-03-20 10:00:00", "Jane Smith"),
        # 08:00 at +02:00
        ("marketo:9105", "L1", "marketing_qualified", "re-engaged", "2025-04-02 06:00:00", None),
        ("marketo:9106", "L1", "sales_accepted", "first call", "2025-04-03 12:00:00",
         "Jane Smith"),
        # the CRM's own status file, unioned beside Marketo's
        ("S1", "L5", "marketing_qualified", None, "2025-03-03 09:00:00", "crm_user"),
    ]  # fmt: skip


def test_mql_cycles_and_stage_history(warehouse: Path) -> None:
    cycles = query(
        warehouse,
        """select lead_id, cycle_number, cast(marketing_qualified_at as varchar), mql_trigger,
                  cast(recycled_at as varchar), cast(sales_accepted_at as varchar)
           from marts.fct_mql_cycles where scoring_model = 'default'
           order by lead_id, cycle_number""",
    )
    assert cycles == [
        ("L1", 1, "2025-03-05 10:00:00", "crm", "2025-03-20 10:00:00", None),
        ("L1", 2, "2025-04-02 06:00:00", "crm", None, "2025-04-03 12:00:00"),
        ("L5", 1, "2025-03-03 09:00:00", "crm", None, None),
    ]
    stages = query(
        warehouse,
        """select stage, cast(valid_from as varchar) from marts.fct_lead_stage_history
           where scoring_model = 'default' and lead_id = 'L1' order by entry_sequence""",
    )
    assert stages == [
        ("lead", "2025-02-01 09:00:00"),
        ("mql", "2025-03-05 10:00:00"),
        ("recycled", "2025-03-20 10:00:00"),
        ("mql", "2025-04-02 06:00:00"),
        ("sal", "2025-04-03 12:00:00"),
    ]


def test_programs_are_the_campaigns(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select campaign_id, campaign_name, channel from staging.stg_marketing__campaigns",
    )
    assert sorted(rows) == [
        ("701AA00000ABM01", "LinkedIn ABM", "paid_social"),
        ("9001", "Paid Search Q1", "paid_search"),
        ("9003", "Spring Webinar", "webinar"),
        # a channel the seed does not list passes on lower-cased; 9004 is deleted
        ("9005", "Partner Newsletter", "partner email"),
    ]


def test_staged_spend_per_day_channel_and_campaign(warehouse: Path) -> None:
    rows = query(
        warehouse,
        """select cast(spend_date as varchar), channel, campaign_id, amount
           from staging.stg_marketing__marketing_spend""",
    )
    assert sorted(rows, key=str) == sorted(
        [
            # 12.50 + 7.25 (the latest write of the mobile row, not 7.00)
            ("2025-03-01", "paid_search", "9001", Decimal("19.75")),
            ("2025-03-02", "paid_search", "9001", Decimal("5.00")),
            ("2025-03-01", "paid_search", "google_ads:20250000222", Decimal("3.33")),
            # two LinkedIn campaigns mapped to one campaign: 40.00 + 9.50
            ("2025-03-01", "paid_social", "701AA00000ABM01", Decimal("49.50")),
            ("2025-03-02", "paid_social", "701AA00000ABM01", Decimal("10.50")),
            # ads 7001 and 7002 of campaign ...801: 5.10 + 4.90
            ("2025-03-01", "paid_social", "9003", Decimal("10.00")),
            ("2025-03-02", "paid_social", "9003", Decimal("2.00")),
            # ad 7003 has no ad_history version: no campaign
            ("2025-03-01", "paid_social", None, Decimal("1.00")),
        ],
        key=str,
    )
    totals = query(
        warehouse,
        """select channel, sum(amount) from staging.stg_marketing__marketing_spend
           group by channel""",
    )
    assert dict(totals) == {"paid_search": Decimal("28.08"), "paid_social": Decimal("73.00")}
    costs = query(
        warehouse,
        """select channel, spend, mqls, cost_per_mql from marts.rpt_cost_per_stage
           where scoring_model = 'default' and attribution = 'first_touch'
             and period_month = date '2025-03-01' and channel in ('paid_search', 'all')""",
    )
    # L1 (campaign 9001, paid search) and L5 (no campaign) qualified in March
    assert sorted(costs) == [
        ("all", Decimal("101.08"), 2, pytest.approx(50.54)),
        ("paid_search", Decimal("28.08"), 1, pytest.approx(28.08)),
    ]


def test_row_outcomes(warehouse: Path) -> None:
    marketo = query(
        warehouse,
        """select connector_table, contract_table, outcome, reason, row_count, connector_rows
           from staging.stg_marketo__row_outcomes""",
    )
    events, statuses = "engagement_events", "lead_status_changes"
    assert sorted(marketo, key=str) == sorted(
        [
            ("activity_open_email", events, "mapped", None, 6, 7),
            ("activity_open_email", None, "dropped", "deleted_in_source", 1, 7),
            ("activity_click_email", events, "mapped", None, 2, 2),
            ("activity_visit_webpage", events, "mapped", None, 5, 5),
            ("activity_fill_out_form", events, "mapped", None, 3, 3),
            ("activity_unsubscribe_email", events, "mapped", None, 1, 1),
            ("activity_email_bounced", events, "mapped", None, 1, 1),
            ("activity_email_bounced_soft", events, "mapped", None, 1, 1),
            # the deleted lead's send counts as a send
            ("activity_send_email", None, "dropped", "not_a_contract_event_type", 3, 3),
            ("activity_email_delivered", None, "dropped", "not_a_contract_event_type", 1, 1),
            ("activity_change_data_value", statuses, "mapped", None, 6, 10),
            ("activity_change_data_value", None, "dropped", "not_a_funnel_status", 2, 10),
            ("activity_change_data_value", None, "dropped", "not_a_status_field", 1, 10),
            ("activity_change_data_value", None, "dropped", "deleted_in_source", 1, 10),
            ("program", "campaigns", "mapped", None, 4, 5),
            ("program", None, "dropped", "deleted_in_source", 1, 5),
            ("lead", None, "dropped", "lookup_only", 6, 6),
            ("lead_describe", None, "dropped", "lookup_only", 2, 2),
            ("campaign", None, "dropped", "lookup_only", 3, 3),
            ("activity_merge_leads", None, "dropped", "merge_applied", 3, 3),
            ("activity_delete_lead", None, "dropped", "delete_applied", 2, 2),
        ],
        key=str,
    )
    ads = []
    for platform in ("google_ads", "linkedin_ads", "facebook_ads"):
        ads += query(
            warehouse,
            f"""select '{platform}', connector_table, contract_table, outcome, reason, row_count,
                       connector_rows
                from staging.stg_{platform}__row_outcomes""",
        )
    assert sorted(ads, key=str) == sorted(
        [
            ("google_ads", "campaign_stats", "marketing_spend", "mapped", None, 5, 6),
            ("google_ads", "campaign_stats", None, "dropped", "superseded_duplicate", 1, 6),
            ("linkedin_ads", "ad_analytics_by_campaign", "marketing_spend", "mapped", None, 3, 3),
            ("facebook_ads", "basic_ad", "marketing_spend", "mapped", None, 4, 4),
            ("facebook_ads", "ad_history", None, "dropped", "lookup_only", 3, 3),
        ],
        key=str,
    )


def test_raw_and_connector_reconciliation(warehouse: Path) -> None:
    connector = query(
        warehouse,
        """select connector, connector_table, connector_rows, mapped_rows, dropped_rows,
                  is_reconciled
           from audit.audit_connector_reconciliation""",
    )
    # 16 Marketo tables, 1 Google, 1 LinkedIn, 2 Facebook
    assert len(connector) == 20
    assert all(row[5] for row in connector)
    by_table = {(r[0], r[1]): r[2:5] for r in connector}
    assert by_table[("marketo", "activity_open_email")] == (7, 6, 1)
    assert by_table[("marketo", "activity_change_data_value")] == (10, 6, 4)
    assert by_table[("google_ads", "campaign_stats")] == (6, 5, 1)
    assert by_table[("facebook_ads", "ad_history")] == (3, 0, 3)

    raw = query(
        warehouse,
        """select source_table, raw_rows, staged_rows, quarantined_rows, exact_duplicates_removed,
                  is_reconciled
           from audit.audit_raw_reconciliation""",
    )
    assert all(row[5] for row in raw)
    by_source = {r[0]: r[1:5] for r in raw}
    # adapter rows are the raw rows: 19 mapped activities, one exact copy of 1001
    assert by_source["engagement_events"] == (19, 16, 2, 1)
    # 6 mapped Marketo changes + the CRM file's one
    assert by_source["lead_status_changes"] == (7, 5, 2, 0)
    # 3 Google + 2 LinkedIn + 3 Facebook day rows, and Google's unreadable cost on its own
    assert by_source["marketing_spend"] == (9, 8, 1, 0)
    assert by_source["campaigns"] == (4, 4, 0, 0)


def test_every_activity_table_read_has_a_rule(warehouse: Path) -> None:
    """A table without a rule would pass its rows on as marketo:<table> (unknown_event_type)."""
    with (PROJECT / "seeds" / "connectors" / "marketo_activity_types.csv").open() as handle:
        ruled = {row["activity_table"] for row in csv.DictReader(handle)}
    read = {
        row[0]
        for row in query(
            warehouse,
            """select connector_table from staging.stg_marketo__row_outcomes
               where contract_table = 'engagement_events'
                  or reason = 'not_a_contract_event_type'""",
        )
    }
    assert read == ruled
    assert len(read) == 9
