"""Saved queries: ``queries/*.rq`` files turned into a typed, documented HTTP API.

The files stay valid SPARQL with grlc-style ``#+`` YAML decorators; parameters are bound as validated RDF
terms in a ``VALUES`` block, never pasted into the query where a value could change its meaning.
"""
