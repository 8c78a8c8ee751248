"""Checking and normalising an uploaded recipe photo. Nothing in an upload is
trusted: the bytes must decode as the format its extension claims, pixels are
counted before any is decoded, and what is stored is a fresh re-encoding."""

import io
import math
import struct
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

# extension (from the user's file name) -> Pillow format it must decode as
ALLOWED_EXTENSIONS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}
# Pixel caps, checked before decoding (a 50 KB PNG can claim 10^10 pixels). A
# JPEG is decoded at a reduced scale (``draft``); a PNG whole, 4 bytes a pixel.
# Both keep a worker under 250 MB (tests/recipes/test_image_memory.py).
MAX_PIXELS = {"JPEG": 40_000_000, "PNG": 16_000_000}
# A JPEG of several scans (progressive, or baseline split into scans) makes
# the decoder keep every DCT coefficient until the last scan, at full size
# whatever ``draft`` asks: 2 bytes each, 64 per 8x8 block, per component.
# 80 MiB is about 28 MP at 4:2:0, 14 MP at 4:4:4, 10 MP in CMYK.
MAX_PROGRESSIVE_COEFFICIENT_BYTES = 80 * 1024 * 1024
# Each scan walks that whole buffer again, so thousands of tiny scans cost
# minutes of CPU (a "scan bomb"). Real encoders write 10 to 18; libjpeg-turbo's
# djpeg has -maxscans against exactly this attack.
MAX_JPEG_SCANS = 100
MAX_SIDE = 2000
THUMBNAIL_SIDE = 400
JPEG_QUALITY = 85
_DAMAGED = "The image is damaged or incomplete. Save it again, or try another photo."


class ImageRejected(ValueError):
    """The upload is not an acceptable image; the message says why, for the form,
    and ``reason`` in a word, for the metrics (``UPLOADS_REFUSED`` in recipes/metrics.py)."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class PreparedImage:
    full: bytes
    thumbnail: bytes
    format: str  # "JPEG" or "PNG"
    width: int  # of the full image, for <img width height>: no layout shift
    height: int

    @property
    def content_type(self) -> str:
        return f"image/{self.format.lower()}"

    @property
    def extension(self) -> str:
        return "jpg" if self.format == "JPEG" else "png"


def extension_of(filename: str) -> str:
    """The lower-cased extension of the raw file name. Not after
    ``secure_filename``, which turns ``"фото.JPG"`` into ``"JPG"``, dot lost."""
    _, dot, extension = filename.strip().lower().rpartition(".")
    return f".{extension}" if dot else ""


def prepare_image(data: bytes, filename: str) -> PreparedImage:
    """The photo upright, at most MAX_SIDE, re-encoded without metadata, and a
    thumbnail. Raises ImageRejected with a message for the form."""
    expected_format = ALLOWED_EXTENSIONS.get(extension_of(filename))
    if expected_format is None:
        raise ImageRejected("Upload a .jpg, .jpeg or .png file.", reason="wrong_type")
    if not data:
        raise ImageRejected("The file is empty.", reason="empty")

    with warnings.catch_warnings():
        # Pillow only warns about a decompression bomb up to twice its own
        # limit; here any warning refuses the image.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image: Image.Image = Image.open(io.BytesIO(data), formats=[expected_format])
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            raise ImageRejected(
                _too_many_pixels_message(expected_format), reason="too_many_pixels"
            ) from None
        except UnidentifiedImageError:
            raise ImageRejected(
                f"The file is not a valid {expected_format} image, whatever its name says. "
                "Upload a photo saved as .jpg or .png.",
                reason="not_an_image",
            ) from None
        except (OSError, SyntaxError, ValueError):
            raise ImageRejected(_DAMAGED, reason="damaged") from None
        width, height = image.size
        if width * height > MAX_PIXELS[expected_format]:
            raise ImageRejected(
                _too_many_pixels_message(expected_format, f"{width} x {height}"),
                reason="too_many_pixels",
            )
        if expected_format == "JPEG":
            _check_jpeg_scans(image, data)
            # Decode straight at 1/2, 1/4 or 1/8 scale, the smallest that is
            # still at least the kept size: a 40 MP photo never exists in memory.
            shrink = MAX_SIDE / max(width, height)
            image.draft("RGB", (math.ceil(width * shrink), math.ceil(height * shrink)))
        try:
            image.load()
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning):
            raise ImageRejected(_DAMAGED, reason="damaged") from None

    # Shrink first, in place, so only one full-size copy ever exists; then
    # turn upright and copy the pixels without their metadata.
    if image.mode in ("1", "P"):  # palette images resize badly; convert while small enough
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    elif image.mode == "I;16":  # 16-bit grey PNG, scaled to 8 bits: reduce() refuses
        # this mode, and convert("L") alone clips every grey above 255 to white
        image = image.point(lambda value: value / 256).convert("L")
    factor = max(image.size) // MAX_SIDE
    if factor >= 2:
        # A plain box average down to at least MAX_SIDE: unlike resize, it
        # makes no full-size premultiplied copy of an image with alpha.
        image = image.reduce(factor)
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    try:
        image = ImageOps.exif_transpose(image) or image
    except (OSError, SyntaxError, ValueError, TypeError, struct.error):
        # Unreadable EXIF (Pillow raises any of these for a damaged block) is
        # refused like other damage, not ignored: the photo could then be
        # stored on its side, with no word to the user why.
        raise ImageRejected(_DAMAGED, reason="damaged") from None
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


def _check_jpeg_scans(image: Image.Image, data: bytes) -> None:
    """Refuse, before decoding, a JPEG whose scans would cost too much time or memory."""
    scans = data.count(b"\xff\xda")  # SOS markers; can only overcount (an EXIF thumbnail's)
    if scans > MAX_JPEG_SCANS:
        raise ImageRejected(
            f"This JPEG is saved in more than {MAX_JPEG_SCANS} passes (scans), which no "
            "camera or editor writes. Save it again as an ordinary JPEG and try again.",
            reason="too_many_scans",
        )
    if scans > 1 and coefficient_bytes(image) > MAX_PROGRESSIVE_COEFFICIENT_BYTES:
        raise ImageRejected(
            f"This JPEG is saved in several passes and is too large to process that way "
            f"({image.width} x {image.height} pixels). Save it as an ordinary JPEG, or "
            "smaller, and try again.",
            reason="too_many_pixels",
        )


def coefficient_bytes(image: Image.Image) -> int:
    """What libjpeg buffers to decode a JPEG of several scans: 128 bytes for
    every 8x8 block of every component, each at its own sampling (4:2:0
    chroma is a quarter of the pixels)."""
    layers = getattr(image, "layer", [])  # (id, horizontal, vertical, table) per component
    if not layers:
        return 0
    # Sampling factors are 1 to 4; Pillow opens a header claiming 0 (damage, or
    # a crafted file) without complaint, and it is divided by below.
    if any(h == 0 or v == 0 for _, h, v, _ in layers):
        raise ImageRejected(_DAMAGED, reason="damaged")
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
    has_alpha = image.mode in ("RGBA", "LA") or "transparency" in image.info
    mode = "RGBA" if image_format == "PNG" and has_alpha else "RGB"
    clean = Image.new(mode, image.size)
    clean.paste(image.convert(mode))
    return clean


def _encode(image: Image.Image, image_format: str) -> bytes:
    buffer = io.BytesIO()
    if image_format == "JPEG":
        image.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    else:
        image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
