"""Ordering, permissions, visibility and the list query of product media."""

from __future__ import annotations

import json

import pytest
from django.core.files.storage import default_storage

from handel.catalog import services as catalog_services
from handel.catalog.media import samples, services
from handel.catalog.media.models import ProductImage
from handel.catalog.media.queries import media_for_products
from handel.catalog.models import Product
from tests.catalog.conftest import simple
from tests.catalog.media.conftest import named, upload
from tests.conftest import assert_problem

B2C = {"X-Handel-Channel": "b2c"}


def _body(response):
    return json.loads(response.content)


def _picture(label: str, size: int = 200) -> bytes:
    return samples.product_picture(label, colour=(120, 60, 20), size=size)


@pytest.mark.django_db
def test_images_can_be_reordered_and_deleted(products, staff_api, api, django_capture_on_commit_callbacks):
    ids = [
        _body(upload(staff_api, "/catalog/products/DRL-1/images", file=named(f"{n}.png", _picture(n))))["id"]
        for n in ("a", "b", "c")
    ]
    shown = _body(api.call("get", "/catalog/products/DRL-1/media", headers=B2C))["images"]
    assert [image["id"] for image in shown] == ids
    new_order = [ids[2], ids[0], ids[1]]
    response = staff_api.call("put", "/catalog/products/DRL-1/image-order", {"image_ids": new_order})
    assert [image["id"] for image in _body(response)] == new_order
    shown = _body(api.call("get", "/catalog/products/DRL-1/media", headers=B2C))["images"]
    assert [image["id"] for image in shown] == new_order
    for wrong in ([ids[0], ids[1]], [ids[0], ids[0], ids[1]], [*ids, "not-an-id"]):
        body = assert_problem(staff_api.call("put", "/catalog/products/DRL-1/image-order", {"image_ids": wrong}), 422)
        assert body["errors"][0]["loc"] == ["body", "image_ids"]
    image = ProductImage.objects.get(public_id=ids[2])
    paths = [image.file, *(item["path"] for item in image.renditions.values())]
    with django_capture_on_commit_callbacks(execute=True):
        assert staff_api.call("delete", f"/catalog/images/{ids[2]}").status_code == 204
    assert not any(default_storage.exists(path) for path in paths)
    assert_problem(staff_api.call("delete", f"/catalog/images/{ids[2]}"), 404)
    assert_problem(staff_api.call("delete", "/catalog/images/nonsense"), 404)
    patched = staff_api.call("patch", f"/catalog/images/{ids[0]}", {"alt_text": "Front", "alt_text_nl": "Voorkant"})
    assert (_body(patched)["alt_text"], _body(patched)["alt_text_nl"]) == ("Front", "Voorkant")


@pytest.mark.django_db
def test_only_staff_with_the_write_scope_may_change_media(products, api, make_user, api_for):
    data = _picture("x")
    assert_problem(upload(api, "/catalog/products/DRL-1/images", file=named("x.png", data)), 401)
    customer = api_for(make_user(), scopes=("account",))
    assert_problem(upload(customer, "/catalog/products/DRL-1/images", file=named("x.png", data)), 403)
    reader = api_for(make_user(superuser=True), scopes=("catalog:read",))
    assert_problem(upload(reader, "/catalog/products/DRL-1/images", file=named("x.png", data)), 403)
    assert_problem(
        reader.call("post", "/catalog/products/DRL-1/image-references", {"url": "https://cdn.example.com/x.jpg"}), 403
    )
    clerk = api_for(make_user(staff=True, perms=["catalog.change_product"]), scopes=("catalog:write",))
    assert_problem(upload(clerk, "/catalog/products/DRL-1/images", file=named("x.png", data)), 403)
    assert not ProductImage.objects.exists()
    image = services.add_image(actor=None, sku="DRL-1", data=data)
    for client in (api, customer, reader):
        assert client.call("delete", f"/catalog/images/{image.public_id}").status_code in (401, 403)
    assert ProductImage.objects.count() == 1


@pytest.mark.django_db
def test_unknown_products_and_bad_input_get_problems(products, staff_api):
    assert_problem(upload(staff_api, "/catalog/products/NOPE/images", file=named("x.png", _picture("x"))), 404)
    assert_problem(staff_api.call("post", "/catalog/products/DRL-1/image-references", {"url": "ftp://x/y.jpg"}), 422)
    assert_problem(staff_api.call("post", "/catalog/products/DRL-1/image-references", {}), 422)
    assert_problem(upload(staff_api, "/catalog/products/DRL-1/images"), 422)
    assert_problem(staff_api.call("put", "/catalog/products/DRL-1/image-order", raw="{not json"), 400)


