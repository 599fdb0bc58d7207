"""The query core: what both the build (``graph/``) and the server (``server/``) need to know about a query.

Lexing, the guard every query passes before an engine sees it, the ``#+`` decorators of a saved query, its
typed parameters, the SPARQL terms they become, their binding into the query text and the catalogue of
``queries/*.rq``. Pure Python over pyoxigraph and PyYAML: no Flask, no rdflib graph, no I/O beyond reading the
query files, and no import of ``graph`` or ``server`` (tests/test_layers.py holds it to that).
"""
