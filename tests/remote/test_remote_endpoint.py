"""The /sparql endpoint tests of ``tests/server/test_server_endpoint.py``, run in remote mode.

The test functions are imported by name; the fixtures they ask for (``kg_server``...) come from this
folder's conftest, so each runs against ``kg serve --backend`` on data published by ``kg publish``.
"""

from tests.server.test_server_endpoint import (
    test_cors,
    test_dataset_parameters_select_held_graphs,
    test_default_graph_is_union_and_graph_reaches_each,
    test_graph_negotiation,
    test_malformed_query_gets_parser_message,
    test_nothing_acceptable_gets_406,
    test_other_methods_get_405,
    test_oversized_body_gets_413,
    test_row_cap_applies_to_graphs,
    test_row_cap_keeps_variable_order_and_small_results,
    test_row_cap_truncates_with_header,
    test_select_json,
    test_select_negotiation,
    test_several_queries_get_400,
    test_wrong_media_type_gets_415,
)

__all__ = [
    "test_cors",
    "test_dataset_parameters_select_held_graphs",
    "test_default_graph_is_union_and_graph_reaches_each",
    "test_graph_negotiation",
    "test_malformed_query_gets_parser_message",
    "test_nothing_acceptable_gets_406",
    "test_other_methods_get_405",
    "test_oversized_body_gets_413",
    "test_row_cap_applies_to_graphs",
    "test_row_cap_keeps_variable_order_and_small_results",
    "test_row_cap_truncates_with_header",
    "test_select_json",
    "test_select_negotiation",
    "test_several_queries_get_400",
    "test_wrong_media_type_gets_415",
]


def test_every_endpoint_test_also_runs_in_remote_mode() -> None:
    """A test added to the embedded module and not named here would silently skip remote mode."""
    from tests.server import test_server_endpoint

    embedded = {name for name in dir(test_server_endpoint) if name.startswith("test_")}
    assert embedded == set(__all__), sorted(embedded ^ set(__all__))
