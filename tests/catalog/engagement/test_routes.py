"""The catalog's sub-apps share the /catalog prefix with the core router without any clash."""

from __future__ import annotations

import collections

from handel.api import api

OPERATIONS = {
    "list_reviews",
    "create_review",
    "moderate_review",
    "vote_review_helpful",
    "list_questions",
    "ask_question",
    "answer_question",
    "list_wishlists",
    "create_wishlist",
    "add_to_wishlist",
    "remove_from_wishlist",
    "get_shared_wishlist",
    "get_compare_list",
    "add_to_compare",
    "remove_from_compare",
    "get_product_media",
    "upload_product_image",
    "reorder_product_images",
    "delete_product_image",
    "upload_product_document",
    "create_spin_set",
    "upload_product_model",
}


def test_operation_ids_are_unique_and_paths_do_not_collide():
    document = api.get_openapi_schema()
    operations = [
        (path, method, spec["operationId"])
        for path, methods in document["paths"].items()
        for method, spec in methods.items()
    ]
    counts = collections.Counter(operation_id for _, _, operation_id in operations)
    assert [name for name, count in counts.items() if count > 1] == []
    assert set(counts) >= OPERATIONS
    routes = collections.Counter((path, method) for path, method, _ in operations)
    assert [route for route, count in routes.items() if count > 1] == []
