from __future__ import annotations

import pytest

from handel.catalog import services
from handel.catalog.models import Category, ProductCategory
from handel.catalog.queries import product_facts
from handel.core.errors import Conflict, InvalidInput
from tests.conftest import assert_problem


@pytest.mark.django_db
def test_moving_a_subtree_keeps_paths_depths_and_products_consistent(products):
    services.create_category(actor=None, slug="deep", name="Deep", parent_path="tools/drills/cordless")
    services.move_category(actor=None, path="tools/drills", new_parent_path="apparel")
    paths = dict(Category.objects.values_list("path", "depth"))
    assert paths["apparel/drills"] == 1
    assert paths["apparel/drills/cordless"] == 2
    assert paths["apparel/drills/cordless/deep"] == 3
    assert not any(path.startswith("tools/drills") for path in paths)
    for category in Category.objects.select_related("parent"):
        expected = f"{category.parent.path}/{category.slug}" if category.parent else category.slug
        assert category.path == expected and category.depth == category.path.count("/")
    assert product_facts(["DRL-1"])["DRL-1"].category_paths == ("apparel", "apparel/drills")
    assert ProductCategory.objects.filter(category__path="apparel/drills").count() == 2
    services.move_category(actor=None, path="apparel/drills", new_parent_path=None, new_slug="boren")
    assert Category.objects.get(path="boren/cordless/deep").depth == 2


@pytest.mark.django_db
def test_a_category_cannot_move_into_itself_or_onto_a_taken_path(catalog):
    with pytest.raises(InvalidInput):
        services.move_category(actor=None, path="tools", new_parent_path="tools/drills/cordless")
    services.create_category(actor=None, slug="drills", name="Drills", parent_path="apparel")
    with pytest.raises(Conflict):
        services.move_category(actor=None, path="tools/drills", new_parent_path="apparel")
    assert Category.objects.filter(path="tools/drills/cordless").exists()


@pytest.mark.django_db
def test_category_api(catalog, make_user, api_for, api):
    staff = api_for(make_user(superuser=True), scopes=("catalog:write",))
    response = staff.call(
        "post",
        "/catalog/categories",
        {"slug": "hammers", "name": "Hammers", "parent_path": "tools", "seo_title": "Hammers"},
    )
    assert response.status_code == 201, response.content
    moved = staff.call("post", "/catalog/category-moves", {"path": "tools/hammers", "parent_path": "tools/drills"})
    assert moved.json()["path"] == "tools/drills/hammers"
    assert api.call("get", "/catalog/categories/tools/drills/hammers").json()["seo_title"] == "Hammers"
    assert staff.call("patch", "/catalog/categories/tools/drills/hammers", {"name": "H"}).json()["name"] == "H"
    assert_problem(staff.call("delete", "/catalog/categories/tools"), 409)
    assert staff.call("delete", "/catalog/categories/tools/drills/hammers").status_code == 204
    assert_problem(api.call("get", "/catalog/categories/tools/drills/hammers"), 404)
