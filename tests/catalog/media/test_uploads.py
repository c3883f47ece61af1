"""Uploads are judged by content: names and declared content types count for nothing."""

from __future__ import annotations

import io
import json
import struct

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from handel.catalog.media import samples
from handel.catalog.media.models import ProductDocument, ProductImage, ProductModel3D
from tests.catalog.media.conftest import named, upload
from tests.conftest import assert_problem


def _png(size: int = 600) -> bytes:
    return samples.product_picture("test", colour=(30, 120, 200), size=size)


def _body(response):
    return json.loads(response.content)


@pytest.mark.django_db
def test_a_png_named_jpg_is_accepted_by_content_and_renditions_are_made(products, staff_api):
    response = upload(
        staff_api,
        "/catalog/products/DRL-1/images",
        file=named("photo.jpg", _png(), "image/jpeg"),
        alt_text="Drill, side",
        alt_text_nl="Boor, zijkant",
    )
    assert response.status_code == 201, response.content
    image = _body(response)
    assert (image["width"], image["height"], image["alt_text_nl"]) == (600, 600, "Boor, zijkant")
    assert set(image["renditions"]) == {"thumb", "small", "medium", "large"}
    assert image["renditions"]["thumb"]["width"] == 160 and image["renditions"]["small"]["width"] == 400
    # A picture is never scaled up: the larger renditions keep the original size.
    assert image["renditions"]["large"]["width"] == 600
    stored = ProductImage.objects.get()
    assert stored.file.endswith(".png") and stored.format == "png"
    for rendition in stored.renditions.values():
        with default_storage.open(rendition["path"]) as handle, Image.open(handle) as picture:
            assert picture.format == "WEBP"
            assert max(picture.size) == rendition["width"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name,content",
    [
        ("notes.png", b"just some text, not a picture\n" * 10),
        ("empty.jpg", b""),
        (
            "icon.gif",
            b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
            b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;",
        ),
    ],
)
def test_what_is_not_a_jpeg_png_or_webp_is_refused(products, staff_api, name, content):
    body = assert_problem(
        upload(staff_api, "/catalog/products/DRL-1/images", file=named(name, content, "image/png")), 422
    )
    assert body["errors"][0]["loc"] == ["body", "file"]
    assert not ProductImage.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("format", ["PNG", "JPEG"])
