"""The README's setup: Salesforce as the CRM, HubSpot as the marketing tool, Google Ads spend.

The raw folder is put together from the Salesforce fixture's connector tables
(tests/fixtures/connectors/salesforce/salesforce/), the Google Ads report of the Marketo
fixture (tests/fixtures/connectors/marketo/google_ads/) and HubSpot marketing tables written
here, whose recipients are the Salesforce leads' addresses. HubSpot events must land on the
Salesforce lead with the same address (matched ignoring case), a merged-away Salesforce
lead's event on its survivor, an address no lead has in quarantine as an unknown lead, and
every connector table must reconcile.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, build_warehouse, query

pytestmark = pytest.mark.slow

VARS = {
    "crm_source": "salesforce",
    "marketing_source": "hubspot",
    "spend_source": ["google_ads"],
    "score_as_of": "2025-06-30 00:00:00",
}

SYNCED = "2025-06-01 00:00:00"
HUBSPOT = {
    "contact.csv": [
        "id,_fivetran_deleted,_fivetran_synced,property_email,property_createdate",
        f"501,false,{SYNCED},ada.lovelace@acme.com,2025-01-06 09:00:00",
        f"502,false,{SYNCED},alan@initech.co.uk,2025-01-07 09:00:00",
        f"503,false,{SYNCED},g.hopper@globex.io,2025-01-08 09:00:00",
    ],
    "email_campaign.csv": [
        "id,name,type,_fivetran_synced",
        f"901,February newsletter,BATCH_EMAIL,{SYNCED}",
    ],
    "email_event.csv": [
        "id,type,created,recipient,email_campaign_id,filtered_event,_fivetran_synced",
        # a send is no engagement: dropped
        f"700001,SENT,2025-02-03 09:00:00,ada.lovelace@acme.com,901,false,{SYNCED}",
        # Salesforce writes Ada.Lovelace@Acme.com: matched ignoring case -> 00Q01
        f"700002,OPEN,2025-02-03 10:00:00,Ada.Lovelace@acme.com,901,false,{SYNCED}",
        f"700003,CLICK,2025-02-04 11:00:00,alan@initech.co.uk,901,false,{SYNCED}",
        # 00Q03 was merged into 00Q02: the open is 00Q02's
        f"700004,OPEN,2025-02-05 12:00:00,g.hopper@globex.io,901,false,{SYNCED}",
        # nobody has this address: quarantined as an unknown lead
        f"700005,OPEN,2025-02-06 13:00:00,nobody@nowhere.example,901,false,{SYNCED}",
    ],
    "email_event_click.csv": [
        "id,url,_fivetran_synced",
        f"700003,https://initech.example/pricing,{SYNCED}",
    ],
}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("connector_combined")
    raw = root / "raw"
    shutil.copytree(FIXTURES / "connectors" / "salesforce" / "salesforce", raw / "salesforce")
    shutil.copytree(FIXTURES / "connectors" / "marketo" / "google_ads", raw / "google_ads")
    (raw / "hubspot").mkdir()
    for name, lines in HUBSPOT.items():
        (raw / "hubspot" / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return build_warehouse(raw, root / "lead_funnel.duckdb", dbt_vars=VARS)


def test_hubspot_events_land_on_the_salesforce_leads(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select event_id, lead_id, event_type, campaign_id"
        " from staging.stg_marketing__engagement_events order by event_id",
    )
    assert rows == [
        ("email:700002", "00Q01", "email_open", "901"),
        ("email:700003", "00Q05", "email_click", "901"),
        ("email:700004", "00Q03", "email_open", "901"),
    ]
    # the merged-away lead's open is on its survivor's timeline
    timeline = query(
        warehouse,
        "select lead_id from marts.fct_lead_timeline where source_record_id = 'email:700004'",
    )
    assert timeline == [("00Q02",)]


def test_an_address_no_lead_has_is_quarantined(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select rejection_reason from staging.base_marketing__engagement_events"
        " where event_id = 'email:700005'",
    )
    assert rows == [("unknown_lead",)]


def test_the_campaigns_are_hubspot_email_campaigns(warehouse: Path) -> None:
    rows = query(warehouse, "select campaign_id, channel from staging.stg_marketing__campaigns")
    assert rows == [("901", "email")]


def test_google_ads_spend_is_staged(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select spend_date, campaign_id, amount from staging.stg_marketing__marketing_spend"
        " order by spend_date, campaign_id",
    )
    # campaign 20250000111 is mapped to 9001 by seed ad_campaign_mapping; on 2025-03-01 its
    # desktop 12.50 and mobile 7.25 (the later of two writes of the same row) add up
    assert [(str(day), campaign, amount) for day, campaign, amount in rows] == [
        ("2025-03-01", "9001", Decimal("19.75")),
        ("2025-03-01", "google_ads:20250000222", Decimal("3.33")),
        ("2025-03-02", "9001", Decimal("5.00")),
    ]


def test_every_connector_table_reconciles(warehouse: Path) -> None:
    rows = query(
        warehouse,
        "select connector, connector_table, connector_rows, mapped_rows, dropped_rows,"
        " is_reconciled from audit.audit_connector_reconciliation",
    )
    by_table = {(row[0], row[1]): row[2:] for row in rows}
    assert {connector for connector, _ in by_table} == {"salesforce", "hubspot", "google_ads"}
    # five email events: four mapped (the unknown address is quarantined later), one send dropped
    assert by_table[("hubspot", "email_event")] == (5, 4, 1, True)
    assert all(row[-1] for row in by_table.values())
    reconciled = query(
        warehouse, "select source_table, is_reconciled from audit.audit_raw_reconciliation"
    )
    assert all(flag for _, flag in reconciled), reconciled
