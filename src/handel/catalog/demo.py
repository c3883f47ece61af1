"""The demo catalog: tools and industrial supplies for the B2B portal, apparel and home electronics
for the B2C shop, with configurables, bundles, kits and digital products.

small = 1,000 products, medium = 25,000, large = 100,000 (variants count as products). Deterministic
from the seed, and idempotent: the products go through the import write path, and products that
exist already are left alone.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

from django.db import transaction

from handel.catalog.gtin import with_check_digit
from handel.catalog.importing import refresh_statistics
from handel.catalog.models import (
    Assortment,
    Attribute,
    AttributeOption,
    Brand,
    Category,
    Product,
    ProductTemplate,
    TemplateAttribute,
)
from handel.catalog.queries import forget_cached_assortments
from handel.catalog.records import Record
from handel.catalog.validation import Catalog, check_references, clean_record
from handel.catalog.writing import write_records
from handel.channels.models import Channel
from handel.core.demo import DemoContext
from handel.customers.models import CustomerGroup

PRODUCTS_PER_SCALE = 1000

COLOURS = [
    ("black", "Black", "#111111", "Zwart"),
    ("white", "White", "#f5f5f5", "Wit"),
    ("navy", "Navy", "#1f2a44", "Marine"),
    ("red", "Red", "#c0392b", "Rood"),
    ("green", "Forest green", "#2e7d32", "Bosgroen"),
    ("grey", "Heather grey", "#9e9e9e", "Grijs"),
    ("yellow", "Hi-vis yellow", "#f4e409", "Signaalgeel"),
    ("orange", "Hi-vis orange", "#ff7f00", "Signaaloranje"),
]
SIZES = ["xs", "s", "m", "l", "xl", "xxl"]
SHOE_SIZES = [str(size) for size in range(36, 47)]
BIT_SIZES = ["3", "4", "5", "6", "8", "10", "12"]
GLOVE_SIZES = ["7", "8", "9", "10", "11"]

ATTRIBUTES: list[dict[str, Any]] = [
    {
        "code": "colour",
        "name": "Colour",
        "nl": "Kleur",
        "type": "swatch",
        "variant": True,
        "filterable": True,
        "comparable": True,
        "options": [(c, label, swatch, nl) for c, label, swatch, nl in COLOURS],
    },
    {
        "code": "size",
        "name": "Size",
        "nl": "Maat",
        "type": "single_select",
        "variant": True,
        "filterable": True,
        "options": [(s, s.upper(), "", s.upper()) for s in SIZES + GLOVE_SIZES + SHOE_SIZES if s not in ("",)],
    },
    {
        "code": "bit_size",
        "name": "Bit diameter",
        "nl": "Boordiameter",
        "type": "single_select",
        "variant": True,
        "filterable": True,
        "options": [(s, f"{s} mm", "", f"{s} mm") for s in BIT_SIZES],
    },
    {
        "code": "material",
        "name": "Material",
        "nl": "Materiaal",
        "type": "text",
        "translatable": True,
        "searchable": True,
        "comparable": True,
    },
    {"code": "care", "name": "Care instructions", "nl": "Wasvoorschrift", "type": "rich_text"},
    {
        "code": "power",
        "name": "Power",
        "nl": "Vermogen",
        "type": "decimal",
        "unit": "W",
        "filterable": True,
        "comparable": True,
    },
    {
        "code": "voltage",
        "name": "Voltage",
        "nl": "Spanning",
        "type": "integer",
        "unit": "V",
        "filterable": True,
        "comparable": True,
    },
    {
        "code": "cordless",
        "name": "Cordless",
        "nl": "Snoerloos",
        "type": "boolean",
        "filterable": True,
        "comparable": True,
    },
    {"code": "released", "name": "Release date", "nl": "Verschijningsdatum", "type": "date"},
    {
        "code": "features",
        "name": "Features",
        "nl": "Kenmerken",
        "type": "multi_select",
        "filterable": True,
        "comparable": True,
        "options": [
            (c, label, "", nl)
            for c, label, nl in (
                ("led", "LED light", "LED-lamp"),
                ("brushless", "Brushless motor", "Koolborstelloze motor"),
                ("hammer", "Hammer action", "Klopfunctie"),
                ("noise-cancelling", "Noise cancelling", "Ruisonderdrukking"),
                ("waterproof", "Waterproof", "Waterdicht"),
                ("bluetooth", "Bluetooth", "Bluetooth"),
                ("wifi", "Wi-Fi", "Wifi"),
                ("usb-c", "USB-C", "USB-C"),
                ("hdr", "HDR", "HDR"),
                ("organic", "Organic cotton", "Biologisch katoen"),
            )
        ],
    },
    {
        "code": "screen_size",
        "name": "Screen size",
        "nl": "Schermdiagonaal",
        "type": "decimal",
        "unit": "in",
        "filterable": True,
        "comparable": True,
    },
    {
        "code": "pack_size",
        "name": "Pieces per pack",
        "nl": "Stuks per verpakking",
        "type": "integer",
        "filterable": True,
    },
    {
        "code": "thread",
        "name": "Thread",
        "nl": "Schroefdraad",
        "type": "single_select",
        "filterable": True,
        "options": [(t.lower(), t, "", t) for t in ("M3", "M4", "M5", "M6", "M8", "M10", "M12")],
    },
    {
        "code": "warranty_years",
        "name": "Warranty",
        "nl": "Garantie",
        "type": "integer",
        "unit": "years",
        "comparable": True,
    },
]

TEMPLATES = {
    "power-tool": (
        "Power tool",
        [
            ("power", True),
            ("voltage", True),
            ("cordless", True),
            ("features", False),
            ("released", False),
            ("warranty_years", False),
            ("material", False),
        ],
    ),
    "hand-tool": ("Hand tool", [("material", True), ("warranty_years", False)]),
    "drill-bit": ("Drill bit set", [("bit_size", True), ("material", True)]),
    "fastener": ("Fastener", [("thread", True), ("pack_size", True), ("material", True)]),
    "safety-gear": ("Safety gear", [("colour", True), ("size", True), ("material", False)]),
    "apparel": (
        "Apparel",
        [("colour", True), ("size", True), ("material", True), ("care", False), ("features", False)],
    ),
    "footwear": ("Footwear", [("colour", True), ("size", True), ("material", False)]),
    "audio": (
        "Audio",
        [("features", False), ("power", False), ("warranty_years", False), ("released", False), ("colour", False)],
    ),
    "television": (
        "Television",
        [("screen_size", True), ("features", False), ("power", False), ("warranty_years", False), ("released", False)],
    ),
    "software": ("Software and services", [("released", False)]),
}

BRANDS = {
    "b2b": [
        "Bosch Professional",
        "Makita",
        "DeWalt",
        "Hilti",
        "Festool",
        "Wera",
        "Knipex",
        "Fischer",
        "Würth",
        "3M",
        "Uvex",
        "Snickers",
    ],
    "b2c": [
        "Nordlicht",
        "Kade",
        "Vero",
        "Sonique",
        "Lumen",
        "Tidewave",
        "Philips",
        "Samsung",
        "Sony",
        "JBL",
        "Patagonia",
        "Veja",
    ],
}

CATEGORIES = [
    ("tools", "Tools", "Gereedschap"),
    ("tools/power-tools", "Power tools", "Elektrisch gereedschap"),
    ("tools/power-tools/drills", "Drills", "Boormachines"),
    ("tools/power-tools/saws", "Saws", "Zagen"),
    ("tools/power-tools/grinders", "Grinders", "Slijpmachines"),
    ("tools/hand-tools", "Hand tools", "Handgereedschap"),
    ("tools/hand-tools/screwdrivers", "Screwdrivers", "Schroevendraaiers"),
    ("tools/hand-tools/pliers", "Pliers", "Tangen"),
    ("tools/accessories", "Accessories", "Accessoires"),
    ("tools/accessories/drill-bits", "Drill bits", "Boren"),
    ("tools/kits", "Tool kits", "Gereedschapssets"),
    ("industrial", "Industrial supplies", "Industriële benodigdheden"),
    ("industrial/fasteners", "Fasteners", "Bevestigingsmiddelen"),
    ("industrial/fasteners/screws", "Screws", "Schroeven"),
    ("industrial/fasteners/bolts", "Bolts", "Bouten"),
    ("industrial/fasteners/anchors", "Anchors", "Pluggen"),
    ("industrial/safety", "Safety", "Veiligheid"),
    ("industrial/safety/gloves", "Gloves", "Handschoenen"),
    ("industrial/safety/workwear", "Workwear", "Werkkleding"),
    ("software", "Software and services", "Software en diensten"),
    ("software/licences", "Licences", "Licenties"),
    ("software/training", "Training", "Trainingen"),
    ("apparel", "Apparel", "Kleding"),
    ("apparel/men", "Men", "Heren"),
    ("apparel/men/t-shirts", "T-shirts", "T-shirts"),
    ("apparel/men/hoodies", "Hoodies", "Hoodies"),
    ("apparel/women", "Women", "Dames"),
    ("apparel/women/t-shirts", "T-shirts", "T-shirts"),
    ("apparel/women/dresses", "Dresses", "Jurken"),
    ("apparel/shoes", "Shoes", "Schoenen"),
    ("electronics", "Home electronics", "Elektronica"),
    ("electronics/audio", "Audio", "Audio"),
    ("electronics/audio/headphones", "Headphones", "Koptelefoons"),
    ("electronics/audio/speakers", "Speakers", "Speakers"),
    ("electronics/tv", "Televisions", "Televisies"),
    ("electronics/bundles", "Bundles", "Bundels"),
    ("digital", "Digital", "Digitaal"),
    ("digital/ebooks", "E-books", "E-books"),
    ("digital/gift-cards", "Gift cards", "Cadeaukaarten"),
]


def build(context: DemoContext) -> None:
    with transaction.atomic():
        _reference_data()
    catalog = Catalog()
    records = list(generate_records(context.random_for("catalog"), PRODUCTS_PER_SCALE * context.scale))
    # Products that exist already are left as they are (a merchant may have changed them since),
    # which also makes a second run cheap.
    existing = set(Product.objects.values_list("sku", flat=True))
    records = [record for record in records if record["sku"] not in existing]
    checked = [clean_record(record, index + 1, catalog) for index, record in enumerate(records)]
    check_references(checked)
    problems = [error for item in checked for error in item.errors]
    if problems:
        raise RuntimeError(f"demo catalog records are invalid: {problems[:5]}")
    with transaction.atomic():
        write_records([item.record for item in checked], catalog)
        _assortments()
    forget_cached_assortments()
    if checked:
        refresh_statistics()


def _reference_data() -> None:
    for position, spec in enumerate(ATTRIBUTES):
        attribute, _ = Attribute.objects.update_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "translations": {"nl": {"name": spec["nl"]}},
                "type": spec["type"],
                "unit": spec.get("unit", ""),
                "is_translatable": spec.get("translatable", False),
                "is_searchable": spec.get("searchable", False),
                "is_filterable": spec.get("filterable", False),
                "is_comparable": spec.get("comparable", False),
                "is_variant_defining": spec.get("variant", False),
                "position": position,
            },
        )
        for index, (code, label, swatch, nl) in enumerate(spec.get("options", [])):
            AttributeOption.objects.update_or_create(
                attribute=attribute,
                code=code,
                defaults={"label": label, "swatch": swatch, "translations": {"nl": {"label": nl}}, "position": index},
            )
    attributes = dict(Attribute.objects.values_list("code", "id"))
    for code, (name, links) in TEMPLATES.items():
        template, _ = ProductTemplate.objects.update_or_create(code=code, defaults={"name": name})
        for position, (attribute, required) in enumerate(links):
            TemplateAttribute.objects.update_or_create(
                template=template,
                attribute_id=attributes[attribute],
                defaults={"is_required": required, "position": position},
            )
    for names in BRANDS.values():
        for name in names:
            Brand.objects.update_or_create(code=_slug(name), defaults={"name": name})
    for position, (path, name, nl) in enumerate(CATEGORIES):
        parent_path, _, slug = path.rpartition("/")
        Category.objects.update_or_create(
            path=path,
            defaults={
                "parent": Category.objects.get(path=parent_path) if parent_path else None,
                "slug": slug,
                "depth": path.count("/"),
                "position": position,
                "name": name,
                "translations": {"nl": {"name": nl}},
                "seo_title": f"{name} | Handel",
                "seo_description": f"Shop {name.lower()} at Handel.",
            },
        )


def _assortments() -> None:
    channels = {channel.code: channel for channel in Channel.objects.filter(code__in=["b2b", "b2c"])}
    spec = [
        ("b2b-standard", "B2B standard range", "b2b", True, None, ["tools", "industrial", "software"]),
        ("b2c-shop", "Shop range", "b2c", True, None, ["apparel", "electronics", "digital"]),
        (
            "b2b-wholesale",
            "Wholesale range",
            "b2b",
            False,
            "wholesale",
            ["tools", "industrial", "software", "electronics"],
        ),
        # The catalog shared with De Vries Bouw (companies demo): it replaces their group's range.
        ("devries-bouw-contract", "De Vries Bouw contract range", "b2b", False, None, ["tools", "industrial"]),
    ]
    for code, name, channel_code, is_default, group_code, paths in spec:
        group = CustomerGroup.objects.filter(code=group_code).first() if group_code else None
        assortment, _ = Assortment.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "channel": channels.get(channel_code),
                "is_channel_default": is_default,
                "customer_group": group,
            },
        )
        assortment.categories.set(Category.objects.filter(path__in=paths))


def _slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name.lower().replace("ü", "u")).strip("-")


class Generator:
    """Families of products, round-robin over the channels' product lines, until `total` rows."""

    def __init__(self, rng: random.Random, total: int) -> None:
        self.rng = rng
        self.total = total
        self.count = 0
        self.simple_skus: dict[str, list[str]] = {"b2b": [], "b2c": []}

    def gtin(self) -> str:
        return with_check_digit(f"87{self.count + 1:010d}")

    def base(self, sku: str, name: str, channel: str, category: str, template: str, **fields: Any) -> Record:
        rng = self.rng
        record: Record = {
            "sku": sku,
            "kind": "simple",
            "status": "active" if rng.random() > 0.03 else "draft",
            "name": name,
            "name_nl": name,
            "description": f"{name}. Built to last, backed by the manufacturer's warranty.",
            "template": template,
            "brand": _slug(rng.choice(BRANDS[channel])),
            "channels": [channel],
            "categories": [f"{category}#{self.count % 50}"],
            "gtin": self.gtin(),
            "mpn": f"{sku[-6:]}-{rng.randint(10, 99)}",
            "tax_class": "standard",
            "unit": "piece",
            "weight_grams": rng.randint(80, 4000),
            "length_mm": rng.randint(50, 600),
            "width_mm": rng.randint(30, 400),
            "height_mm": rng.randint(10, 300),
            "cost_price": f"{rng.uniform(2, 300):.2f}",
        }
        record["msrp"] = f"{float(record['cost_price']) * rng.uniform(1.4, 2.4):.2f}"
        record.update(fields)
        self.count += 1
        return record

    def power_tool(self, index: int) -> Iterator[Record]:
        rng = self.rng
        kind, category = rng.choice(
            [
                ("Drill driver", "drills"),
                ("Hammer drill", "drills"),
                ("Circular saw", "saws"),
                ("Jigsaw", "saws"),
                ("Angle grinder", "grinders"),
            ]
        )
        voltage = rng.choice([12, 18, 36, 230])
        record = self.base(
            f"B2B-PT-{index:06d}",
            f"{kind} {voltage} V {rng.choice(['Pro', 'Compact', 'XR', 'Max'])}",
            "b2b",
            f"tools/power-tools/{category}",
            "power-tool",
            **{
                "attr.power": f"{rng.choice([300, 450, 600, 750, 1010, 1400])}",
                "attr.voltage": voltage,
                "attr.cordless": voltage != 230,
                "attr.features": rng.sample(["led", "brushless", "hammer"], rng.randint(0, 2)),
                "attr.released": f"20{rng.randint(19, 25)}-{rng.randint(1, 12):02d}-01",
                "attr.warranty_years": rng.choice([1, 2, 3]),
                "attr.material": "glass-fibre nylon",
                "attr.material.nl": "glasvezelversterkt nylon",
            },
        )
        self.simple_skus["b2b"].append(record["sku"])
        yield record

    def hand_tool(self, index: int) -> Iterator[Record]:
        rng = self.rng
        kind, category = rng.choice(
            [
                ("Screwdriver set", "screwdrivers"),
                ("Combination pliers", "pliers"),
                ("Side cutter", "pliers"),
                ("Torx screwdriver", "screwdrivers"),
            ]
        )
        record = self.base(
            f"B2B-HT-{index:06d}",
            f"{kind} {rng.randint(120, 250)} mm",
            "b2b",
            f"tools/hand-tools/{category}",
            "hand-tool",
            **{
                "attr.material": "chrome vanadium steel",
                "attr.material.nl": "chroom-vanadiumstaal",
                "attr.warranty_years": 10,
            },
        )
        self.simple_skus["b2b"].append(record["sku"])
        yield record

    def fastener(self, index: int) -> Iterator[Record]:
        rng = self.rng
        kind, category = rng.choice([("Wood screw", "screws"), ("Hex bolt", "bolts"), ("Nylon anchor", "anchors")])
        thread = rng.choice(["m3", "m4", "m5", "m6", "m8", "m10", "m12"])
        pack = rng.choice([50, 100, 200, 500])
        yield self.base(
            f"B2B-FS-{index:06d}",
            f"{kind} {thread.upper()} x {rng.choice([16, 20, 30, 40, 60])}, box of {pack}",
            "b2b",
            f"industrial/fasteners/{category}",
            "fastener",
            unit="box",
            min_order_qty=12,
            order_increment=12,
            weight_grams=rng.randint(200, 2500),
            **{
                "attr.thread": thread,
                "attr.pack_size": pack,
                "attr.material": "zinc-plated steel",
                "attr.material.nl": "verzinkt staal",
            },
        )

    def configurable(
        self,
        index: int,
        channel: str,
        prefix: str,
        name: str,
        category: str,
        template: str,
        axes: dict[str, list[str]],
        extra: dict[str, Any],
    ) -> Iterator[Record]:
        rng = self.rng
        chosen = {
            code: sorted(rng.sample(values, min(len(values), rng.randint(2, 4))), key=values.index)
            for code, values in axes.items()
        }
        parent = self.base(
            f"{prefix}-{index:06d}",
            name,
            channel,
            category,
            template,
            kind="configurable",
            variant_attributes=list(axes),
            gtin="",
            weight_grams=None,
            **extra,
        )
        yield parent
        combinations: list[dict[str, str]] = [{}]
        for code, values in chosen.items():
            combinations = [{**combo, code: value} for combo in combinations for value in values]
        for combo in combinations:
            if self.count >= self.total:
                return
            suffix = "-".join(value.upper() for value in combo.values())
            yield self.base(
                f"{parent['sku']}-{suffix}",
                f"{name} {' '.join(v.upper() for v in combo.values())}",
                channel,
                category,
                template,
                kind="variant",
                parent_sku=parent["sku"],
                template_="",
                channels=[],
                categories=[],
                brand="",
                **{f"attr.{code}": value for code, value in combo.items()},
            )

    def bundle(self, index: int, channel: str) -> Iterator[Record]:
        rng = self.rng
        pool = self.simple_skus[channel][-40:]
        if len(pool) < 4:
            return
        main, extra = rng.sample(pool, 2), rng.sample(pool, 2)
        fixed = rng.random() < 0.5
        name = "Starter bundle" if channel == "b2b" else "Home cinema bundle"
        category = "tools/kits" if channel == "b2b" else "electronics/bundles"
        yield self.base(
            f"{channel.upper()}-BN-{index:06d}",
            f"{name} {index}",
            channel,
            category,
            "",
            kind="bundle",
            gtin="",
            weight_grams=None,
            bundle_pricing="fixed" if fixed else "dynamic",
            bundle_price=f"{rng.uniform(99, 999):.2f}" if fixed else None,
            bundle_groups=[
                {
                    "code": "main",
                    "name": "Choose your main product",
                    "required": True,
                    "min": 1,
                    "max": 1,
                    "options": [{"sku": sku, "quantity": 1, "default": n == 0} for n, sku in enumerate(main)],
                },
                {
                    "code": "extras",
                    "name": "Add extras",
                    "required": False,
                    "min": 0,
                    "max": 2,
                    "options": [{"sku": sku, "quantity": rng.randint(1, 3), "default": False} for sku in extra],
                },
            ],
        )

    def kit(self, index: int) -> Iterator[Record]:
        rng = self.rng
        pool = self.simple_skus["b2b"][-30:]
        if len(pool) < 3:
            return
        parts = rng.sample(pool, 3)
        yield self.base(
            f"B2B-KT-{index:06d}",
            f"Installer kit {index}",
            "b2b",
            "tools/kits",
            "",
            kind="kit",
            gtin="",
            weight_grams=None,
            kit_components=[f"{sku}*{rng.randint(1, 2)}" for sku in parts],
        )

    def digital(self, index: int, channel: str) -> Iterator[Record]:
        rng = self.rng
        if channel == "b2b":
            name, category, delivery = rng.choice(
                [
                    ("Site planner licence, 1 year", "software/licences", "licence"),
                    ("Power tool safety training (online)", "software/training", "service"),
                    ("Fleet management licence", "software/licences", "licence"),
                ]
            )
        else:
            name, category, delivery = rng.choice(
                [
                    ("Gift card EUR 25", "digital/gift-cards", "licence"),
                    ("E-book: Home audio explained", "digital/ebooks", "file"),
                    ("E-book: Capsule wardrobe", "digital/ebooks", "file"),
                ]
            )
        yield self.base(
            f"{channel.upper()}-DG-{index:06d}",
            name,
            channel,
            category,
            "software",
            kind="virtual",
            gtin="",
            weight_grams=None,
            length_mm=None,
            width_mm=None,
            height_mm=None,
            tax_class="reduced" if "book" in name else "standard",
            digital_delivery=delivery,
            digital_file=f"downloads/{channel}-{index}.pdf" if delivery == "file" else "",
        )

    def electronics(self, index: int) -> Iterator[Record]:
        rng = self.rng
        if rng.random() < 0.3:
            size = rng.choice([43, 50, 55, 65, 75])
            record = self.base(
                f"B2C-TV-{index:06d}",
                f'{size}" 4K television {rng.choice(["QLED", "OLED", "LED"])}',
                "b2c",
                "electronics/tv",
                "television",
                weight_grams=rng.randint(8000, 30000),
                **{
                    "attr.screen_size": str(size),
                    "attr.features": rng.sample(["hdr", "wifi"], 2),
                    "attr.warranty_years": 2,
                },
            )
        else:
            kind, category = rng.choice(
                [
                    ("Wireless headphones", "headphones"),
                    ("Bluetooth speaker", "speakers"),
                    ("Soundbar", "speakers"),
                    ("True wireless earbuds", "headphones"),
                ]
            )
            record = self.base(
                f"B2C-AU-{index:06d}",
                f"{kind} {rng.choice(['Air', 'Go', 'Studio', 'Max'])}",
                "b2c",
                f"electronics/audio/{category}",
                "audio",
                **{
                    "attr.features": rng.sample(["noise-cancelling", "bluetooth", "usb-c", "waterproof"], 2),
                    "attr.colour": rng.choice(["black", "white", "navy"]),
                    "attr.warranty_years": 2,
                    "attr.released": f"202{rng.randint(2, 5)}-09-01",
                },
            )
        self.simple_skus["b2c"].append(record["sku"])
        yield record

    def families(self) -> Iterator[Record]:
        rng = self.rng
        index = 0
        colours = [code for code, *_ in COLOURS]
        apparel = [
            ("T-shirt", "apparel/men/t-shirts"),
            ("Hoodie", "apparel/men/hoodies"),
            ("T-shirt", "apparel/women/t-shirts"),
            ("Wrap dress", "apparel/women/dresses"),
        ]
        lines = [
            lambda: self.power_tool(index),
            lambda: self.hand_tool(index),
            lambda: self.fastener(index),
            lambda: self.configurable(
                index,
                "b2b",
                "B2B-DB",
                "HSS drill bit, pack of 10",
                "tools/accessories/drill-bits",
                "drill-bit",
                {"bit_size": BIT_SIZES},
                {
                    "attr.material": "HSS-G steel",
                    "attr.material.nl": "HSS-G staal",
                    "unit": "pack",
                    "order_increment": 5,
                    "min_order_qty": 5,
                },
            ),
            lambda: self.configurable(
                index,
                "b2b",
                "B2B-GL",
                "Nitrile work gloves",
                "industrial/safety/gloves",
                "safety-gear",
                {"colour": ["black", "orange"], "size": GLOVE_SIZES},
                {"unit": "pair", "order_increment": 12, "min_order_qty": 12},
            ),
            lambda: self.kit(index),
            lambda: self.bundle(index, "b2b"),
            lambda: self.digital(index, "b2b"),
            lambda: self.configurable(
                index,
                "b2c",
                "B2C-AP",
                f"{rng.choice(['Organic', 'Classic', 'Relaxed'])} {rng.choice(apparel)[0]}",
                rng.choice(apparel)[1],
                "apparel",
                {"colour": colours[:6], "size": SIZES},
                {
                    "attr.material": "100% cotton",
                    "attr.material.nl": "100% katoen",
                    "attr.care": "<p>Machine wash at 30 °C.</p>",
                },
            ),
            lambda: self.configurable(
                index,
                "b2c",
                "B2C-SH",
                f"{rng.choice(['Canvas', 'Leather', 'Runner'])} sneaker",
                "apparel/shoes",
                "footwear",
                {"colour": ["black", "white", "navy"], "size": SHOE_SIZES},
                {},
            ),
            lambda: self.electronics(index),
            lambda: self.electronics(index),
            lambda: self.bundle(index, "b2c"),
            lambda: self.digital(index, "b2c"),
        ]
        weights = [12, 8, 12, 3, 2, 2, 1, 2, 4, 2, 12, 8, 1, 2]
        while self.count < self.total:
            index += 1
            line = rng.choices(lines, weights)[0]
            for record in line():
                record.pop("template_", None)
                if record["kind"] == "variant":
                    record["template"] = ""
                    record["mpn"] = ""
                yield record
                if self.count >= self.total:
                    return


def generate_records(rng: random.Random, total: int) -> Iterator[Record]:
    records = list(Generator(rng, total).families())
    skus_by_category: dict[str, list[str]] = {}
    for record in records:
        if record["kind"] in ("simple", "configurable") and record["categories"]:
            skus_by_category.setdefault(record["categories"][0].partition("#")[0], []).append(record["sku"])
    for record in records:
        if record["kind"] != "simple" or rng.random() > 0.3:
            continue
        neighbours = [
            sku
            for sku in skus_by_category.get(record["categories"][0].partition("#")[0], [])[-20:]
            if sku != record["sku"]
        ]
        chosen = rng.sample(neighbours, min(2, len(neighbours)))
        record["relations"] = [f"{kind}:{sku}" for kind, sku in zip(("related", "accessory"), chosen, strict=False)]
    yield from records
