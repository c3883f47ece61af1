"""A requisition list (procurement) into the cart: the whole list or chosen lines.

The lines go through the cart's own line checks, so each gets the same answer quick order gives
(not in your assortment, below the minimum, adjusted to the increment, no price, ...) and the
acceptable ones are added whatever the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from handel.checkout import services
from handel.checkout.lines import LineAnswer, RequestedLine
from handel.checkout.queries import cart_for
from handel.core.errors import InvalidInput, NotFound, field_error
from handel.procurement.queries import lines_of, requisition_list_for


def add_requisition_list_to_cart(
    *, public_id: Any, user: Any, list_id: int, line_ids: Sequence[int] | None = None
) -> list[LineAnswer]:
    """Every line of the list, or only `line_ids`; one answer per line, in the list's order."""
    requisition_list = requisition_list_for(user, list_id)
    if requisition_list is None:
        raise NotFound(f"no requisition list {list_id}")
    cart = cart_for(public_id, user)
    if cart.channel_code != requisition_list.channel_code:
        raise InvalidInput(
            "the list belongs to another channel", errors=[field_error(["body", "cart_id"], "another channel")]
        )
    lines = lines_of(requisition_list)
    if line_ids is not None:
        wanted = set(line_ids)
        unknown = sorted(wanted - {line.pk for line in lines})
        if unknown:
            raise InvalidInput(
                "some lines are not on this list",
                errors=[field_error(["body", "line_ids"], f"not on this list: {unknown[0]}")],
            )
        lines = [line for line in lines if line.pk in wanted]
    if not lines:
        raise InvalidInput("the list has no lines to add", errors=[field_error(["body", "line_ids"], "no lines")])
    requested = [RequestedLine(line.sku, line.quantity, note=line.note) for line in lines]
    return services.quick_order(public_id=cart.public_id, user=user, requested=requested)
