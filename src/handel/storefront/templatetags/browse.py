"""Template tags of the browse pages: the header's category navigation."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import Http404

from handel.storefront.browse_views import shop_viewer, top_categories

register = template.Library()


@register.inclusion_tag("storefront/browse/category_nav.html", takes_context=True)
def category_navigation(context: dict[str, Any]) -> dict[str, Any]:
    """The viewer's top categories (cached briefly, so most pages pay no query for them)."""
    request = context.get("request")
    if request is None:
        return {"categories": []}
    try:
        viewer = shop_viewer(request)
    except Http404:
        return {"categories": []}
    return {"categories": top_categories(viewer), "current_path": request.path}
