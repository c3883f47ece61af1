"""Public read types of the catalog, for the domains after it (pricing, inventory, search, checkout)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class ProductFacts:
    """What other domains need to know about a SKU, loaded in bulk by `queries.product_facts`."""

    sku: str
    product_id: int
    parent_sku: str | None
    kind: str  # simple, configurable, variant, bundle, kit, virtual
    name: str
    brand: str | None  # brand code
    category_paths: tuple[str, ...]  # slug paths incl. ancestors, e.g. ("tools", "tools/drills")
    attributes: dict[str, tuple[str, ...]] = field(hash=False)
    tax_class: str
    cost_price: Decimal | None
    msrp: Decimal | None
    weight_grams: int | None
    is_shippable: bool
    min_order_qty: int
    order_increment: int
    status: str
    bundle_pricing: str = ""  # a bundle's: fixed (its own price) or dynamic (the sum of its chosen options)
    # A dynamic bundle's preselected options (SKU, quantity), when every required group has one:
    # what it costs before the buyer chooses (listings, search, compare). Empty otherwise.
    default_components: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class AssortmentScope:
    """An assortment reduced to what visibility checks need (cached)."""

    id: int
    code: str
    channel_code: str | None
    is_channel_default: bool
    customer_group_code: str | None
    category_paths: tuple[str, ...]
    category_ids: tuple[int, ...] = ()  # the categories and all their descendants
