"""The saved-query tests of ``tests/queries`` (golden answers, catalogue, pagination, errors), in remote mode.

The command-line tests of those modules run on the build, not through a server, so they are not repeated.
"""

from tests.queries.test_queries_api import (
    test_bad_page_is_400,
    test_catalogue_html_for_browsers,
    test_catalogue_json,
    test_errors,
    test_negotiates_like_sparql,
    test_openapi_document_is_valid,
    test_pagination_links_walk_every_row,
    test_post_form_for_long_values,
)
from tests.queries.test_queries_golden import (
    test_describe_entity_is_a_graph,
    test_every_example_call_answers,
    test_golden,
)

__all__ = [
    "test_bad_page_is_400",
    "test_catalogue_html_for_browsers",
    "test_catalogue_json",
    "test_describe_entity_is_a_graph",
    "test_errors",
    "test_every_example_call_answers",
    "test_golden",
    "test_negotiates_like_sparql",
    "test_openapi_document_is_valid",
    "test_pagination_links_walk_every_row",
    "test_post_form_for_long_values",
]
