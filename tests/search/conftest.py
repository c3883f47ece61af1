"""A small, deterministic catalog with prices and stock, indexed through the outbox events."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from handel.catalog import services as catalog_services
from handel.catalog.importing import import_products
from handel.catalog.records import to_json_object
from handel.customers.models import CustomerGroup
from handel.inventory import services as inventory_services
from handel.pricing import services as pricing_services
from handel.search import snapshot


@pytest.fixture(autouse=True)
def _fresh_snapshots() -> None:
    # Revisions restart with every test database transaction; snapshots must not outlive one.
    snapshot.forget_all()


def product(
    sku: str,
    name: str,
    *,
    category: str,
    brand: str = "",
    name_nl: str = "",
    description: str = "",
    channels: tuple[str, ...] = ("b2c", "b2b"),
    template: str = "tool",
    **fields: Any,
) -> dict[str, Any]:
    record = {
        "sku": sku,
        "kind": "simple",
        "status": "active",
        "name": name,
        "name_nl": name_nl or name,
        "description": description,
        "template": template,
        "brand": brand,
        "channels": list(channels),
        "categories": [category],
    }
    record.update(fields)
    return record


PRODUCTS = [
    product(
        "DRL-100",
        "Cordless drill driver 18 V",
        category="tools/drills",
        brand="bosch",
        mpn="GSR18-55",
        gtin="4006381333931",
        name_nl="Accuboormachine 18 V",
        description="Compact drill for screws.",
        **{"attr.power": "500", "attr.features": ["led"], "attr.material": "nylon"},
    ),
    product(
        "DRL-200",
        "Hammer drill 230 V",
        category="tools/drills",
        brand="makita",
        name_nl="Klopboormachine 230 V",
        description="Drills into concrete.",
        **{"attr.power": "750", "attr.features": ["hammer"]},
    ),
    product(
        "DRL-300",
        "Compact drill 12 V",
        category="tools/drills",
        brand="bosch",
        name_nl="Compacte boormachine",
        **{"attr.power": "300", "attr.features": ["led", "hammer"]},
    ),
    product(
        "HAM-1",
        "Claw hammer 500 g",
        category="tools/hand-tools",
        brand="stanley",
        name_nl="Klauwhamer 500 g",
        description="Steel claw hammer with a fibreglass grip.",
    ),
    product("HAM-2", "Sledge hammer 2 kg", category="tools/hand-tools", brand="acme", name_nl="Voorhamer 2 kg"),
    product(
        "SAW-1",
        "Circular saw 1400 W",
        category="tools/saws",
        brand="bosch",
        name_nl="Cirkelzaag 1400 W",
        description="Saw with a drill-free blade change.",
        **{"attr.power": "1400"},
    ),
    product(
        "BIT-1",
        "HSS drill bit set, 10 pieces",
        category="tools/accessories",
        brand="acme",
        mpn="HSS-10",
        name_nl="HSS borenset, 10 stuks",
    ),
    product("SCR-1", "Screwdriver set", category="tools/hand-tools", brand="stanley", name_nl="Schroevendraaierset"),
    product(
        "APP-1",
        "Organic T-shirt",
        category="apparel/shirts",
        brand="acme",
        template="shirt",
        name_nl="Biologisch T-shirt",
        channels=("b2c",),
        **{"attr.colour": "red"},
    ),
    product(
        "APP-2",
        "Classic T-shirt",
        category="apparel/shirts",
        brand="acme",
        template="shirt",
        name_nl="Klassiek T-shirt",
        channels=("b2c",),
        **{"attr.colour": "blue"},
    ),
    product(
        "PRESS-1",
        "Industrial drill press",
        category="tools/drills",
        brand="makita",
        channels=("b2b",),
        **{"attr.power": "900"},
    ),
    product("SECRET-1", "Prototype drill", category="tools/drills", brand="bosch", status="draft"),
]
PRICES = {
    "DRL-100": "129.00",
    "DRL-200": "249.00",
    "DRL-300": "89.00",
    "HAM-1": "19.95",
    "HAM-2": "39.00",
    "SAW-1": "179.00",
    "BIT-1": "24.50",
    "SCR-1": "29.00",
    "APP-1": "19.00",
    "APP-2": "15.00",
    "PRESS-1": "899.00",
}
STOCK = {
    "DRL-100": 20,
    "DRL-200": 3,
    "HAM-1": 50,
    "HAM-2": 0,
    "SAW-1": 10,
    "BIT-1": 100,
    "SCR-1": 7,
    "APP-1": 30,
    "APP-2": 30,
    "PRESS-1": 1,
}


@pytest.fixture
def search_catalog(channels: None, db: Any, django_capture_on_commit_callbacks: Any) -> dict[str, Any]:
    """Twelve products in two channels, with prices, stock and a wholesale assortment (tools only);
    indexed by the events the catalog, pricing and inventory services emit."""
    actor = None
    with django_capture_on_commit_callbacks(execute=True):
        catalog_services.create_attribute(
            actor=actor, code="power", name="Power", type="decimal", unit="W", is_filterable=True
        )
        catalog_services.create_attribute(
            actor=actor,
            code="features",
            name="Features",
            type="multi_select",
            is_filterable=True,
            options=[{"code": "led", "label": "LED light"}, {"code": "hammer", "label": "Hammer action"}],
        )
        catalog_services.create_attribute(
            actor=actor, code="material", name="Material", type="text", is_searchable=True
        )
        catalog_services.create_attribute(
            actor=actor,
            code="colour",
            name="Colour",
            type="single_select",
            is_filterable=True,
            options=[{"code": "red", "label": "Red"}, {"code": "blue", "label": "Blue"}],
        )
        catalog_services.create_template(
            actor=actor,
            code="tool",
            name="Tool",
            attributes=[("power", False), ("features", False), ("material", False)],
        )
        catalog_services.create_template(actor=actor, code="shirt", name="Shirt", attributes=[("colour", False)])
        for code, name in (("bosch", "Bosch"), ("makita", "Makita"), ("stanley", "Stanley"), ("acme", "Acme")):
            catalog_services.create_brand(actor=actor, code=code, name=name)
        for slug, name, name_nl, parent in (
            ("tools", "Tools", "Gereedschap", None),
            ("drills", "Drills", "Boormachines", "tools"),
            ("hand-tools", "Hand tools", "Handgereedschap", "tools"),
            ("saws", "Saws", "Zagen", "tools"),
            ("accessories", "Accessories", "Accessoires", "tools"),
            ("apparel", "Apparel", "Kleding", None),
            ("shirts", "Shirts", "Shirts", "apparel"),
        ):
            catalog_services.create_category(
                actor=actor, slug=slug, name=name, parent_path=parent, translations={"nl": {"name": name_nl}}
            )
        text = "\n".join(json.dumps(to_json_object(record)) for record in PRODUCTS)
        report = import_products(text=text, format="jsonl")
        assert not report.errors, report.errors
        pricing_services.create_price_list(
            actor=actor,
            code="base",
            name="Base",
            currency="EUR",
            is_base=True,
            assignments=[{"kind": "channel", "key": "b2c"}, {"kind": "channel", "key": "b2b"}],
        )
        pricing_services.set_price_entries(
            actor=actor,
            price_list_code="base",
            entries=[pricing_services.EntryInput(sku=sku, unit_price=Decimal(price)) for sku, price in PRICES.items()],
        )
        inventory_services.create_source(
            actor=actor, code="main", name="Main warehouse", country="NL", channel_codes=["b2c", "b2b"]
        )
        inventory_services.bulk_update_stock(
            actor=actor,
            updates=[
                inventory_services.StockUpdate(sku=sku, source_code="main", on_hand=quantity)
                for sku, quantity in STOCK.items()
            ],
        )
        CustomerGroup.objects.create(code="wholesale", name="Wholesale")
        catalog_services.save_assortment(
            actor=actor,
            code="wholesale-tools",
            name="Wholesale tools",
            channel_code="b2c",
            customer_group_code="wholesale",
            category_paths=["tools/hand-tools", "tools/saws"],
            skus=["DRL-100"],
        )
    return {}
