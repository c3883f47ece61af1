from __future__ import annotations

from typing import Any

import pytest

from handel.catalog import services
from handel.catalog.models import Product


@pytest.fixture
def catalog(channels: None, db: Any) -> dict[str, Any]:
    """Attributes of every type, two templates, brands and a small category tree."""
    actor = None
    services.create_attribute(
        actor=actor,
        code="colour",
        name="Colour",
        type="swatch",
        is_variant_defining=True,
        is_filterable=True,
        is_comparable=True,
        options=[
            {"code": "red", "label": "Red", "swatch": "#ff0000"},
            {"code": "blue", "label": "Blue", "swatch": "#0000ff"},
            {"code": "black", "label": "Black", "swatch": "#000000"},
        ],
    )
    services.create_attribute(
        actor=actor,
        code="size",
        name="Size",
        type="single_select",
        is_variant_defining=True,
        is_filterable=True,
        options=[{"code": c, "label": c.upper()} for c in ("s", "m", "l")],
    )
    services.create_attribute(
        actor=actor, code="material", name="Material", type="text", is_translatable=True, is_searchable=True
    )
    services.create_attribute(actor=actor, code="care", name="Care", type="rich_text")
    services.create_attribute(actor=actor, code="power", name="Power", type="decimal", unit="W", is_filterable=True)
    services.create_attribute(actor=actor, code="voltage", name="Voltage", type="integer", unit="V", is_filterable=True)
    services.create_attribute(actor=actor, code="cordless", name="Cordless", type="boolean", is_filterable=True)
    services.create_attribute(actor=actor, code="released", name="Released", type="date")
    services.create_attribute(
        actor=actor,
        code="features",
        name="Features",
        type="multi_select",
        is_filterable=True,
        options=[{"code": c, "label": c} for c in ("led", "brushless", "hammer")],
    )
    services.create_template(
        actor=actor,
        code="drill",
        name="Drill",
        attributes=[
            ("power", True),
            ("voltage", False),
            ("cordless", False),
            ("released", False),
            ("features", False),
            ("material", False),
        ],
    )
    services.create_template(
        actor=actor,
        code="shirt",
        name="Shirt",
        attributes=[("colour", True), ("size", True), ("material", False), ("care", False)],
    )
    services.create_brand(actor=actor, code="bosch", name="Bosch")
    services.create_brand(actor=actor, code="acme", name="Acme")
    for slug, parent in (
        ("tools", None),
        ("drills", "tools"),
        ("saws", "tools"),
        ("cordless", "tools/drills"),
        ("apparel", None),
        ("shirts", "apparel"),
        ("software", None),
    ):
        services.create_category(actor=actor, slug=slug, name=slug.title(), parent_path=parent)
    return {}


def simple(sku: str = "DRL-1", **fields: Any) -> dict[str, Any]:
    record = {
        "sku": sku,
        "kind": "simple",
        "status": "active",
        "name": f"Drill {sku}",
        "template": "drill",
        "brand": "bosch",
        "gtin": "4006381333931",
        "channels": ["b2b", "b2c"],
        "categories": ["tools/drills"],
        "attr.power": "750.5",
        "cost_price": "40.1234",
        "msrp": "99.95",
        "weight_grams": 1800,
    }
    record.update(fields)
    return record


def every_kind() -> list[dict[str, Any]]:
    """Records of every product kind (flat form), references in a valid order."""
    return [
        simple(
            "DRL-1",
            **{
                "attr.voltage": 18,
                "attr.cordless": True,
                "attr.released": "2025-03-01",
                "attr.features": ["led", "brushless"],
                "attr.material": "steel",
                "attr.material.nl": "staal",
                "name_nl": "Boormachine",
                "description": "Strong.",
                "media": ["https://img.example.com/drl-1.jpg", "products/drl-1-side.jpg"],
                "min_order_qty": 2,
                "order_increment": 2,
                "length_mm": 300,
                "width_mm": 80,
                "height_mm": 250,
                "mpn": "GSR-18",
                "unit": "piece",
                "tax_class": "standard",
            },
        ),
        simple(
            "DRL-2",
            categories=["tools/drills#4", "tools"],
            relations=["cross_sell:DRL-1:mutual", "up_sell:DRL-1"],
            gtin="",
            **{"attr.power": "1000"},
        ),
        {
            "sku": "TEE",
            "kind": "configurable",
            "status": "active",
            "name": "T-shirt",
            "template": "shirt",
            "brand": "acme",
            "variant_attributes": ["colour", "size"],
            "channels": ["b2c"],
            "categories": ["apparel/shirts"],
            "attr.material": "cotton",
            "attr.care": "<p>Wash cold</p>",
        },
        {
            "sku": "TEE-RED-S",
            "parent_sku": "TEE",
            "kind": "variant",
            "status": "active",
            "name": "T-shirt red S",
            "attr.colour": "red",
            "attr.size": "s",
            "msrp": "19.99",
            "gtin": "8712345678906",
        },
        {
            "sku": "TEE-BLUE-M",
            "parent_sku": "TEE",
            "status": "active",
            "name": "T-shirt blue M",
            "attr.colour": "blue",
            "attr.size": "m",
            "msrp": "19.99",
        },
        {
            "sku": "KIT-1",
            "kind": "kit",
            "status": "active",
            "name": "Drill kit",
            "channels": ["b2b"],
            "categories": ["tools"],
            "kit_components": ["DRL-1*1", "DRL-2*2"],
        },
        {
            "sku": "BUN-1",
            "kind": "bundle",
            "status": "active",
            "name": "Starter bundle",
            "channels": ["b2b", "b2c"],
            "categories": ["tools"],
            "bundle_pricing": "fixed",
            "bundle_price": "149.00",
            "bundle_groups": [
                {
                    "code": "drill",
                    "name": "Drill",
                    "required": True,
                    "min": 1,
                    "max": 1,
                    "options": [{"sku": "DRL-1", "quantity": 1, "default": True}, {"sku": "DRL-2"}],
                },
                {
                    "code": "extra",
                    "name": "Extra",
                    "required": False,
                    "min": 0,
                    "max": 2,
                    "options": [{"sku": "TEE-RED-S", "quantity": 2}],
                },
            ],
        },
        {
            "sku": "SW-1",
            "kind": "virtual",
            "status": "active",
            "name": "Drill planner licence",
            "channels": ["b2b"],
            "categories": ["software"],
            "digital_delivery": "licence",
            "tax_class": "reduced",
        },
        {
            "sku": "DL-1",
            "kind": "virtual",
            "status": "draft",
            "name": "Manual PDF",
            "channels": ["b2c"],
            "digital_delivery": "file",
            "digital_file": "downloads/manual.pdf",
        },
    ]


@pytest.fixture
def products(catalog: dict[str, Any]) -> list[Product]:
    import json

    from handel.catalog.importing import import_products
    from handel.catalog.records import to_json_object

    text = "\n".join(json.dumps(to_json_object(record)) for record in every_kind())
    report = import_products(text=text, format="jsonl")
    assert not report.errors, report.errors
    return list(Product.objects.all())
