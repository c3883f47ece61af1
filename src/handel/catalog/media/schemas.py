from __future__ import annotations

from ninja import Schema
from pydantic import Field


class RenditionOut(Schema):
    url: str
    width: int
    height: int


class ImageOut(Schema):
    id: str
    url: str
    is_external: bool
    alt_text: str
    alt_text_nl: str
    width: int | None
    height: int | None
    renditions: dict[str, RenditionOut] = Field(description="thumb, small, medium, large (uploads only)")
    variant_sku: str | None = Field(None, description="set when the image belongs to one variant")


class SpinSetOut(Schema):
    id: str
    title: str
    frames: list[ImageOut]


class DocumentOut(Schema):
    id: str
    kind: str
    title: str
    language: str
    url: str
    byte_size: int


class ModelOut(Schema):
    id: str
    title: str
    format: str
    url: str
    byte_size: int


class ProductMediaOut(Schema):
    images: list[ImageOut]
    spin_sets: list[SpinSetOut]
    documents: list[DocumentOut]
    models: list[ModelOut]


class ImageReferenceIn(Schema):
    url: str = Field(max_length=1000)
    alt_text: str = Field("", max_length=300)
    alt_text_nl: str = Field("", max_length=300)


class ImagePatch(Schema):
    alt_text: str | None = Field(None, max_length=300)
    alt_text_nl: str | None = Field(None, max_length=300)


class ImageOrderIn(Schema):
    image_ids: list[str] = Field(max_length=500)
