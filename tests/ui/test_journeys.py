"""Journeys of people who write no SPARQL, in headless Chromium: a query run from /sparql and from a saved
query's form, search in both languages with a typo, the French interface, the keyboard alone, a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.ui.browser_support import shot

PHONE = {"width": 390, "height": 844}
ENGLISH_CHROME = (  # words of the interface that must not remain once it is in French
    "Skip to content",
    "Search",
    "Saved queries",
    "Source text",
    "Ontology",
    "Dumps",
    "Data",
    "Results",
    "Download",
    "Run",
    "Home",
    "Not found",
    "Query the graph",
    "Run query",
    "Page size",
)


def _watch_csp(page: Page) -> list[str]:
    """Console messages about the Content-Security-Policy: every page must run with none."""
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    return refused


def _chrome_text(page: Page) -> str:
    """The interface's own words: header, footer, headings, labels, buttons, titles (not the data)."""
    return page.evaluate(
        """() => {
      const parts = [document.title];
      document.querySelectorAll('header.site, footer.site, h1, h2, label, button, summary, .hint, .downloads,'
        + ' [role=status], .skip, #yasgui .yasr_btn, #yasgui .yasr_header, #yasgui .dataTables_info').forEach(e => {
        if (!e.closest('.CodeMirror-lines')) parts.push(e.innerText);
      });
      document.querySelectorAll('[title], [aria-label], [placeholder]').forEach(e => {
        for (const a of ['title', 'aria-label', 'placeholder']) if (e.getAttribute(a)) parts.push(e.getAttribute(a));
      });
      return parts.join('\\n');
    }"""
    )


def test_a_query_run_from_sparql_shows_a_table(page: Page) -> None:
    refused = _watch_csp(page)
    page.goto("/sparql")
    expect(page.locator("#yasgui[data-ready=true]")).to_be_attached()
    page.locator(".tabsList .tab", has_text="class-counts").first.click()
    page.locator(".tabPanel.active .yasqe_queryButton").click()
    expect(page.locator(".tabPanel.active .yasr table tbody tr").first).to_be_visible(timeout=30_000)
    shot(page, "10-sparql-editor-table")
    # the form below the editor, as it works without JavaScript: a table on a page, not a file
    page.locator("#plain-query").fill(
        "SELECT ?city ?name WHERE { ?city a <https://w3id.org/morocco-digital-kg/ontology/City> ;"
        ' <http://www.w3.org/2000/01/rdf-schema#label> ?name FILTER(LANG(?name) = "en") } ORDER BY ?name'
    )
    page.locator(".plain-query button[type=submit]").click()
    expect(page.locator("#results-table")).to_be_visible()
    expect(page.locator("#results-table a", has_text="Rabat")).to_have_attribute("href", "/id/rabat")
    expect(page.locator("a.download", has_text="CSV")).to_be_visible()
    shot(page, "11-sparql-results-page", full_page=True)
    assert not refused, refused


def test_a_saved_query_form_completes_a_name_and_shows_a_table(page: Page) -> None:
    refused = _watch_csp(page)
    page.goto("/queries")
    form = page.locator("#form-jazari-institutes")
    city = form.locator("input[name=city]")
    city.fill("Rab")
    expect(form.locator("datalist option[value=Rabat]")).to_be_attached()  # suggested from /search
    city.fill("Rabat")
    form.get_by_role("button").click()
    expect(page).to_have_url(re.compile(r"/queries/jazari-institutes\?"))
    rows = page.locator("#results-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Jazari institute in Rabat")
    expect(page.locator("a.download", has_text="JSON")).to_be_visible()
    shot(page, "12-saved-query-form", full_page=True)
    page.locator("input[name=city]").fill("Atlantis")
    page.get_by_role("button", name="Run").click()
    expect(page.locator(".field-error")).to_contain_text("parameter 'city'")
    shot(page, "13-saved-query-error")
    assert not refused, refused


@pytest.mark.parametrize(
    ("typed", "meant", "found"),
    [("Marakech", "marrakech", "Marrakesh"), ("rare metls", "rare metals", "rare metals")],
)
def test_search_with_a_typo_in_french_and_english(page: Page, typed: str, meant: str, found: str) -> None:
    page.goto("/")
    page.locator("#site-search").fill(typed)
    page.keyboard.press("Enter")
    expect(page.locator("#did-you-mean")).to_have_text(meant)
    expect(page.locator("ol.hits a", has_text=found).first).to_be_visible()
    expect(page.locator("mark.hl").first).to_be_visible()
    shot(page, f"14-search-{meant.replace(' ', '-')}")
    page.locator("#did-you-mean").click()
    expect(page.locator("#search-status")).to_contain_text(meant)


