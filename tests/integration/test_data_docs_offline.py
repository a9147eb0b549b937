"""Data Docs open styled and complete with the network blocked.

The check builds Data Docs for the generated warehouse's marts; Chromium (Debian's, driven by
Playwright) opens the index and a validation page with every request other than a local file
aborted. Nothing outside the site is requested, Bootstrap's styles apply, jQuery, Bootstrap
Table and Vega load, the tables are drawn and the console has no errors.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lead_funnel.quality import run_check
from lead_funnel.quality.offline_docs import ASSETS, assets_dir, missing_assets
from tests.support.browser import CHROMIUM_ARGS, chromium_path

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def docs(generated_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert not missing_assets(), (
        f"the Data Docs' offline copies are missing from {assets_dir()}: run make setup"
    )
    folder = tmp_path_factory.mktemp("data_docs")
    result = run_check(db_path=generated_warehouse, docs_dir=folder, scope="marts")
    assert result.docs_index == folder / "index.html"
    return folder


def test_pages_name_no_web_asset(docs: Path):
    for page in docs.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "cdn.jsdelivr.net" not in text and "unpkg.com" not in text, page
        assert "bootstrapcdn.com" not in text and "cdnjs.cloudflare.com" not in text, page
        assert "great-expectations-web-assets" not in text, page
    for asset in ASSETS:
        assert (docs / "static" / "vendor" / asset.local).exists(), asset.local


def _open(page_path: Path) -> dict:
    from playwright.sync_api import sync_playwright

    outside, errors, failed = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium_path()), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()

            def route(request_route):
                url = request_route.request.url
                if url.startswith("file://") or url.startswith("data:"):
                    request_route.continue_()
                else:
                    outside.append(url)
                    request_route.abort()

            page.route("**/*", route)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.goto(page_path.resolve().as_uri(), wait_until="load")
            page.wait_for_timeout(500)
            state = page.evaluate(
                """() => ({
                    jquery: typeof window.jQuery === 'function',
                    bootstrapTable: !!(window.jQuery && window.jQuery.fn.bootstrapTable),
                    vega: typeof window.vegaEmbed === 'function',
                    sheets: Array.from(document.querySelectorAll('link[rel=stylesheet]'))
                        .filter(link => link.sheet !== null).length,
                    unloaded: Array.from(document.querySelectorAll('link[rel=stylesheet]'))
                        .filter(link => link.sheet === null).map(link => link.href),
                    navbarDisplay: getComputedStyle(
                        document.querySelector('nav.navbar') || document.body).display,
                    containerPadding: getComputedStyle(
                        document.querySelector('.container-fluid, .container')
                        || document.body).paddingLeft,
                    rows: document.querySelectorAll('table tbody tr').length,
                    text: document.body.innerText,
                })"""
            )
        finally:
            browser.close()
    state.update(outside=outside, errors=errors, failed=failed)
    return state


def test_index_renders_styled_offline(docs: Path):
    state = _open(docs / "index.html")
    assert state["outside"] == [] and state["failed"] == [], state
    assert state["errors"] == []
    assert state["jquery"] and state["bootstrapTable"] and state["vega"]
    assert state["sheets"] >= 5 and state["unloaded"] == []  # bootstrap, font awesome, ...
    assert state["navbarDisplay"] == "flex"  # Bootstrap's navbar, not a bare list
    assert state["containerPadding"] not in ("", "0px")  # the grid's gutters
    assert state["rows"] >= 5  # one row per validated suite
    assert "mart_funnel_conversion_cohorts" in state["text"]


def test_validation_page_renders_offline(docs: Path):
    pages = sorted((docs / "validations").rglob("*.html"))
    assert pages
    page = next(p for p in pages if "mart_funnel_conversion_cohorts" in str(p))
    state = _open(page)
    assert state["outside"] == [] and state["failed"] == [], state
    assert state["errors"] == []
    assert state["jquery"] and state["vega"]
    assert state["navbarDisplay"] == "flex"
    assert "expect_column_pair_values_a_to_be_greater_than_b" in state["text"] or (
        "greater than" in state["text"].lower()
    )
