"""The HTML report: one self-contained file whose charts show the marts' numbers in a real
browser (Debian's Chromium driven by Playwright, the network blocked), whose scoring-model and
period pickers redraw them, and whose MQL list sorts by a clicked header."""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Route, sync_playwright

from lead_funnel import paths
from lead_funnel.report import build_report, write_report
from tests.conftest import copy_warehouse, query
from tests.support.browser import CHROMIUM_ARGS, chromium_path

pytestmark = pytest.mark.slow

CHARTS = (
    "funnel",
    "trend",
    "cohort_conversion",
    "conversion_by_slice",
    "velocity",
    "speed_to_lead",
    "cost_per_stage",
    "channel_value",
    "calibration",
)
SCREENSHOT = Path("reports") / "test_artifacts" / "report_screenshot.png"

#: Each plotted trace: its name, type, points and text, and the layout's title and shapes.
FIGURE_JS = """(chart) => {
  const div = document.querySelector(`section[data-chart="${chart}"] .plot`);
  const list = (v) => (v === undefined || v === null ? [] : Array.from(v));
  return {
    traces: div.data.map((t) => ({name: t.name || '', type: t.type, x: list(t.x), y: list(t.y),
      text: list(t.text)})),
    drawn: div.querySelectorAll('g.trace').length,
    title: (div.layout.title && div.layout.title.text) || '',
    shapes: (div.layout.shapes || []).map((s) => ({type: s.type, x0: s.x0, x1: s.x1})),
  };
}"""


@dataclass
class OpenReport:
    """The report open in a page, with what it logged and tried to fetch."""

    page: Page
    console_errors: list[str] = field(default_factory=list)
    network_requests: list[str] = field(default_factory=list)

    def figure(self, chart: str) -> dict[str, Any]:
        return self.page.evaluate(FIGURE_JS, chart)

    def trace(self, chart: str, name: str) -> dict[str, Any]:
        traces = [t for t in self.figure(chart)["traces"] if t["name"] == name]
        assert traces, f"{chart} has no trace {name!r}"
        return traces[0]

    def pick(self, selector: str, value: str) -> None:
        self.page.select_option(selector, value)
        self.page.wait_for_function(
            "([m, p]) => document.documentElement.dataset.ready === 'true'"
            " && document.documentElement.dataset.model === m"
            " && document.documentElement.dataset.period === p",
            arg=[self.page.input_value("#scoring-model"), self.page.input_value("#period")],
        )

    def mql_column(self, index: int) -> list[str]:
        return self.page.eval_on_selector_all(
            "#mql-list tbody tr", f"rows => rows.map(r => r.cells[{index}].textContent)"
        )


