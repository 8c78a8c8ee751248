"""Checking and normalising an uploaded recipe photo.

Nothing about an upload is trusted. The extension must be on the allow-list,
the bytes must decode as that very format (a PHP script renamed ``.png`` does
not), the pixel count is capped before any pixel is decoded (a 50 KB PNG can
claim 100,000 x 100,000 pixels), and what is stored is a fresh re-encoding:
orientation applied, every byte of metadata (EXIF, GPS, comments) left
behind, downscaled to a sane size, plus a thumbnail for lists.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

# extension (from the user's file name) -> Pillow format it must decode as
ALLOWED_EXTENSIONS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png"}
STORED_EXTENSIONS = {"JPEG": "jpg", "PNG": "png"}
# Pixel caps, checked before any pixel is decoded. A JPEG is decoded at a
# reduced scale (``draft``), so even the largest costs about 30 MB; a PNG must
# be decoded whole (4 bytes a pixel), so its cap is lower. Together they keep
# a worker under ~250 MB for any accepted upload (tests/recipes measures it).
MAX_PIXELS = {"JPEG": 40_000_000, "PNG": 16_000_000}
# A progressive JPEG is sent in several passes ("scans"), so the decoder keeps
# every DCT coefficient of the whole photo until the last one, at full size
# whatever ``draft`` asks: 2 bytes per coefficient, 64 per 8x8 block, per
# colour component. This caps that buffer at 80 MiB (about 28 MP at 4:2:0,
# 14 MP at 4:4:4, 10 MP in CMYK), which keeps such a photo inside the same
# worker budget. (A baseline JPEG may be split into scans too: same rule.)
MAX_PROGRESSIVE_COEFFICIENT_BYTES = 80 * 1024 * 1024
# Each scan makes the decoder walk that whole buffer again, so a small file
# with thousands of tiny scans costs minutes of CPU (a "scan bomb"). libjpeg's
# standard progressive script writes 10 scans for a colour photo (18 for CMYK),
# and libjpeg-turbo's djpeg has -maxscans against exactly this attack; 100
# leaves room for any real encoder's tuned script.
MAX_JPEG_SCANS = 100
MAX_SIDE = 2000
THUMBNAIL_SIDE = 400
JPEG_QUALITY = 85
_DAMAGED = "The image is damaged or incomplete. Save it again, or try another photo."


class ImageRejected(ValueError):
    """The upload is not an acceptable image; the message says why, for the form."""


@dataclass(frozen=True)
class PreparedImage:
    full: bytes
    thumbnail: bytes
    format: str  # "JPEG" or "PNG"
    # The full image's size in pixels: the page gives it to <img width height>,
    # so the browser keeps the photo's space before it loads (no layout shift).
    width: int
    height: int

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    @property
    def extension(self) -> str:
        return STORED_EXTENSIONS[self.format]


def extension_of(filename: str) -> str:
    """The lower-cased extension of the name the user's browser sent.

    Taken from the raw name on purpose: ``secure_filename("фото.JPG")`` is
    ``"JPG"`` and ``secure_filename("..jpg")`` is ``"jpg"``, both without a
    dot, so the extension would be lost. (``os.path.splitext`` sees no
    extension in ``".jpg"`` either.)
    """
    _, dot, extension = filename.strip().lower().rpartition(".")
    return f".{extension}" if dot else ""


def prepare_image(data: bytes, filename: str) -> PreparedImage:
    extension = extension_of(filename)
    expected_format = ALLOWED_EXTENSIONS.get(extension)
    if expected_format is None:
        raise ImageRejected("Upload a .jpg, .jpeg or .png file.")
    if not data:
        raise ImageRejected("The file is empty.")

    with warnings.catch_warnings():
        # Pillow only warns about a decompression bomb up to twice its own
        # limit; here any warning refuses the image.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image: Image.Image = Image.open(io.BytesIO(data), formats=[expected_format])
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise ImageRejected(_too_many_pixels_message(expected_format)) from None
        except UnidentifiedImageError:
            raise ImageRejected(
                f"The file is not a valid {expected_format} image, whatever its name says. "
                "Upload a photo saved as .jpg or .png."
            ) from None
        except (OSError, SyntaxError, ValueError):
            raise ImageRejected(_DAMAGED) from None
        width, height = image.size
        if width * height > MAX_PIXELS[expected_format]:
            raise ImageRejected(_too_many_pixels_message(expected_format, f"{width} x {height}"))
        if expected_format == "JPEG":
            _check_progressive_jpeg(image, data)
        if expected_format == "JPEG":
            # Decode straight at 1/2, 1/4 or 1/8 scale when the photo is far
            # larger than what is kept: a 40 MP photo never exists in memory.
            # The size asked for is the kept one, long side MAX_SIDE (draft
            # picks the smallest scale at least that large in both sides).
            shrink = MAX_SIDE / max(width, height)
            image.draft("RGB", (math.ceil(width * shrink), math.ceil(height * shrink)))
        try:
            image.load()
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning):
            raise ImageRejected(_DAMAGED) from None

    # Shrink first, in place, so only one full-size copy ever exists; then
    # turn upright and copy the pixels without their metadata.
    if image.mode in ("1", "P"):  # palette images resize badly; convert while small enough
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    factor = max(image.size) // MAX_SIDE
    if factor >= 2:
        # A plain box average down to at least MAX_SIDE: unlike resize, it
        # makes no full-size premultiplied copy of an image with alpha.
        image = image.reduce(factor)
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    image = ImageOps.exif_transpose(image) or image
    full = _without_metadata(image, expected_format)
    thumbnail = full.copy()
    thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    return PreparedImage(
        full=_encode(full, expected_format),
        thumbnail=_encode(thumbnail, expected_format),
        format=expected_format,
        width=full.width,
        height=full.height,
    )


def _check_progressive_jpeg(image: Image.Image, data: bytes) -> None:
    """Refuse, before decoding, a JPEG whose scans would cost too much time or memory."""
    scans = data.count(b"\xff\xda")  # SOS markers; can only overcount (an EXIF thumbnail's)
    if scans > MAX_JPEG_SCANS:
        raise ImageRejected(
            f"This JPEG is saved in more than {MAX_JPEG_SCANS} passes (scans), which no "
            "camera or editor writes. Save it again as an ordinary JPEG and try again."
        )
    # More than one scan (progressive, or a baseline file split into scans):
    # libjpeg keeps every coefficient until the last one.
    if scans > 1 and coefficient_bytes(image) > MAX_PROGRESSIVE_COEFFICIENT_BYTES:
        raise ImageRejected(
            f"This JPEG is saved in several passes and is too large to process that way "
            f"({image.width} x {image.height} pixels). Save it as an ordinary JPEG, or "
            "smaller, and try again."
        )


def coefficient_bytes(image: Image.Image) -> int:
    """What libjpeg buffers to decode a JPEG of several scans: 128 bytes for
    every 8x8 block of every component, each at its own sampling (4:2:0
    chroma is a quarter of the pixels)."""
    layers = getattr(image, "layer", [])  # (id, horizontal, vertical, table) per component
    if not layers:
        return 0
    most_h = max(h for _, h, _, _ in layers)
    most_v = max(v for _, _, v, _ in layers)
    total = 0
    for _, h, v, _ in layers:
        columns = math.ceil(math.ceil(image.width * h / most_h) / 8)
        rows = math.ceil(math.ceil(image.height * v / most_v) / 8)
        total += columns * rows * 64 * 2
    return total


def _too_many_pixels_message(image_format: str, size: str = "") -> str:
    shown = f" ({size} pixels)" if size else ""
    limit = MAX_PIXELS[image_format] // 1_000_000
    return (
        f"The image is too large{shown}; the limit is {limit} megapixels for a "
        f"{image_format} photo. Resize it and try again."
    )


def _without_metadata(image: Image.Image, image_format: str) -> Image.Image:
    """A new image holding only the pixels: no EXIF, GPS, ICC, text chunks."""
    if image_format == "JPEG":
        mode = "RGB"
    else:
        has_alpha = image.mode in ("RGBA", "LA") or "transparency" in image.info
        mode = "RGBA" if has_alpha else "RGB"
    pixels = image.convert(mode)
    clean = Image.new(mode, pixels.size)
    clean.paste(pixels)
    return clean


def _encode(image: Image.Image, image_format: str) -> bytes:
    buffer = io.BytesIO()
    if image_format == "JPEG":
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    else:
        image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
