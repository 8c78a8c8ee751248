"""Image rules, on the bytes: allow-list, real format, pixel cap, re-encoding."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from recipes.images import (
    MAX_JPEG_SCANS,
    MAX_PIXELS,
    MAX_PROGRESSIVE_COEFFICIENT_BYTES,
    ImageRejected,
    extension_of,
    prepare_image,
)
from tests.recipes.factories import (
    BAD_FILES,
    image_bytes,
    jpeg_with_extra_scans,
    jpeg_with_gps_and_orientation,
)


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [case[1:] for case in BAD_FILES],
    ids=[case[0] for case in BAD_FILES],
)
def test_bad_files_are_refused_with_a_clear_message(
    data: bytes, filename: str, message: str
) -> None:
    with pytest.raises(ImageRejected, match=message):
        prepare_image(data, filename)


def test_the_pixel_caps_are_40_megapixels_for_jpeg_and_16_for_png() -> None:
    # docs/recipes.md states them; tests/recipes/test_image_memory.py shows why.
    assert MAX_PIXELS == {"JPEG": 40_000_000, "PNG": 16_000_000}


@pytest.mark.parametrize(
    "filename", ["DISH.JPG", "dish.Jpeg", "фото.jpg", "Crème brûlée.JPEG", "..jpg"]
)
def test_any_case_and_non_ascii_names_are_accepted(filename: str) -> None:
    assert prepare_image(image_bytes(), filename).format == "JPEG"


def test_extension_comes_from_the_raw_name() -> None:
    assert extension_of("фото.PNG") == ".png"
    assert extension_of("  dish.JPG ") == ".jpg"


def test_gps_and_all_exif_are_gone_and_orientation_is_applied() -> None:
    prepared = prepare_image(jpeg_with_gps_and_orientation(), "phone.jpg")
    stored = Image.open(io.BytesIO(prepared.full))
    assert len(stored.getexif()) == 0
    assert "exif" not in stored.info
    assert b"PhoneMaker" not in prepared.full
    # Orientation 6 means "turn 90°": the stored picture is upright, so portrait.
    assert stored.size == (300, 600)


def test_png_text_chunks_are_dropped() -> None:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "secret location: 52.5N 13.4E")
    buffer = io.BytesIO()
    Image.new("RGB", (50, 50), "green").save(buffer, "PNG", pnginfo=info)
    prepared = prepare_image(buffer.getvalue(), "dish.png")
    assert b"secret location" not in prepared.full
    assert prepared.content_type == "image/png"
    assert prepared.extension == "png"


def test_large_images_are_downscaled_and_get_a_thumbnail() -> None:
    prepared = prepare_image(image_bytes(size=(4000, 3000)), "big.jpg")
    assert Image.open(io.BytesIO(prepared.full)).size == (2000, 1500)
    assert Image.open(io.BytesIO(prepared.thumbnail)).size == (400, 300)
    assert prepared.content_type == "image/jpeg"


def test_transparency_survives_in_png() -> None:
    prepared = prepare_image(image_bytes("PNG", colour="#ff000080"), "glass.png")
    assert Image.open(io.BytesIO(prepared.full)).mode == "RGBA"


@pytest.mark.parametrize("size", [(50, 40), (4500, 3000)], ids=["small", "reduced"])
def test_a_16_bit_grey_png_keeps_its_greys(size: tuple[int, int]) -> None:
    # Scaled to 8 bits, not clipped: mid-grey stays mid-grey, not white.
    buffer = io.BytesIO()
    Image.new("I;16", size, 32768).save(buffer, "PNG")
    prepared = prepare_image(buffer.getvalue(), "scan.png")
    assert Image.open(io.BytesIO(prepared.full)).getpixel((0, 0)) == (128, 128, 128)


def test_small_images_keep_their_size() -> None:
    prepared = prepare_image(image_bytes(size=(300, 200)), "small.jpg")
    assert Image.open(io.BytesIO(prepared.full)).size == (300, 200)


def test_a_jpeg_with_more_scans_than_any_encoder_writes_is_refused_before_decoding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    bomb = jpeg_with_extra_scans(MAX_JPEG_SCANS)  # 10 real scans and 100 copies
    decoded: list[Image.Image] = []
    monkeypatch.setattr(Image.Image, "load", lambda image: decoded.append(image))
    with pytest.raises(ImageRejected, match=f"more than {MAX_JPEG_SCANS} passes"):
        prepare_image(bomb, "dish.jpg")
    assert decoded == []  # refused from its markers, before a single scan is decoded


def test_a_stray_byte_before_the_scans_does_not_hide_them() -> None:
    # Decoders skip a byte that is not a marker; counting must not stop there.
    bomb = jpeg_with_extra_scans(MAX_JPEG_SCANS)
    first_scan = bomb.index(b"\xff\xda")
    with pytest.raises(ImageRejected, match=f"more than {MAX_JPEG_SCANS} passes"):
        prepare_image(bomb[:first_scan] + b"\x00" + bomb[first_scan:], "dish.jpg")


def test_a_baseline_jpeg_split_into_scans_is_held_to_the_same_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One scan too many turns a baseline JPEG into a fully buffered one too.
    width = 4000
    height = MAX_PROGRESSIVE_COEFFICIENT_BYTES // (8 * width) + 16
    data = jpeg_with_extra_scans(1, (width, height), mode="CMYK", progressive=False, quality=20)
    monkeypatch.setattr(Image.Image, "load", lambda image: pytest.fail("decoded"))
    with pytest.raises(ImageRejected, match="several passes and is too large"):
        prepare_image(data, "dish.jpg")


def test_a_progressive_jpeg_with_a_tuned_scan_script_is_accepted() -> None:
    assert prepare_image(jpeg_with_extra_scans(MAX_JPEG_SCANS - 10), "dish.jpg").format == "JPEG"


@pytest.mark.parametrize(
    ("mode", "subsampling", "bytes_per_pixel"),
    [("RGB", 2, 3), ("RGB", 0, 6), ("CMYK", 0, 8)],
    ids=["4:2:0", "4:4:4", "CMYK"],
)
def test_a_progressive_jpeg_past_the_coefficient_budget_is_refused_before_decoding(
    mode: str, subsampling: int, bytes_per_pixel: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Just past the budget, far inside the 40 MP pixel cap of a baseline JPEG.
    width = 4000
    height = MAX_PROGRESSIVE_COEFFICIENT_BYTES // (bytes_per_pixel * width) + 16
    buffer = io.BytesIO()
    Image.new(mode, (width, height)).save(
        buffer, "JPEG", progressive=True, subsampling=subsampling, quality=20
    )
    monkeypatch.setattr(Image.Image, "load", lambda image: pytest.fail("decoded"))
    with pytest.raises(ImageRejected, match="several passes and is too large"):
        prepare_image(buffer.getvalue(), "dish.jpg")
