"""Demo media: generated pictures for a spread of products (and the variants of a few
configurables), some 360° spin sets, small box-shaped GLB models and PDF datasheets. Sizes are kept
small so that even the large demo makes only a few hundred images. Idempotent: a product that has
media of a kind already gets no more of it."""

from __future__ import annotations

import random

from handel.catalog.media import samples, services
from handel.catalog.media.models import ProductDocument, ProductImage, ProductModel3D, SpinSet
from handel.catalog.models import Product
from handel.core.demo import DemoContext

PICTURE_SIZE = 480
FRAME_SIZE = 240
FRAMES_PER_SPIN = 8
COLOURS = [
    (192, 57, 43),
    (41, 128, 185),
    (39, 174, 96),
    (243, 156, 18),
    (142, 68, 173),
    (44, 62, 80),
    (22, 160, 133),
    (211, 84, 0),
]


def build(context: DemoContext) -> None:
    rng = context.random_for("catalog media")
    products = list(
        Product.objects.filter(parent__isnull=True, status=Product.Status.ACTIVE)
        .order_by("sku")
        .values_list("id", "sku", "name", "kind")
    )
    if not products:
        return
    chosen = sorted(rng.sample(products, min(len(products), 60 if context.scale == 1 else 140)))
    with_images = set(ProductImage.objects.filter(spin_set=None).values_list("product_id", flat=True).distinct())
    for product_id, sku, name, _ in chosen:
        if product_id in with_images:
            continue
        colour = rng.choice(COLOURS)
        for view, angle in (("front", 0), ("side", 35)):
            services.add_image(
                actor=None,
                sku=sku,
                alt_text=f"{name}, {view}",
                alt_text_nl=f"{name}, {_nl(view)}",
                data=samples.product_picture(name, colour=colour, size=PICTURE_SIZE, angle=angle),
            )
    _variant_images(rng, products, with_images)
    _spin_sets(rng, chosen)
    _models(rng, chosen)
    _documents(rng, chosen, 20 * min(context.scale, 2))


def _nl(view: str) -> str:
    return {"front": "voorkant", "side": "zijkant"}[view]


def _variant_images(rng: random.Random, products: list[tuple[int, str, str, str]], with_images: set[int]) -> None:
    configurables = [row for row in products if row[3] == Product.Kind.CONFIGURABLE][:3]
    for parent_id, _, _, _ in configurables:
        for variant_id, sku, name in (
            Product.objects.filter(parent_id=parent_id).order_by("sku").values_list("id", "sku", "name")[:6]
        ):
            if variant_id in with_images:
                continue
            services.add_image(
                actor=None,
                sku=sku,
                alt_text=name,
                alt_text_nl=name,
                data=samples.product_picture(name, colour=rng.choice(COLOURS), size=PICTURE_SIZE),
            )


def _spin_sets(rng: random.Random, chosen: list[tuple[int, str, str, str]]) -> None:
    have = set(SpinSet.objects.values_list("product_id", flat=True))
    for product_id, sku, name, _ in chosen[:3]:
        if product_id in have:
            continue
        colour = rng.choice(COLOURS)
        frames = [
            samples.product_picture(name, colour=colour, size=FRAME_SIZE, angle=step * 360 // FRAMES_PER_SPIN)
            for step in range(FRAMES_PER_SPIN)
        ]
        services.create_spin_set(actor=None, sku=sku, frames=frames, title=f"{name} 360°")


def _models(rng: random.Random, chosen: list[tuple[int, str, str, str]]) -> None:
    have = set(ProductModel3D.objects.values_list("product_id", flat=True))
    for product_id, sku, name, _ in chosen[3:7]:
        if product_id in have:
            continue
        red, green, blue = rng.choice(COLOURS)
        data = samples.box_model_glb(
            width=round(rng.uniform(0.1, 0.5), 2),
            height=round(rng.uniform(0.1, 0.4), 2),
            depth=round(rng.uniform(0.05, 0.3), 2),
            colour=(red / 255, green / 255, blue / 255),
            name=sku.lower(),
        )
        services.add_model(actor=None, sku=sku, data=data, title=f"{name} (3D)")


def _documents(rng: random.Random, chosen: list[tuple[int, str, str, str]], count: int) -> None:
    have = set(ProductDocument.objects.values_list("product_id", flat=True))
    for product_id, sku, name, _ in chosen[:count]:
        if product_id in have:
            continue
        services.add_document(
            actor=None,
            sku=sku,
            title=f"{name} datasheet",
            language="en",
            kind="datasheet",
            data=samples.simple_pdf(
                f"{name} - datasheet",
                [
                    f"SKU: {sku}",
                    f"Article: {name}",
                    f"Batch: {rng.randint(1000, 9999)}",
                    "Generated for the Handel demo store.",
                ],
            ),
        )
        if rng.random() < 0.3:
            services.add_document(
                actor=None,
                sku=sku,
                title=f"{name} handleiding",
                language="nl",
                kind="manual",
                data=samples.simple_pdf(f"{name} - handleiding", [f"Artikel: {sku}"]),
            )
