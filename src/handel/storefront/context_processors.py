"""Template context for every storefront page."""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest

from handel.storefront.checkout_views import line_count


def cart(request: HttpRequest) -> dict[str, Any]:
    # A callable: templates call it, so only pages that show the count pay its query.
    return {"cart_line_count": functools.partial(line_count, request)}
