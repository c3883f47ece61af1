"""Product lists and pages show the gallery's images; exports carry uploaded images; the bulk record
reader agrees with the one-product reader; the first pages of a list agree with the deep pages."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from handel.catalog import browsing
from handel.catalog.importing import export_products, import_products
from handel.catalog.media import samples
from handel.catalog.media import services as media_services
from handel.catalog.models import Product
from handel.catalog.records import StoredRecords, record_of, with_record_data


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _picture() -> bytes:
    return samples.product_picture("test", colour=(30, 120, 200), size=600)


def _body(response: Any) -> Any:
    return json.loads(response.content)


@pytest.mark.django_db
def test_list_items_have_their_main_image_and_the_page_its_gallery(products, api, django_assert_max_num_queries):
    first = media_services.add_image(actor=None, sku="DRL-1", data=_picture(), alt_text="Drill, side")
    media_services.add_image(actor=None, sku="DRL-1", data=_picture(), alt_text="Drill, top")
    variant = media_services.add_image(actor=None, sku="TEE-RED-S", data=_picture(), alt_text="Red tee")
    headers = {"X-Handel-Channel": "b2c"}
    api.call("get", "/catalog/products?page_size=50", headers=headers)  # the count is cached after this
    with django_assert_max_num_queries(5):
        items = {item["sku"]: item for item in _body(api.call("get", "/catalog/products", headers=headers))["items"]}
    image = items["DRL-1"]["image"]
    assert image["url"] == f"/media/{first.renditions['thumb']['path']}"
    assert (image["alt_text"], image["width"], items["DRL-1"]["image_count"]) == ("Drill, side", 160, 2)
    # A configurable without images of its own shows its first variant's.
    assert items["TEE"]["image"]["alt_text"] == "Red tee"
    assert items["DRL-2"]["image"] is None and items["DRL-2"]["image_count"] == 0

    detail = _body(api.call("get", "/catalog/products/DRL-1", headers=headers))
    assert [picture["alt_text"] for picture in detail["gallery"]] == ["Drill, side", "Drill, top"]
    assert detail["image"]["alt_text"] == "Drill, side"
    assert set(detail["gallery"][0]["renditions"]) == {"thumb", "small", "medium", "large"}
    tee = _body(api.call("get", "/catalog/products/TEE", headers=headers))
    assert [(picture["alt_text"], picture["variant_sku"]) for picture in tee["gallery"]] == [("Red tee", "TEE-RED-S")]
    assert tee["gallery"][0]["id"] == str(variant.public_id)


@pytest.mark.django_db
@pytest.mark.parametrize("format", ["csv", "jsonl"])
def test_export_lists_uploaded_images_and_importing_it_changes_nothing(products, format):
    image = media_services.add_image(actor=None, sku="DRL-1", data=_picture(), alt_text="Drill")
    out = io.StringIO()
    export_products(out, format=format)
    text = out.getvalue()
    uploaded_url = f"/media/{image.file}"
    assert uploaded_url in text
    report = import_products(text=text, format=format)
    assert report.errors == []
    assert (report.created, report.updated) == (0, 0)
    drill = Product.objects.get(sku="DRL-1")
    # The product keeps its own references; the uploaded image stays in the gallery only.
    assert drill.media == ["https://img.example.com/drl-1.jpg", "products/drl-1-side.jpg"]
    assert drill.images.filter(file=image.file).count() == 1


@pytest.mark.django_db
def test_the_bulk_record_reader_agrees_with_the_one_product_reader(products):
    one_by_one = {product.pk: record_of(product) for product in with_record_data(Product.objects.all())}
    assert StoredRecords().read(sorted(one_by_one)) == one_by_one


@pytest.mark.django_db
@pytest.mark.parametrize("channel", ["b2b", "b2c"])
def test_the_first_pages_list_what_deep_pages_list(products, channel, monkeypatch):
    viewer = browsing.Viewer(channel_code=channel)
    shallow = [browsing.product_list(viewer, page=page, page_size=2)["items"] for page in (1, 2, 3)]
    monkeypatch.setattr(browsing, "CHECK_EACH_ROWS", 0)
    deep = [browsing.product_list(viewer, page=page, page_size=2)["items"] for page in (1, 2, 3)]
    assert [item["sku"] for page in shallow for item in page] == [item["sku"] for page in deep for item in page]
    assert [item["sku"] for page in deep for item in page] == sorted(viewer.products().values_list("sku", flat=True))[
        :6
    ]