def test_the_french_interface_has_no_english_chrome(page: Page) -> None:
    refused = _watch_csp(page)
    page.goto("/")
    page.locator("#lang-switch").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    pages = [
        "/",
        "/search?q=souverainete",
        "/queries",
        "/queries/jazari-institutes?city=Rabat",
        "/sparql",
        "/id/jazari-root",
        "/fact/lexpress-seghrouchni/venture-building-endowment.value.4bb851595a",
        "/quote/lexpress-seghrouchni/6522-6631",
        "/ontology/Institute",
        "/doc/lexpress-seghrouchni",
        "/nowhere-at-all",
    ]
    for path in pages:
        page.goto(path)
        if path == "/sparql":
            page.locator(".tabPanel.active .yasqe_queryButton").click()
            expect(page.locator(".tabPanel.active .yasr table tbody tr").first).to_be_visible(timeout=30_000)
        words = _chrome_text(page)
        left = [w for w in ENGLISH_CHROME if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", words)]
        assert not left, f"{path}: English left in the French interface: {left}"
    shot(page, "15-not-found-fr")
    page.goto("/queries")
    shot(page, "16-queries-fr")
    assert not refused, refused


def test_keyboard_only_from_the_skip_link_to_an_entity(page: Page) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    expect(skip).to_be_focused()
    colours = skip.evaluate("e => [getComputedStyle(e).color, getComputedStyle(e).backgroundColor]")
    assert _contrast(*colours) >= 4.5, colours
    shot(page, "17-skip-link-focused")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator("#site-search")).to_be_focused()
    page.keyboard.type("jazari root")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=jazari"))
    first = page.locator("ol.hits a").first
    for _ in range(40):  # tab through the page until the first result is reached
        page.keyboard.press("Tab")
        if first.evaluate("e => e === document.activeElement"):
            break
    expect(first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/id/jazari-root$"))
    # a saved query by keyboard: the fields are reachable and Enter runs the form
    page.goto("/queries/jazari-institutes")
    page.locator("input[name=city]").focus()
    page.keyboard.type("Dakhla")
    page.keyboard.press("Enter")
    expect(page.locator("#results-table tbody tr")).to_have_count(1)


def test_phone_widths_read_without_sideways_scroll_and_keep_the_readers_place(page: Page) -> None:
    page.set_viewport_size(PHONE)
    for path, name in (
        ("/", "20-home-phone"),
        ("/search?q=intelligence+artificielle", "21-search-phone"),
        ("/queries/jazari-institutes?city=Rabat", "22-saved-query-phone"),
        ("/id/jazari-root", "23-entity-phone"),
    ):
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, (path, overflow)
        shot(page, name)
    page.goto("/doc/lexpress-seghrouchni")
    assert page.evaluate("document.documentElement.scrollHeight") < 30_000  # the list of 151 quotes is hidden
    span = page.locator("#q-6522-6631")
    span.scroll_into_view_if_needed()
    before = page.evaluate("window.scrollY")
    span.click()
    expect(page.locator("#facts-panel.open")).to_be_visible()
    expect(page.locator("#panel-body")).to_contain_text("Mistral AI")
    assert abs(page.evaluate("window.scrollY") - before) < 5  # the text has not moved
    shot(page, "24-source-phone-panel")
    page.locator("#panel-close").click()
    expect(page.locator("#facts-panel.open")).to_have_count(0)


def test_desktop_screenshots_of_the_main_pages(page: Page) -> None:
    for path, name in (
        ("/", "30-home"),
        ("/id/jazari-root", "31-entity"),
        ("/search?q=m%C3%A9taux+rares", "32-search"),
        ("/queries/jazari-institutes?city=Rabat", "33-saved-query"),
        ("/ontology/", "34-ontology-docs"),
    ):
        page.goto(path)
        page.wait_for_load_state("networkidle")
        shot(page, name)


def _luminance(css: str) -> float:
    red, green, blue = (int(x) / 255 for x in re.findall(r"\d+", css)[:3])

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def _contrast(foreground: str, background: str) -> float:
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
