"""Every write use case of inventory: the only way other packages change stock."""

from handel.inventory.allocation import Destination
from handel.inventory.queries import ReservationResult
from handel.inventory.services.reservations import (
    expire_reservations,
    release_reservation,
    reserve_stock,
    ship_reservation,
)
from handel.inventory.services.sources import create_source, set_channel_sources, update_source
from handel.inventory.services.stock import (
    BulkUpdateResult,
    StockUpdate,
    bulk_update_stock,
    record_movement,
    set_stock_policy,
    subscribe_back_in_stock,
    transfer_stock,
)

__all__ = [
    "BulkUpdateResult",
    "Destination",
    "ReservationResult",
    "StockUpdate",
    "bulk_update_stock",
    "create_source",
    "expire_reservations",
    "record_movement",
    "release_reservation",
    "reserve_stock",
    "set_channel_sources",
    "set_stock_policy",
    "ship_reservation",
    "subscribe_back_in_stock",
    "transfer_stock",
    "update_source",
]
