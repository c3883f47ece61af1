"""Uploaded files are judged by what they contain, never by their name or declared content type.

Images are opened and verified with Pillow (JPEG, PNG or WebP; byte and pixel limits, checked
from the header before any pixel is decoded), PDFs by their magic bytes and end marker, glTF
models by parsing the GLB container (header and chunks) or the JSON document and requiring
`asset.version == "2.0"`.
"""

from __future__ import annotations

import io
import json
import struct
import warnings
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from handel.core.errors import InvalidInput, field_error

IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
GLB_MAGIC = b"glTF"
GLB_JSON_CHUNK = 0x4E4F534A  # "JSON" little endian
GLB_BINARY_CHUNK = 0x004E4942  # "BIN\0" little endian


@dataclass(frozen=True)
class ImageFacts:
    format: str  # JPEG, PNG or WEBP
    extension: str
    width: int
    height: int
    byte_size: int


@dataclass(frozen=True)
class ModelFacts:
    format: str  # glb or gltf
    extension: str
    byte_size: int
    generator: str


def _refuse(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, errors=[field_error(["body", field], message)])


def inspect_image(data: bytes, *, field: str = "file") -> ImageFacts:
    """Facts of a valid image, or InvalidInput naming what is wrong."""
    limit = settings.HANDEL_MEDIA_MAX_IMAGE_BYTES
    if not data:
        raise _refuse(field, "the file is empty")
    if len(data) > limit:
        raise _refuse(field, f"the image is larger than {limit} bytes")
    try:
        with warnings.catch_warnings():
            # Pillow warns (and beyond twice its own limit refuses) on huge pictures; our own
            # pixel limit below decides, so the warning must not leak into logs as noise.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                kind = image.format or ""
                width, height = image.size
                if kind not in IMAGE_FORMATS:
                    raise _refuse(field, "only JPEG, PNG and WebP images are accepted")
                if width * height > settings.HANDEL_MEDIA_MAX_IMAGE_PIXELS:
                    raise _refuse(field, f"the image has more than {settings.HANDEL_MEDIA_MAX_IMAGE_PIXELS} pixels")
                image.verify()
            # verify() checks structure and checksums but not that all pixel data is present;
            # decoding it once catches truncated files.
            with Image.open(io.BytesIO(data)) as image:
                image.load()
    except InvalidInput:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        OSError,
        SyntaxError,
        ValueError,
        struct.error,
        EOFError,
    ) as exc:
        raise _refuse(field, "the file is not a readable JPEG, PNG or WebP image") from exc
    return ImageFacts(format=kind, extension=IMAGE_FORMATS[kind], width=width, height=height, byte_size=len(data))


def inspect_pdf(data: bytes, *, field: str = "file") -> int:
    """The size of a plausible PDF: `%PDF-` at the start, `%%EOF` near the end, within the limit."""
    limit = settings.HANDEL_MEDIA_MAX_DOCUMENT_BYTES
    if len(data) > limit:
        raise _refuse(field, f"the document is larger than {limit} bytes")
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        raise _refuse(field, "the file is not a PDF document")
    return len(data)


def inspect_model(data: bytes, *, field: str = "file") -> ModelFacts:
    """A glTF 2.0 model, binary (.glb) or JSON (.gltf with embedded data URIs)."""
    limit = settings.HANDEL_MEDIA_MAX_MODEL_BYTES
    if len(data) > limit:
        raise _refuse(field, f"the model is larger than {limit} bytes")
    if data[:4] == GLB_MAGIC:
        document = _glb_document(data, field)
        kind, extension = "glb", "glb"
    else:
        try:
            document = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise _refuse(field, "the file is neither a GLB container nor a glTF JSON document") from exc
        _check_external_references(document, field)
        kind, extension = "gltf", "gltf"
    _check_gltf_document(document, field)
    asset = document["asset"]
    return ModelFacts(format=kind, extension=extension, byte_size=len(data), generator=str(asset.get("generator", "")))


def _glb_document(data: bytes, field: str) -> dict[str, Any]:
    if len(data) < 20:
        raise _refuse(field, "the GLB file is truncated")
    version, length = struct.unpack_from("<II", data, 4)
    if version != 2:
        raise _refuse(field, "only GLB container version 2 is accepted")
    if length != len(data):
        raise _refuse(field, "the GLB header's length does not match the file")
    offset = 12
    document: dict[str, Any] | None = None
    index = 0
    while offset < length:
        if offset + 8 > length:
            raise _refuse(field, "a GLB chunk header is truncated")
        chunk_length, chunk_type = struct.unpack_from("<II", data, offset)
        start, end = offset + 8, offset + 8 + chunk_length
        if end > length or chunk_length % 4:
            raise _refuse(field, "a GLB chunk is truncated or not 4-byte aligned")
        if index == 0:
            if chunk_type != GLB_JSON_CHUNK:
                raise _refuse(field, "the first GLB chunk must be the JSON chunk")
            try:
                document = json.loads(data[start:end].decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as exc:
                raise _refuse(field, "the GLB JSON chunk is not valid JSON") from exc
        elif index == 1 and chunk_type != GLB_BINARY_CHUNK:
            raise _refuse(field, "the second GLB chunk must be the binary chunk")
        offset = end
        index += 1
    if document is None:
        raise _refuse(field, "the GLB file has no JSON chunk")
    return document


def _check_gltf_document(document: Any, field: str) -> None:
    if not isinstance(document, dict) or not isinstance(document.get("asset"), dict):
        raise _refuse(field, "the glTF document has no asset description")
    if document["asset"].get("version") != "2.0":
        raise _refuse(field, 'only glTF version "2.0" is accepted')
    for key in ("meshes", "nodes", "scenes", "accessors", "bufferViews", "buffers"):
        if key in document and not isinstance(document[key], list):
            raise _refuse(field, f"the glTF '{key}' must be a list")


def _check_external_references(document: Any, field: str) -> None:
    # A .gltf stored on its own must be self-contained: a reference to another file would be
    # broken, and a URL would make every viewer fetch from somewhere we do not control.
    if not isinstance(document, dict):
        return
    for key in ("buffers", "images"):
        for item in document.get(key) or []:
            uri = item.get("uri") if isinstance(item, dict) else None
            if uri is not None and not str(uri).startswith("data:"):
                raise _refuse(field, "a .gltf model must embed its buffers and images as data URIs")
