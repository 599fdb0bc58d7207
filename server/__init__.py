"""The SPARQL 1.1 endpoint of the knowledge graph: a Flask application behind an event-loop HTTP front
(:mod:`server.front`), its queries evaluated in killable processes (:mod:`server.evaluators`)."""

from server.app import create_app

__all__ = ["create_app"]
