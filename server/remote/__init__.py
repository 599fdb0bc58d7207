"""Serving from an external SPARQL 1.1 store: the remote backend, its connections, and ``kg publish``."""
