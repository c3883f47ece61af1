"""Page-number pagination with a total count and a stable order (primary key breaks ties)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db.models import QuerySet
from ninja import Schema
from pydantic import Field

from handel.core.errors import InvalidInput, field_error

T = TypeVar("T")
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20


class PageParams(Schema):
    page: int = Field(1, ge=1, description="1-based page number")
    page_size: int = Field(DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


class PageMeta(Schema):
    page: int
    page_size: int
    total: int
    pages: int


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    page: int
    page_size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    def as_dict(self, serialise: Callable[[T], Any] | None = None) -> dict[str, Any]:
        items = [serialise(item) for item in self.items] if serialise else self.items
        return {
            "items": items,
            "meta": {"page": self.page, "page_size": self.page_size, "total": self.total, "pages": self.pages},
        }


def paginate(
    queryset: QuerySet[Any], *, page: int = 1, page_size: int = DEFAULT_PAGE_SIZE, order_by: Sequence[str] = ()
) -> Page[Any]:
    """One COUNT and one SELECT, whatever the page size."""
    if page < 1:
        raise InvalidInput("page must be 1 or more", errors=[field_error(["query", "page"], "must be >= 1")])
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise InvalidInput(
            f"page_size must be between 1 and {MAX_PAGE_SIZE}",
            errors=[field_error(["query", "page_size"], f"must be between 1 and {MAX_PAGE_SIZE}")],
        )
    ordering = list(order_by) or [str(field) for field in queryset.query.order_by] or ["pk"]
    if not any(field.lstrip("-") in {"pk", "id"} for field in ordering):
        ordering.append("pk")
    ordered = queryset.order_by(*ordering)
    total = ordered.count()
    start = (page - 1) * page_size
    # Past the last page nothing is asked: an offset past 2**63 would overflow SQLite's integers.
    items = list(ordered[start : start + page_size]) if start < total else []
    return Page(items=items, page=page, page_size=page_size, total=total)
