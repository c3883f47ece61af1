"""Add a requisition list (or some of its lines) to one of the caller's carts."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from handel.checkout.requisitions import add_requisition_list_to_cart as add_list_to_cart
from handel.checkout.schemas import quick_answers_out
from handel.core.api import AUTH, require_scope, require_user

router = Router(tags=["checkout"])


class RequisitionToCartIn(Schema):
    cart_id: UUID
    line_ids: list[int] | None = Field(None, min_length=1, max_length=500, description="omit for the whole list")


@router.post(
    "/requisition-lists/{list_id}/add-to-cart",
    response=dict,
    operation_id="add_requisition_list_to_cart",
    auth=AUTH,
)
def add_requisition_list_to_cart(request: HttpRequest, list_id: int, payload: RequisitionToCartIn) -> Any:
    """Every line of the list, or `line_ids`, into the cart; each line gets the answer quick order
    gives (added, adjusted to the increment, not in your assortment, below minimum, ...)."""
    user = require_user(request)
    require_scope(request, "account")
    answers = add_list_to_cart(public_id=payload.cart_id, user=user, list_id=list_id, line_ids=payload.line_ids)
    return quick_answers_out(answers)