def test_a_truncated_image_is_refused(products, staff_api, format):
    data = samples.product_picture("cut", colour=(200, 30, 30), size=300, format=format)
    body = assert_problem(
        upload(staff_api, "/catalog/products/DRL-1/images", file=named("cut.img", data[: len(data) // 2])), 422
    )
    assert "not a readable" in body["detail"]
    assert not ProductImage.objects.exists()


@pytest.mark.django_db
def test_size_and_pixel_limits(products, staff_api, settings):
    data = _png(400)
    settings.HANDEL_MEDIA_MAX_IMAGE_BYTES = len(data) - 1
    assert (
        "larger than"
        in assert_problem(upload(staff_api, "/catalog/products/DRL-1/images", file=named("a.png", data)), 422)["detail"]
    )
    settings.HANDEL_MEDIA_MAX_IMAGE_BYTES = 10_000_000
    settings.HANDEL_MEDIA_MAX_IMAGE_PIXELS = 399 * 399
    assert (
        "pixels"
        in assert_problem(upload(staff_api, "/catalog/products/DRL-1/images", file=named("a.png", data)), 422)["detail"]
    )
    assert not ProductImage.objects.exists()


@pytest.mark.django_db
def test_webp_and_jpeg_are_accepted(products, staff_api):
    for format in ("WEBP", "JPEG"):
        data = samples.product_picture(format, colour=(10, 160, 60), size=200, format=format)
        assert upload(staff_api, "/catalog/products/DRL-1/images", file=named("x", data)).status_code == 201
    assert sorted(ProductImage.objects.values_list("format", flat=True)) == ["jpeg", "webp"]


def _glb(document: dict, binary: bytes = b"\0\0\0\0") -> bytes:
    text = json.dumps(document).encode()
    text += b" " * (-len(text) % 4)
    length = 12 + 8 + len(text) + 8 + len(binary)
    return (
        struct.pack("<4sII", b"glTF", 2, length)
        + struct.pack("<II", len(text), 0x4E4F534A)
        + text
        + struct.pack("<II", len(binary), 0x004E4942)
        + binary
    )


@pytest.mark.django_db
def test_a_generated_glb_is_accepted(products, staff_api):
    response = upload(
        staff_api, "/catalog/products/DRL-1/models", file=named("drill.bin", samples.box_model_glb()), title="Drill 3D"
    )
    assert response.status_code == 201, response.content
    assert _body(response)["format"] == "glb" and _body(response)["url"].endswith(".glb")
    model = ProductModel3D.objects.get()
    assert default_storage.exists(model.file)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content,reason",
    [
        (b"glTF" + b"\x02\x00\x00\x00" + b"\xff" * 40, "length"),
        (b"glTF\x02\x00\x00\x00", "truncated"),
        (_glb({"asset": {"version": "1.0"}}), "2.0"),
        (_glb({"scenes": []}), "asset"),
        (_glb({"asset": {"version": "2.0"}})[:-4], "length"),
        (b"\x7fELF\x02\x01\x01" + b"\0" * 50, "neither"),
        (
            json.dumps(
                {"asset": {"version": "2.0"}, "buffers": [{"uri": "https://evil.example/x.bin", "byteLength": 4}]}
            ).encode(),
            "embed",
        ),
    ],
)
def test_fake_or_broken_models_are_refused(products, staff_api, content, reason):
    body = assert_problem(
        upload(staff_api, "/catalog/products/DRL-1/models", file=named("model.glb", content, "model/gltf-binary")), 422
    )
    assert reason in body["detail"]
    assert not ProductModel3D.objects.exists()


@pytest.mark.django_db
def test_a_self_contained_gltf_json_is_accepted(products, staff_api):
    document = {
        "asset": {"version": "2.0"},
        "scenes": [{"nodes": []}],
        "buffers": [{"uri": "data:application/octet-stream;base64,AAAAAA==", "byteLength": 4}],
    }
    response = upload(
        staff_api,
        "/catalog/products/DRL-1/models",
        file=named("m.gltf", json.dumps(document).encode(), "model/gltf+json"),
    )
    assert response.status_code == 201, response.content
    assert _body(response)["format"] == "gltf"


@pytest.mark.django_db
def test_documents_must_be_pdfs(products, staff_api):
    pdf = samples.simple_pdf("GSR 18 datasheet", ["Power: 750 W", "Voltage: 18 V"])
    response = upload(
        staff_api,
        "/catalog/products/DRL-1/documents",
        file=named("sheet.txt", pdf),
        title="Datasheet",
        language="nl",
        kind="manual",
    )
    assert response.status_code == 201, response.content
    assert (_body(response)["language"], _body(response)["kind"]) == ("nl", "manual")
    assert_problem(
        upload(
            staff_api,
            "/catalog/products/DRL-1/documents",
            file=named("sheet.pdf", b"<html>not a pdf</html>", "application/pdf"),
            title="Fake",
        ),
        422,
    )
    body = assert_problem(
        upload(
            staff_api,
            "/catalog/products/DRL-1/documents",
            file=named("sheet.pdf", pdf),
            title=" ",
            language="xx",
            kind="poster",
        ),
        422,
    )
    assert {tuple(error["loc"]) for error in body["errors"]} == {
        ("body", "title"),
        ("body", "language"),
        ("body", "kind"),
    }
    assert ProductDocument.objects.count() == 1


@pytest.mark.django_db
def test_a_spin_set_with_one_bad_frame_writes_nothing(products, staff_api, media_root):
    frames = [
        named(f"f{index}.png", samples.product_picture("spin", colour=(90, 90, 200), size=120, angle=index * 45))
        for index in range(3)
    ]
    frames.append(named("f3.png", b"broken"))
    body = assert_problem(upload(staff_api, "/catalog/products/DRL-1/spin-sets", frames=frames, title="360"), 422)
    assert body["errors"][0]["loc"] == ["body", "frames[3]"]
    assert not ProductImage.objects.exists()
    assert not any(path.is_file() for path in media_root.rglob("*")) if media_root.exists() else True


@pytest.mark.django_db
def test_a_spin_set_keeps_its_frames_in_order_and_out_of_the_gallery(products, staff_api, api):
    frames = [
        named(
            f"f{index}.png", samples.product_picture(f"frame {index}", colour=(90, 90, 200), size=120, angle=index * 45)
        )
        for index in range(4)
    ]
    response = upload(staff_api, "/catalog/products/DRL-1/spin-sets", frames=frames, title="360 view")
    assert response.status_code == 201, response.content
    media = _body(api.call("get", "/catalog/products/DRL-1/media", headers={"X-Handel-Channel": "b2c"}))
    assert media["images"] == []
    assert [frame["width"] for frame in media["spin_sets"][0]["frames"]] == [120] * 4
    assert [frame["id"] for frame in media["spin_sets"][0]["frames"]] == [
        str(image.public_id) for image in ProductImage.objects.order_by("position")
    ]


@pytest.mark.django_db
def test_a_failed_write_removes_the_stored_files(products, staff_api, media_root, monkeypatch):
    from handel.catalog.media import services

    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services.audit, "record", fail)
    with pytest.raises(RuntimeError):
        services.add_image(actor=None, sku="DRL-1", data=_png(200))
    assert not [path for path in media_root.rglob("*") if path.is_file()]


def test_image_inspection_needs_no_database():
    from handel.catalog.media.inspection import inspect_image

    buffer = io.BytesIO()
    Image.new("RGBA", (10, 20), (1, 2, 3, 4)).save(buffer, format="PNG")
    facts = inspect_image(buffer.getvalue())
    assert (facts.format, facts.width, facts.height) == ("PNG", 10, 20)