@pytest.mark.django_db
def test_public_media_respects_channel_status_and_assortment(products, api, django_capture_on_commit_callbacks):
    services.add_image(actor=None, sku="KIT-1", data=_picture("kit"))
    services.add_image(actor=None, sku="DL-1", data=_picture("draft"))
    assert api.call("get", "/catalog/products/KIT-1/media", headers={"X-Handel-Channel": "b2b"}).status_code == 200
    assert_problem(api.call("get", "/catalog/products/KIT-1/media", headers=B2C), 404)  # b2b only
    assert_problem(api.call("get", "/catalog/products/DL-1/media", headers=B2C), 404)  # a draft
    assert_problem(api.call("get", "/catalog/products/NOPE/media", headers=B2C), 404)
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.save_assortment(
            actor=None,
            code="b2b-default",
            name="B2B",
            channel_code="b2b",
            is_channel_default=True,
            category_paths=["software"],
        )
    assert_problem(api.call("get", "/catalog/products/KIT-1/media", headers={"X-Handel-Channel": "b2b"}), 404)


@pytest.mark.django_db
def test_variant_images_show_on_the_configurable(products, api):
    services.add_image(actor=None, sku="TEE", data=_picture("tee"), alt_text="T-shirt")
    services.add_image(actor=None, sku="TEE-RED-S", data=_picture("red"), alt_text="Red T-shirt")
    services.add_image_reference(actor=None, sku="TEE-BLUE-M", url="https://cdn.example.com/blue.jpg")
    media = _body(api.call("get", "/catalog/products/TEE/media", headers=B2C))
    assert [(image["alt_text"], image["variant_sku"]) for image in media["images"]] == [
        ("T-shirt", None),
        ("Red T-shirt", "TEE-RED-S"),
        ("", "TEE-BLUE-M"),
    ]
    assert media["images"][2]["url"] == "https://cdn.example.com/blue.jpg" and media["images"][2]["is_external"]
    variant = _body(api.call("get", "/catalog/products/TEE-RED-S/media", headers=B2C))
    assert [image["alt_text"] for image in variant["images"]] == ["Red T-shirt"]


@pytest.mark.django_db
def test_media_for_products_costs_one_query_whatever_the_page_size(catalog, django_assert_num_queries):
    for index in range(12):
        catalog_services.create_product(actor=None, record=simple(f"P-{index:02d}", gtin=""))
    products = list(Product.objects.order_by("sku"))
    for index, product in enumerate(products[:10]):
        services.add_image(actor=None, sku=product.sku, data=_picture(f"{index}a", 64), alt_text=f"{index} first")
        services.add_image(actor=None, sku=product.sku, data=_picture(f"{index}b", 64), alt_text=f"{index} second")
    services.add_model(actor=None, sku=products[10].sku, data=samples.box_model_glb())
    first = ProductImage.objects.get(product=products[0], position=0)
    services.reorder_images(
        actor=None,
        sku=products[0].sku,
        image_ids=[
            str(image.public_id) for image in ProductImage.objects.filter(product=products[0]).order_by("-position")
        ],
    )
    for size in (2, 12):
        with django_assert_num_queries(1):
            summaries = media_for_products([product.id for product in products[:size]])
    assert set(summaries) == {product.id for product in products[:10]}  # the model-only product has no image
    top = summaries[products[0].id]
    assert top.image_count == 2 and top.primary_image is not None
    assert top.primary_image["alt_text"] == "0 second" and top.primary_image["id"] != str(first.public_id)
    assert top.primary_image["renditions"]["thumb"]["url"].startswith("/media/catalog/images/")
    assert summaries[products[1].id].primary_image["alt_text"] == "1 first"
    services.add_model(actor=None, sku=products[1].sku, data=samples.box_model_glb())
    flagged = media_for_products([products[1].id])[products[1].id]
    assert flagged.has_3d_model and not flagged.has_spin_set and not top.has_3d_model
    assert media_for_products([]) == {}


@pytest.mark.django_db
def test_a_configurable_without_own_images_shows_its_first_variant_image(products, django_assert_num_queries):
    tee, red, drill = (Product.objects.get(sku=sku) for sku in ("TEE", "TEE-RED-S", "DRL-1"))
    services.add_image(actor=None, sku="TEE-BLUE-M", data=_picture("blue", 64), alt_text="Blue")
    services.add_image(actor=None, sku="TEE-RED-S", data=_picture("red", 64), alt_text="Red")
    services.add_image(actor=None, sku="DRL-1", data=_picture("drill", 64), alt_text="Drill")
    with django_assert_num_queries(1):
        summaries = media_for_products([tee.id, red.id, drill.id])
    # Asked for itself, the variant keeps its image; the configurable has the other one.
    assert summaries[tee.id].primary_image["alt_text"] == "Blue" and summaries[tee.id].image_count == 1
    assert summaries[red.id].primary_image["alt_text"] == "Red" and summaries[red.id].image_count == 1
    assert media_for_products([tee.id])[tee.id].image_count == 2
    assert summaries[drill.id].primary_image["alt_text"] == "Drill"
    services.add_image(actor=None, sku="TEE", data=_picture("tee", 64), alt_text="Own")
    assert media_for_products([tee.id])[tee.id].primary_image["alt_text"] == "Own"
