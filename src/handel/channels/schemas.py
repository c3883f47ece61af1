from __future__ import annotations

from typing import Literal

from ninja import Schema
from pydantic import Field


class ChannelOut(Schema):
    code: str
    name: str
    currency: str
    default_locale: str
    locales: list[str]
    tax_display: str
    default_country: str
    allowed_countries: list[str]
    is_default: bool
    is_b2b: bool


class ChannelIn(Schema):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,49}$")
    name: str = Field(min_length=1, max_length=100)
    currency: str = Field(min_length=3, max_length=3)
    default_locale: str = Field(min_length=2, max_length=10)
    locales: list[str] = Field(min_length=1)
    tax_display: Literal["incl", "excl"]
    default_country: str = Field(min_length=2, max_length=2)
    allowed_countries: list[str] = Field(default_factory=list)
    is_default: bool = False
    is_b2b: bool = False


class ChannelPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=100)
    currency: str | None = Field(None, min_length=3, max_length=3)
    default_locale: str | None = None
    locales: list[str] | None = None
    tax_display: Literal["incl", "excl"] | None = None
    default_country: str | None = None
    allowed_countries: list[str] | None = None
    is_default: bool | None = None
    is_active: bool | None = None


class ChannelPage(Schema):
    items: list[ChannelOut]
    meta: dict[str, int]
