"""The ontology's pyLODE documentation, tidied before it is served.

pyLODE (run at build time) glues the labels of every language together ("initiativeinitiative"), joins
the titles of the ontology and its SKOS schemes into one heading, takes a scheme's French title as the
page title, sets no ``lang`` and keeps its CSS inline (which the pages' Content-Security-Policy refuses).
Here the page gets its English labels back (from the graph), one title, ``lang="en"``, its CSS as a file of
this site, and the site's header with a way back to the rest of it.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from html import escape
from pathlib import Path

from server.pages.index import Index

STYLE = re.compile(r"<style>(.*?)</style>", re.S)
HEADER_CSS = """
header.kg-site { background: #073f5f; padding: .6rem 1rem; font-family: system-ui, sans-serif; }
header.kg-site a { color: #fff; margin-right: 1.2rem; }
header.kg-site a.brand { font-weight: 700; text-decoration: none; }
a.kg-skip { position: absolute; left: -999px; }
a.kg-skip:focus { left: 0; background: #1d2330; color: #fff; padding: .4rem .8rem; z-index: 10; }
"""


@dataclass(frozen=True)
class TidyDocs:
    html: str
    css: str


def tidy(html: str, index: Index, site_title: str, title: str) -> TidyDocs:
    """The documentation page with English labels, one title, a language, a site header and no inline CSS."""
    css = "\n".join(STYLE.findall(html)) + HEADER_CSS
    html = STYLE.sub("", html, count=0)
    html = html.replace("<head>", '<head>\n<link rel="stylesheet" href="/docs/ontology.css">', 1)
    html = re.sub(r"<html[^>]*>", '<html lang="en">', html, count=1)
    page_title = f"<title>{escape(title)} · {escape(site_title)}</title>"
    html = re.sub(r"<title>.*?</title>", page_title, html, count=1, flags=re.S)
    html = re.sub(r"<h1>.*?</h1>", f"<h1>{escape(title)}</h1>", html, count=1, flags=re.S)
    header = (
        '<a class="kg-skip" href="#pylode-main">Skip to content</a>'
        f'<header class="kg-site"><a class="brand" href="/">{escape(site_title)}</a>'
        '<a href="/search">Search</a><a href="/queries">Saved queries</a><a href="/sparql">SPARQL</a>'
        '<a href="/ontology/.ttl">Turtle</a></header><div id="pylode-main"></div>'
    )
    html = re.sub(r"<body>", "<body>" + header, html, count=1)

    glued = {}  # "initiativeinitiative", "actoracteur": the labels pyLODE ran together, to the English one
    for iri, labels in index.labels.items():
        if iri.startswith(index.mdk) and labels.get("en") and labels.get("fr"):
            glued[labels["en"] + labels["fr"]] = labels["en"]
            glued[labels["fr"] + labels["en"]] = labels["en"]

    def english(match: re.Match[str]) -> str:
        text = match.group(2)
        return (
            match.group(1) + escape(glued[text.strip()]) + match.group(3) if text.strip() in glued else match.group(0)
        )

    html = re.sub(r'(<a href="#\w+">)([^<]*)(</a>)', english, html)
    html = re.sub(r"(<h3>)([^<]*?)(\s*<sup)", english, html)
    html = html.replace(f"<code>{index.mdk}units</code>", f"<code>{index.mdk}</code>", 1)  # a scheme's IRI
    return TidyDocs(html, css)


class DocsHolder:
    """The tidied page, made once per build of the documentation (its file's modification time)."""

    def __init__(self) -> None:
        self._key: tuple[str, float] | None = None
        self._docs: TidyDocs | None = None
        self._lock = threading.Lock()

    def get(self, path: Path, index: Index, site_title: str, title: str) -> TidyDocs:
        key = (str(path), path.stat().st_mtime)
        with self._lock:
            if self._docs is None or self._key != key:
                self._docs = tidy(path.read_text(encoding="utf-8"), index, site_title, title)
                self._key = key
            return self._docs
