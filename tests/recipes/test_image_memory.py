"""An accepted upload keeps a worker under ~250 MB, whatever its pixels.

A 128 KiB PNG can declare 40 megapixels, and decoding it whole once took a
worker to 600 MB. Each case runs in a fresh process that has built the app
(as a gunicorn worker has), prepares the image, and reports its peak
resident memory (Linux's VmHWM): a real measurement, not an estimate.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from recipes.images import MAX_PIXELS, MAX_PROGRESSIVE_COEFFICIENT_BYTES

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/status").exists(), reason="reads peak memory from Linux's /proc"
)

ROOT = Path(__file__).resolve().parents[2]
WORKER_MEMORY_BOUND_MB = 250

# VmHWM, the peak resident memory of this process image. (Not ru_maxrss: on
# Linux that high-water mark survives exec, so it would include the forked
# pytest process.)
MEASURE = """
import sys
from recipes import create_app
create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
from recipes.images import prepare_image
data = open(sys.argv[1], "rb").read()
prepare_image(data, sys.argv[1])
status = open("/proc/self/status").read()
print(int(status.split("VmHWM:")[1].split()[0]) // 1024)
"""


# A progressive JPEG keeps 2 bytes per coefficient of every component until
# its last scan: per pixel, 2 (grey), 3 (4:2:0 colour), 6 (4:4:4), 8 (CMYK).
PROGRESSIVE_BYTES_PER_PIXEL = {("L", 2): 2, ("RGB", 2): 3, ("RGB", 0): 6, ("CMYK", 0): 8}
COLOURS = {"RGB": "#c0392b", "RGBA": (200, 10, 10, 128), "LA": (200, 128), "P": 3}
COLOURS |= {"L": 100, "CMYK": (10, 200, 30, 40)}


def largest_accepted(image_format: str, width: int, save: dict[str, object]) -> tuple[int, int]:
    """The widest-allowed image of ``width`` columns: the pixel cap, and for a
    progressive JPEG the coefficient budget (a block row under it)."""
    height = MAX_PIXELS[image_format] // width - 1
    if save.get("progressive"):
        per_pixel = PROGRESSIVE_BYTES_PER_PIXEL[save["mode"], save.get("subsampling", 0)]  # type: ignore[index]
        height = min(height, MAX_PROGRESSIVE_COEFFICIENT_BYTES // (per_pixel * width) - 16)
    return width, height


PROGRESSIVE = {"progressive": True}
CASES = {
    "JPEG baseline": ("JPEG", 7000, {"mode": "RGB"}),
    "JPEG baseline, wide": ("JPEG", 9000, {"mode": "RGB"}),
    "JPEG baseline 4:4:4": ("JPEG", 7000, {"mode": "RGB", "subsampling": 0}),
    "JPEG baseline CMYK": ("JPEG", 7000, {"mode": "CMYK"}),
    "JPEG progressive 4:2:0": ("JPEG", 7000, {"mode": "RGB", **PROGRESSIVE, "subsampling": 2}),
    "JPEG progressive 4:4:4": ("JPEG", 4000, {"mode": "RGB", **PROGRESSIVE, "subsampling": 0}),
    "JPEG progressive CMYK": ("JPEG", 4000, {"mode": "CMYK", "progressive": True}),
    "JPEG progressive grey": ("JPEG", 7000, {"mode": "L", "progressive": True, "subsampling": 2}),
    "PNG RGBA": ("PNG", 5000, {"mode": "RGBA"}),
    "PNG LA": ("PNG", 5000, {"mode": "LA"}),
    "PNG palette": ("PNG", 5000, {"mode": "P"}),
}


@pytest.mark.parametrize(("image_format", "width", "save"), CASES.values(), ids=CASES.keys())
def test_the_largest_accepted_image_keeps_a_worker_under_250_mb(
    tmp_path: Path, image_format: str, width: int, save: dict[str, object]
) -> None:
    path = tmp_path / f"largest.{image_format.lower()}"
    options = {name: value for name, value in save.items() if name != "mode"}
    mode = str(save["mode"])
    size = largest_accepted(image_format, width, save)
    Image.new(mode, size, COLOURS[mode]).save(path, image_format, **options)
    result = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    peak_mb = int(result.stdout.strip())
    assert peak_mb < WORKER_MEMORY_BOUND_MB, f"{size}: {peak_mb} MB"
