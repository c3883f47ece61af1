"""Steps of the checkout through the API, for the tests."""

from __future__ import annotations

import json
from typing import Any

from tests.checkout.conftest import ADDRESS, CARD_APPROVED


def body(response: Any) -> Any:
    return json.loads(response.content)


def new_cart(api: Any, channel: str = "b2c") -> str:
    response = api.call("post", "/checkout/carts", headers={"X-Handel-Channel": channel})
    assert response.status_code == 201, response.content
    return body(response)["id"]


def add(api: Any, cart: str, *lines: tuple[str, int], expect: int = 200) -> dict[str, Any]:
    response = api.call(
        "post",
        f"/checkout/carts/{cart}/lines",
        {"lines": [{"sku": sku, "quantity": quantity} for sku, quantity in lines]},
    )
    assert response.status_code == expect, response.content
    return body(response)


def address(api: Any, cart: str, **changes: Any) -> dict[str, Any]:
    response = api.call(
        "put",
        f"/checkout/carts/{cart}/addresses",
        {"email": "ann@example.com", "shipping_address": {**ADDRESS, **changes}},
    )
    assert response.status_code == 200, response.content
    return body(response)


def options(api: Any, cart: str) -> dict[str, Any]:
    response = api.call("get", f"/checkout/carts/{cart}/delivery-options")
    assert response.status_code == 200, response.content
    return body(response)


def choose(api: Any, cart: str, code: str) -> dict[str, Any]:
    response = api.call("put", f"/checkout/carts/{cart}/delivery", {"code": code})
    assert response.status_code == 200, response.content
    return body(response)


def ready_cart(api: Any, *lines: tuple[str, int], delivery: str = "flat_rate", channel: str = "b2c") -> str:
    cart = new_cart(api, channel)
    add(api, cart, *(lines or (("A", 2), ("B", 1))))
    address(api, cart)
    choose(api, cart, delivery)
    return cart


def place(api: Any, cart: str, method: str = "card", key: str | None = None, **extra: Any) -> Any:
    payload: dict[str, Any] = {"payment_method": method, **extra}
    if method == "card" and "card" not in extra:
        payload["card"] = CARD_APPROVED
    headers = {"Idempotency-Key": key} if key else None
    return api.call("post", f"/checkout/carts/{cart}/order", payload, headers=headers)
