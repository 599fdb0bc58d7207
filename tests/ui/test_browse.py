"""End to end in headless Chromium: the journeys a reader takes through the pages and the editor."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.ui.browser_support import shot


def test_home_search_entity_and_its_quotes(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Knowledge Graph")
    expect(page.locator("svg .land")).to_be_visible()
    shot(page, "01-home", full_page=True)

    page.get_by_label("Search names and quotes").fill("jazari root")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=jazari"))
    shot(page, "02-search")

    page.locator("ol.hits a", has_text="Jazari Root").first.click()
    expect(page).to_have_url(re.compile(r"/id/jazari-root$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Jazari Root")
    quote = page.locator("blockquote.quote", has_text="Mistral AI").first
    expect(quote).to_be_visible()
    expect(page.locator("#graph-view[data-ready=true] svg .node")).not_to_have_count(0)
    shot(page, "03-entity", full_page=True)

    page.locator("#lang-switch").click()
    expect(page.locator("h2#facts-h")).to_contain_text("Ce que dit la source")
    shot(page, "04-entity-fr")


def test_source_viewer_click_shows_the_facts_of_a_span(page: Page) -> None:
    page.goto("/doc/lexpress-seghrouchni")
    expect(page.locator("a.span").first).to_be_visible()
    expect(page.locator(".sentence-note.not-factual").first).to_be_visible()
    shot(page, "05-source")
    span = page.locator("#q-6522-6631")
    span.scroll_into_view_if_needed()
    span.click()
    panel = page.locator("#panel-body")
    expect(panel).to_contain_text("works with")
    expect(panel.locator("a", has_text="Mistral AI").first).to_be_visible()
    expect(span).to_have_class(re.compile("active"))
    shot(page, "06-source-clicked")


def test_editor_runs_a_query_and_shows_rows(page: Page) -> None:
    page.goto("/editor")
    expect(page.locator("#yasgui[data-ready=true]")).to_be_attached()
    tabs = page.locator(".tabsList .tab")
    expect(tabs.first).to_be_visible()
    page.locator(".tabsList .tab", has_text=re.compile("class-counts|classes")).first.click()
    page.locator(".tabPanel.active .yasqe_queryButton").click()
    rows = page.locator(".tabPanel.active .yasr table tbody tr")
    expect(rows.first).to_be_visible(timeout=30_000)
    assert rows.count() > 3
    shot(page, "07-editor-table")
    chart = page.locator(".tabPanel.active .yasr .select_chart")
    if chart.count():
        chart.click()
        expect(page.locator(".tabPanel.active .kg-chart svg rect").first).to_be_visible()
        shot(page, "08-editor-chart")


def test_phone_layout_reads_without_horizontal_scroll(page: Page) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/id/jazari-root")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
    shot(page, "09-entity-phone")
