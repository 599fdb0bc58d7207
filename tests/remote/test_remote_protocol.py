"""The W3C SPARQL 1.1 Protocol manifest (``tests/server/test_server_w3c_protocol.py``), in remote mode."""

from tests.server.test_server_w3c_protocol import test_manifest_counts, test_protocol

__all__ = ["test_manifest_counts", "test_protocol"]