@pytest.fixture(scope="module")
def report_file(generated_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_report(generated_warehouse, tmp_path_factory.mktemp("report") / "report.html")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def report(browser: Browser, report_file: Path) -> Iterator[OpenReport]:
    """The report in a fresh offline page; every request but the file itself is aborted."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    context.set_offline(True)
    opened = OpenReport(context.new_page())

    def only_files(route: Route) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            route.abort()

    def record(request: Request) -> None:
        if not request.url.startswith(("file:", "data:", "blob:", "about:")):
            opened.network_requests.append(request.url)

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            opened.console_errors.append(message.text)

    context.route("**/*", only_files)
    opened.page.on("request", record)
    opened.page.on("console", console)
    opened.page.on("pageerror", lambda error: opened.console_errors.append(str(error)))
    opened.page.goto(report_file.resolve().as_uri())
    opened.page.wait_for_function("document.documentElement.dataset.ready === 'true'")
    yield opened
    context.close()
    assert opened.console_errors == []
    assert opened.network_requests == []


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _expected_funnel(db: Path, model: str, since: str = "1900-01-01") -> list[int]:
    return list(
        query(
            db,
            f"""
            select
                sum(case when view_type = 'lead_cohort' then leads end),
                sum(case when view_type = 'mql_cohort' then mqls end),
                sum(case when view_type = 'mql_cohort' then sals end),
                sum(case when view_type = 'mql_cohort' then sqls end),
                sum(case when view_type = 'mql_cohort' then opportunities end),
                sum(case when view_type = 'mql_cohort' then wins end)
            from marts.rpt_funnel_conversion
            where scoring_model = '{model}' and slice_dimension = 'all'
                and period_month >= '{since}'
            """,
        )[0]
    )


def _open_mqls(db: Path, model: str) -> list[tuple]:
    return query(
        db,
        f"""
        with latest as (
            select *, row_number() over (partition by lead_id order by cycle_number desc) as r
            from marts.fct_mql_cycles
            where scoring_model = '{model}'
        )
        select lead_id
        from latest
        where r = 1 and next_cycle_started_at is null
            and sales_accepted_at is null and sales_rejected_at is null and recycled_at is null
            and sales_qualified_at is null and disqualified_at is null
            and opportunity_created_at is null and closed_won_at is null
            and closed_lost_at is null
        order by marketing_qualified_at desc, lead_id
        """,
    )


def test_the_file_loads_nothing_and_holds_every_section(
    report_file: Path, generated_warehouse: Path
) -> None:
    text = report_file.read_text()
    parser = _Tags()
    parser.feed(text)
    fetching = [
        (tag, attrs)
        for tag, attrs in parser.tags
        if {"src", "href"} & set(attrs) or tag in {"link", "img", "iframe"}
    ]
    assert fetching == []
    scripts = [attrs for tag, attrs in parser.tags if tag == "script"]
    assert len(scripts) == 3  # plotly.js, the data, the page's own script
    assert text.count("plotly.js v") >= 1  # the library's banner: inlined, not linked
    sections = {attrs["data-chart"] for tag, attrs in parser.tags if tag == "section"}
    assert sections == {*CHARTS, "mql_list"}
    assert "Not built" not in text
    as_of = query(generated_warehouse, "select max(scored_as_of) from marts.fct_lead_scores")
    assert f"scored as of {as_of[0][0]}" in text
    # The benchmark band names its source by title, not by file.
    source = query(
        generated_warehouse,
        "select source_name, source_file from seeds.benchmark_ranges"
        " where metric = 'mql_to_sql_rate' and is_preferred",
    )[0]
    assert f"\u201c{source[0]}\u201d" in text
    assert source[1] not in text


def test_every_chart_draws_the_marts_numbers(report: OpenReport, generated_warehouse: Path) -> None:
    db = generated_warehouse
    for chart in CHARTS:
        figure = report.figure(chart)
        points = sum(len(t["x"]) + len(t["y"]) for t in figure["traces"])
        assert figure["drawn"] > 0 and points > 0, chart

    funnel = report.figure("funnel")["traces"][0]
    assert funnel["x"] == _expected_funnel(db, "default")
    assert funnel["y"][:2] == ["Leads", "MQL cycles"]

    months, leads = query(
        db,
        "select count(*), sum(leads) from marts.rpt_funnel_conversion where scoring_model ="
        " 'default' and view_type = 'period' and slice_dimension = 'all'",
    )[0]
    trend = report.trace("trend", "Leads")
    assert len(trend["x"]) == months and sum(trend["y"]) == leads

    cohort = query(
        db,
        "select mql_to_sql_rate, is_cohort_immature from marts.rpt_funnel_conversion where"
        " scoring_model = 'default' and view_type = 'mql_cohort' and slice_dimension = 'all'"
        " order by period_month",
    )
    assert report.trace("cohort_conversion", "MQL->SQL (ever)")["y"] == pytest.approx(
        [r[0] for r in cohort]
    )
    immature = report.trace("cohort_conversion", "immature cohort (may still rise)")
    assert len(immature["y"]) == sum(1 for r in cohort if r[1])

    lead_to_mql_hours = query(
        db,
        "select median_hours from marts.rpt_stage_velocity where scoring_model = 'default'"
        " and is_all_cohorts and slice_dimension = 'all' and from_stage = 'lead'"
        " and to_stage = 'mql'",
    )[0][0]
    velocity = report.trace("velocity", "median")
    assert velocity["y"][0] == "Lead \u2192 MQL"
    assert velocity["x"][0] == pytest.approx(lead_to_mql_hours / 24)
    assert velocity["text"][0] == f"{lead_to_mql_hours / 24:,.1f} days"

    rates = dict(
        query(
            db,
            "select response_bucket, mql_to_sql_rate from marts.rpt_speed_to_lead"
            " where scoring_model = 'default' and is_all_cohorts",
        )
    )
    speed = report.figure("speed_to_lead")
    assert speed["traces"][0]["x"][0] == "5 min or less"
    assert speed["traces"][0]["y"][0] == pytest.approx(rates["le_5_min"])
    ratio = rates["le_5_min"] / rates["gt_24_hours"]
    assert speed["title"].startswith(
        f"5 min or less converts {ratio:.1f} times as often as more than 24 hours"
    )

    cost_per_lead, roi, won, currency = query(
        db,
        "select cost_per_lead, roi, won_revenue, reporting_currency"
        " from marts.rpt_channel_performance where scoring_model = 'default'"
        " and attribution_model = 'first_touch' and is_all_months and channel = 'all'",
    )[0]
    cost = report.figure("cost_per_stage")
    assert cost["traces"][0]["y"][-1] == "all channels"
    assert cost["traces"][0]["x"][-1] == pytest.approx(cost_per_lead)
    assert f"{currency} per lead" in report.page.inner_text('section[data-chart="cost_per_stage"]')
    value = report.figure("channel_value")
    assert value["traces"][2]["x"][-1] == pytest.approx(won)
    assert value["traces"][3]["x"][-1] == pytest.approx(roi)

    current, recommended, note = query(
        db,
        "select current_mql_threshold, recommended_threshold, recommendation_note"
        " from marts.rpt_threshold_calibration where scoring_model = 'default' limit 1",
    )[0]
    calibration = report.figure("calibration")
    lines = {s["x0"] for s in calibration["shapes"] if s["type"] == "line"}
    assert current in lines
    if recommended is None:  # the note, wrapped, is the title
        assert note in html.unescape(calibration["title"].replace("<br>", " "))
    else:
        assert recommended in lines

    expected = _open_mqls(db, "default")
    assert report.mql_column(0) == [r[0] for r in expected][: len(report.mql_column(0))]
    assert report.page.inner_text("#mql-count").startswith(f"{len(expected):,} current MQLs")

    screenshot = paths.project_dir() / SCREENSHOT
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    report.page.screenshot(path=str(screenshot), full_page=True)
    assert screenshot.stat().st_size > 50_000
    print(f"screenshot: {screenshot}")


def test_the_model_and_period_pickers_redraw_the_charts(
    report: OpenReport, generated_warehouse: Path
) -> None:
    db = generated_warehouse
    before = report.figure("funnel")["traces"][0]["x"]
    calibration_before = report.trace("calibration", "MQL->SQL rate of would-be MQLs")["y"]
    report.pick("#scoring-model", "intent")
    after = report.figure("funnel")["traces"][0]["x"]
    assert after == _expected_funnel(db, "intent")
    assert after[1:] != before[1:]
    assert report.trace("calibration", "MQL->SQL rate of would-be MQLs")["y"] != calibration_before
    intent_mqls = _open_mqls(db, "intent")
    assert report.page.inner_text("#mql-count").startswith(f"{len(intent_mqls):,} current MQLs")
    assert report.mql_column(0)[:5] == [r[0] for r in intent_mqls][:5]

    # The last 3 months: the scoring month and the two before it.
    (since,) = query(
        db,
        "select date_trunc('month', max(scored_as_of)) - interval 2 month"
        " from marts.fct_lead_scores",
    )[0]
    report.pick("#period", "3")
    trend = report.trace("trend", "Leads")
    assert [x[:7] for x in trend["x"]] == [
        r[0]
        for r in query(
            db,
            "select strftime(period_month, '%Y-%m') from marts.rpt_funnel_conversion"
            " where scoring_model = 'intent' and view_type = 'period'"
            f" and slice_dimension = 'all' and period_month >= '{since:%Y-%m-%d}'"
            " order by period_month",
        )
    ]
    assert len(trend["x"]) <= 3
    assert report.figure("funnel")["traces"][0]["x"] == _expected_funnel(
        db, "intent", f"{since:%Y-%m-%d}"
    )
    spend = query(
        db,
        "select sum(spend) from marts.rpt_channel_performance where scoring_model = 'intent'"
        " and attribution_model = 'first_touch' and channel = 'all' and not is_all_months"
        f" and month >= '{since:%Y-%m-%d}'",
    )[0][0]
    assert report.figure("channel_value")["traces"][0]["x"][-1] == pytest.approx(spend)


def test_the_mql_list_sorts_by_a_clicked_header(report: OpenReport) -> None:
    header = 'th[data-key="score_at_mql"]'
    column = 7
    report.page.click(header)
    ascending = [float(v) for v in report.mql_column(column) if v]
    assert len(ascending) > 5 and ascending == sorted(ascending)
    assert report.page.get_attribute(header, "aria-sort") == "ascending"
    report.page.click(header)
    descending = [float(v) for v in report.mql_column(column) if v]
    assert descending == sorted(ascending, reverse=True)
    assert report.page.get_attribute(header, "aria-sort") == "descending"
    report.page.click('th[data-key="lead_id"]')
    leads = report.mql_column(0)
    assert leads == sorted(leads)


def test_a_missing_mart_leaves_a_note_in_its_section(
    generated_warehouse: Path, tmp_path: Path
) -> None:
    copy = copy_warehouse(generated_warehouse, tmp_path / "partial.duckdb")
    query(copy, "drop table marts.rpt_threshold_calibration")
    text = build_report(copy)
    assert "Not built: marts.rpt_threshold_calibration" in text
    assert '<section class="note" data-chart="calibration">' in text
    assert '<section class="chart" data-chart="funnel">' in text
