"""Small, valid media files made in code: product pictures, a box-shaped glTF 2.0 model and a
one-page PDF. The demo store uses them, and tests upload them; they are deterministic, so the
same input always gives the same bytes."""

from __future__ import annotations

import io
import json
import struct

from PIL import Image, ImageDraw

from handel.catalog.media.inspection import GLB_BINARY_CHUNK, GLB_JSON_CHUNK, GLB_MAGIC


def product_picture(
    label: str, *, colour: tuple[int, int, int], size: int = 480, format: str = "PNG", angle: int = 0
) -> bytes:
    """A square picture: a coloured background, a shape turned by `angle` degrees, and the label."""
    image = Image.new("RGB", (size, size), (246, 246, 244))
    draw = ImageDraw.Draw(image)
    margin = size // 6
    draw.rounded_rectangle(
        (margin // 2, margin // 2, size - margin // 2, size - margin // 2),
        radius=size // 12,
        fill=tuple(min(255, c + 60) for c in colour),
    )
    shape = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    ImageDraw.Draw(shape).ellipse((margin, margin * 2, size - margin, size - margin * 2), fill=(*colour, 255))
    ImageDraw.Draw(shape).rectangle(
        (size // 2 - margin // 3, margin, size // 2 + margin // 3, size - margin), fill=(*colour, 255)
    )
    shape = shape.rotate(angle, resample=Image.Resampling.BILINEAR)
    image.paste(shape, (0, 0), shape)
    draw.text((margin // 2 + 8, size - margin // 2 - 18), label[:40], fill=(20, 20, 20))
    output = io.BytesIO()
    image.save(output, format=format, quality=80)
    return output.getvalue()


def _box_mesh(width: float, height: float, depth: float) -> tuple[bytes, bytes, list[float], list[float]]:
    x, y, z = width / 2, height / 2, depth / 2
    corners = [(-x, -y, -z), (x, -y, -z), (x, y, -z), (-x, y, -z), (-x, -y, z), (x, -y, z), (x, y, z), (-x, y, z)]
    faces = [
        (4, 5, 6, 4, 6, 7),
        (1, 0, 3, 1, 3, 2),
        (5, 1, 2, 5, 2, 6),
        (0, 4, 7, 0, 7, 3),
        (7, 6, 2, 7, 2, 3),
        (0, 1, 5, 0, 5, 4),
    ]
    positions = b"".join(struct.pack("<3f", *corner) for corner in corners)
    indices = b"".join(struct.pack("<6H", *face) for face in faces)
    return positions, indices, [-x, -y, -z], [x, y, z]


def box_model_glb(
    *,
    width: float = 0.3,
    height: float = 0.2,
    depth: float = 0.15,
    colour: tuple[float, float, float] = (0.8, 0.2, 0.1),
    name: str = "box",
) -> bytes:
    """A GLB 2.0 file holding one box mesh with a coloured PBR material (sizes in metres)."""
    positions, indices, low, high = _box_mesh(width, height, depth)
    binary = positions + indices
    binary += b"\0" * (-len(binary) % 4)
    document = {
        "asset": {"version": "2.0", "generator": "Handel demo"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0, "name": name}],
        "meshes": [{"name": name, "primitives": [{"attributes": {"POSITION": 0}, "indices": 1, "material": 0}]}],
        "materials": [
            {
                "name": f"{name}-paint",
                "pbrMetallicRoughness": {
                    "baseColorFactor": [*colour, 1.0],
                    "metallicFactor": 0.1,
                    "roughnessFactor": 0.6,
                },
            }
        ],
        "buffers": [{"byteLength": len(binary)}],
        "bufferViews": [
            {"buffer": 0, "byteOffset": 0, "byteLength": len(positions), "target": 34962},
            {"buffer": 0, "byteOffset": len(positions), "byteLength": len(indices), "target": 34963},
        ],
        "accessors": [
            {"bufferView": 0, "componentType": 5126, "count": 8, "type": "VEC3", "min": low, "max": high},
            {"bufferView": 1, "componentType": 5123, "count": 36, "type": "SCALAR"},
        ],
    }
    text = json.dumps(document, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 4)
    length = 12 + 8 + len(text) + 8 + len(binary)
    return b"".join(
        [
            struct.pack("<4sII", GLB_MAGIC, 2, length),
            struct.pack("<II", len(text), GLB_JSON_CHUNK),
            text,
            struct.pack("<II", len(binary), GLB_BINARY_CHUNK),
            binary,
        ]
    )


def _pdf_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace("(", "\\(")
        .replace(")", "\\)")
        .encode("latin-1", "replace")
        .decode("latin-1")
    )


def simple_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page A4 PDF 1.4 with a title and lines of text in Helvetica, with a correct xref table."""
    commands = ["BT", "/F1 18 Tf", "56 780 Td", f"({_pdf_text(title)}) Tj", "/F1 11 Tf", "0 -28 Td"]
    for line in lines:
        commands += [f"({_pdf_text(line)}) Tj", "0 -16 Td"]
    commands.append("ET")
    stream = "\n".join(commands).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    output = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(output))
        output += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(output)
    output += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    output += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    output += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(output)
