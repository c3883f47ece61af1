"""What a form post tells the user: the service's refusal, or what it did (a message on the next page)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest

from handel.core.errors import DomainError


def told(request: HttpRequest, action: Callable[[], object], done: str) -> None:
    """Run the service call; the user is told `done`, or why it was refused."""
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, done)
