"""The /sparql endpoint tests of ``tests/server/test_server_endpoint.py``, run in remote mode."""

from tests.server.test_server_endpoint import *  # noqa: F403  (the test functions; the fixtures come from this folder)
