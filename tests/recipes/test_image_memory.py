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

from recipes.images import MAX_PIXELS

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


def largest_accepted(image_format: str, mode: str) -> tuple[int, int]:
    width = 7000 if image_format == "JPEG" else 5000
    return width, MAX_PIXELS[image_format] // width - 1


@pytest.mark.parametrize(
    ("image_format", "mode", "suffix"),
    [("JPEG", "RGB", "jpg"), ("PNG", "RGBA", "png"), ("PNG", "LA", "png"), ("PNG", "P", "png")],
)
def test_the_largest_accepted_image_keeps_a_worker_under_250_mb(
    tmp_path: Path, image_format: str, mode: str, suffix: str
) -> None:
    path = tmp_path / f"largest.{suffix}"
    colour = {"RGB": "#c0392b", "RGBA": (200, 10, 10, 128), "LA": (200, 128), "P": 3}[mode]
    Image.new(mode, largest_accepted(image_format, mode), colour).save(path, image_format)
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
    assert peak_mb < WORKER_MEMORY_BOUND_MB, f"{image_format} {mode}: {peak_mb} MB"
