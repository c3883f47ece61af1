"""Refusals of the inventory domain."""

from __future__ import annotations

from collections.abc import Mapping

from handel.core.errors import Conflict, field_error


class OutOfStock(Conflict):
    """Not enough salable stock: nothing was reserved. `shortages` maps SKU -> (wanted, available)."""

    slug = "out-of-stock"
    title = "Out of stock"

    def __init__(self, detail: str, *, shortages: Mapping[str, tuple[int, int]]) -> None:
        super().__init__(
            detail,
            errors=[
                field_error(["body", "lines", sku], f"wanted {wanted}, available {available}", "out_of_stock")
                for sku, (wanted, available) in sorted(shortages.items())
            ],
            extra={
                "shortages": [
                    {"sku": sku, "wanted": wanted, "available": available}
                    for sku, (wanted, available) in sorted(shortages.items())
                ]
            },
        )
        self.shortages = dict(shortages)
