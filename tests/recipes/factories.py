"""Factories for the recipe site's tests: the S3 settings, users, images and
recipes (published through the service, so their photos are in the bucket),
and the recipe form as a browser posts it."""

from __future__ import annotations

import io
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from PIL import ExifTags, Image
from PIL.PngImagePlugin import PngInfo
from werkzeug.test import TestResponse

from recipes import services
from recipes.extensions import db
from recipes.models import Recipe, User
from tests.app_fixtures import save_user
from tests.auth_client import AuthActions

BUCKET = "test-recipes"


S3_SETTINGS = {
    "S3_BUCKET": BUCKET,
    "S3_REGION": "us-east-1",
    "S3_ACCESS_KEY_ID": "testing",
    "S3_SECRET_ACCESS_KEY": "testing",
}


def bucket_keys(s3: Any) -> list[str]:
    listing = s3.list_objects_v2(Bucket=BUCKET)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def make_user(app: Flask, email: str = "cook@example.com", **overrides: Any) -> User:
    return save_user(app, db, User, email, **overrides)


def image_bytes(
    image_format: str = "JPEG",
    size: tuple[int, int] = (640, 480),
    colour: str = "#c0392b",
    **save: Any,
) -> bytes:
    buffer = io.BytesIO()
    mode = "RGB" if image_format == "JPEG" else "RGBA"
    Image.new(mode, size, colour).save(buffer, image_format, **save)
    return buffer.getvalue()


def make_recipe(app: Flask, author: User, title: str = "Tomato soup", **overrides: Any) -> Recipe:
    """A recipe published through the service, so its photo is really in the
    bucket. ``data`` is the photo's bytes; every other override goes to the
    service (an argument it does not take is a TypeError, not ignored)."""
    upload = services.Upload(data=overrides.pop("data", image_bytes()), filename="soup.jpg")
    fields = {"ingredients": "4 tomatoes\n1 onion", "instructions": "Simmer, blend, serve."}
    with app.test_request_context():
        saved_author = db.session.get(User, author.id)
        assert saved_author is not None
        recipe = services.publish_recipe(
            saved_author, title=title, upload=upload, **(fields | overrides)
        )
        db.session.refresh(recipe)
        db.session.expunge(recipe)
    return recipe


def load_recipe(app: Flask, recipe_id: int) -> Recipe | None:
    with app.app_context():
        recipe = db.session.get(Recipe, recipe_id)
        if recipe is not None:
            db.session.expunge(recipe)
        return recipe


def recipe_count(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(db.select(db.func.count()).select_from(Recipe)))


def post_recipe(
    client: FlaskClient,
    url: str = "/recipes/new",
    *,
    data: bytes | None = None,
    filename: str = "soup.jpg",
    token_page: str | None = None,
    **fields: str,
) -> TestResponse:
    """Submit the recipe form as a browser does: multipart, with the CSRF token."""
    form: dict[str, Any] = {
        "title": "Tomato soup",
        "ingredients": "4 tomatoes\n1 onion",
        "instructions": "Simmer, blend, serve.",
        "csrf_token": AuthActions(client).csrf_token(token_page or url),
        **fields,
    }
    if data is not None:
        form["image"] = (io.BytesIO(data), filename)
    return client.post(url, data=form, content_type="multipart/form-data")


# --- images the rules must refuse or clean ----------------------------------


def gif_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (10, 10)).save(buffer, "GIF")
    return buffer.getvalue()


def bomb_png(width: int, height: int) -> bytes:
    """A tiny file that claims a huge number of pixels."""
    buffer = io.BytesIO()
    Image.new("1", (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg_with_extra_scans(
    extra: int, size: tuple[int, int] = (64, 64), mode: str = "RGB", **save: Any
) -> bytes:
    """A JPEG (progressive unless told otherwise) whose last scan is repeated
    ``extra`` times: the shape of a "scan bomb", where every scan makes the
    decoder walk the whole image."""
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, "JPEG", **{"progressive": True, **save})
    data = buffer.getvalue()
    last_scan = data.rindex(b"\xff\xda")
    end = data.rindex(b"\xff\xd9")
    return data[:end] + data[last_scan:end] * extra + data[end:]


def jpeg_with_zero_sampling() -> bytes:
    """A progressive JPEG whose frame header gives each component a sampling
    factor of 0 (1 to 4 are valid): Pillow opens it without complaint."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(buffer, "JPEG", progressive=True)
    data = bytearray(buffer.getvalue())
    frame = data.index(b"\xff\xc2")  # SOF2: length, precision, height, width, components
    for component in range(data[frame + 9]):
        data[frame + 11 + 3 * component] = 0  # its horizontal and vertical factors
    return bytes(data)


def jpeg_with_gps_and_orientation() -> bytes:
    image = Image.new("RGB", (600, 300), "#2e86c1")
    exif = image.getexif()
    exif[ExifTags.Base.Orientation] = 6  # "rotate 90° to display"
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 31.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (13.0, 24.0, 36.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def png_with_exif(exif: bytes = b"", raw_profile: str = "") -> bytes:
    """A small PNG carrying EXIF as an eXIf chunk, or as the hex text chunk
    ImageMagick writes ("Raw profile type exif")."""
    info = PngInfo()
    if raw_profile:
        info.add_text("Raw profile type exif", raw_profile)
    buffer = io.BytesIO()
    Image.new("RGB", (50, 40)).save(buffer, "PNG", exif=exif, pnginfo=info)
    return buffer.getvalue()


BAD_FILES = [
    ("GIF", gif_bytes(), "dish.gif", "Upload a .jpg, .jpeg or .png file."),
    ("GIF named .png", gif_bytes(), "dish.png", "not a valid PNG image"),
    (
        "SVG named .png",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        "dish.png",
        "not a valid PNG image",
    ),
    ("HTML named .png", b"<html><script>alert(1)</script></html>", "dish.png", "not a valid PNG"),
    ("HTML named .jpg", b"<html><script>alert(1)</script></html>", "dish.jpg", "not a valid JPEG"),
    ("PHP named .png", b"<?php system($_GET['c']); ?>", "shell.png", "not a valid PNG image"),
    ("PNG named .txt", image_bytes("PNG"), "dish.txt", "Upload a .jpg, .jpeg or .png file."),
    ("double extension", image_bytes(), "dish.jpg.php", "Upload a .jpg, .jpeg or .png file."),
    ("JPEG named .png", image_bytes("JPEG"), "dish.png", "not a valid PNG image"),
    ("PNG named .jpg", image_bytes("PNG"), "dish.jpg", "not a valid JPEG image"),
    ("truncated JPEG", image_bytes(size=(800, 600))[:600], "dish.jpg", "damaged or incomplete"),
    ("JPEG, sampling factor 0", jpeg_with_zero_sampling(), "dish.jpg", "damaged or incomplete"),
    ("empty", b"", "dish.jpg", "The file is empty."),
    ("no extension", image_bytes(), "dish", "Upload a .jpg, .jpeg or .png file."),
    ("over the pixel cap", bomb_png(8000, 6000), "bomb.png", "the limit is 16 megapixels"),
    ("decompression bomb", bomb_png(20000, 20000), "bomb.png", "the limit is 16 megapixels"),
    ("EXIF not TIFF", png_with_exif(b"not a TIFF header"), "dish.png", "damaged or incomplete"),
    (
        "EXIF text not hex",
        png_with_exif(raw_profile="\nexif\n      10\nnot hex\n"),
        "dish.png",
        "damaged or incomplete",
    ),
]
