"""The HTML report: self-contained, every chart drawn in a real browser, no console errors."""

from __future__ import annotations

import base64
import re
import shutil
from pathlib import Path

import pytest

from lead_funnel import paths
from lead_funnel.report import write_report
from tests.conftest import query
from tests.support.cdp import Browser, chromium_binary

pytestmark = pytest.mark.slow

CHARTS = {"funnel", "cohort_conversion", "velocity", "speed_to_lead", "cost_per_stage"}


@pytest.fixture(scope="module")
def report_file(generated_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(generated_warehouse, tmp_path_factory.mktemp("report") / "report.html")


def test_report_is_self_contained_and_holds_every_section(
    report_file: Path, generated_warehouse: Path
) -> None:
    text = report_file.read_text()
    # Nothing is fetched: the only URL is the SVG namespace.
    urls = set(re.findall(r"""(?:src|href)\s*=\s*["']?([^"' >]+)""", text))
    assert urls == set()
    assert set(re.findall(r"https?://[^\"' ]+", text)) <= {"http://www.w3.org/2000/svg"}
    sections = set(re.findall(r'data-chart="([a-z_]+)"', text))
    assert sections == CHARTS | {"calibration", "mql_list"}
    # The funnel chart shows the marts' numbers.
    leads, mqls = query(
        generated_warehouse,
        """
        select
            sum(case when view_type = 'lead_cohort' then leads end),
            sum(case when view_type = 'mql_cohort' then mqls end)
        from marts.rpt_funnel_conversion
        where scoring_model = 'default' and slice_dimension = 'all'
        """,
    )[0]
    assert f"Leads count: {leads:,}" in text
    assert f"MQLs count: {mqls:,}" in text
    # The calibration chart is drawn when its mart exists, otherwise a note says it is not built.
    built = query(
        generated_warehouse,
        "select count(*) from information_schema.tables "
        "where table_schema = 'marts' and table_name = 'rpt_threshold_calibration'",
    )[0][0]
    if not built:
        assert "Not built: marts.rpt_threshold_calibration" in text
    current_mqls = query(
        generated_warehouse, "select count(*) from marts.dim_leads where current_stage = 'mql'"
    )[0][0]
    assert f"{current_mqls:,} leads are MQLs now" in text


@pytest.mark.skipif(chromium_binary() is None, reason="chromium missing: run `make browser`")
def test_report_renders_in_headless_chromium(report_file: Path, tmp_path: Path) -> None:
    browser = Browser(tmp_path / "chromium-profile")
    try:
        browser.call("Page.navigate", url=report_file.resolve().as_uri())
        browser.wait_for("Page.loadEventFired")
        drawn = browser.evaluate("document.documentElement.getAttribute('data-charts')")
        rendered = browser.evaluate(
            "Array.from(document.querySelectorAll('section.chart'))"
            ".map(s => [s.dataset.chart, s.dataset.rendered,"
            " s.querySelectorAll('svg .mark').length])"
        )
        width = browser.evaluate("document.querySelector('svg').getBoundingClientRect().width")
        shot = browser.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
    finally:
        browser.close()
    assert browser.console_errors == []
    charts = {name: (flag, marks) for name, flag, marks in rendered}
    assert set(charts) >= CHARTS
    assert all(flag == "true" and marks > 0 for flag, marks in charts.values()), charts
    assert drawn == f"{len(charts)}/{len(charts)}"
    assert width > 500
    artifacts = paths.project_dir() / "reports" / "test_artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    screenshot = artifacts / "report_screenshot.png"
    screenshot.write_bytes(base64.b64decode(shot["data"]))
    shutil.copy(report_file, artifacts / "report.html")
    assert screenshot.stat().st_size > 10_000
    print(f"screenshot: {screenshot}")
