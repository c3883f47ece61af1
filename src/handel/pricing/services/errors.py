"""The refusal every pricing write use case raises for a bad field."""

from __future__ import annotations

from collections.abc import Sequence

from handel.core.errors import InvalidInput, field_error


def invalid(detail: str, location: Sequence[str | int], message: str) -> InvalidInput:
    return InvalidInput(detail, errors=[field_error(["body", *location], message)])
