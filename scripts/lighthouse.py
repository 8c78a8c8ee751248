"""``make lighthouse``: Google's Lighthouse on the HTML apps' main pages,
served from the seeded demo data; fails unless each scores 100 for
accessibility (and prints best practices beside it). The pages are each
app's choice: its manifest's ``[lighthouse] pages`` (``<package>/app.toml``).

axe-core in the browser tests checks every page state the journeys reach;
Lighthouse is the second opinion the accessibility issue was measured with.
It needs Node.js and npm; Lighthouse itself (pinned below) is installed into
.lighthouse/ the first time. Chromium is Debian's, as for the browser tests.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import apps as manifests  # scripts/apps.py, beside this file

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM  # noqa: E402
from tests.e2e.live_servers import all_apps  # noqa: E402

LIGHTHOUSE_VERSION = "13.5.0"
FOLDER = ROOT / ".lighthouse"
BINARY = FOLDER / "node_modules" / ".bin" / "lighthouse"


def pages() -> list[tuple[str, str]]:
    """(package, path): the pages each app's manifest names, anyone can open
    them, so no login step is needed."""
    return [(app.package, path) for app in manifests.apps(ROOT) for path in app.lighthouse]


def install() -> None:
    if BINARY.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(
            "make lighthouse needs Node.js and npm (https://nodejs.org, or "
            "sudo apt-get install -y nodejs npm)."
        )
    print(f"==> Installing Lighthouse {LIGHTHOUSE_VERSION} into .lighthouse/ (once)", flush=True)
    subprocess.run(
        [
            npm,
            "install",
            "--silent",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(FOLDER),
            f"lighthouse@{LIGHTHOUSE_VERSION}",
        ],
        check=True,
    )


def scores(url: str) -> dict[str, int]:
    """Lighthouse's category scores for ``url``, 0 to 100."""
    result = subprocess.run(
        [
            str(BINARY),
            url,
            "--quiet",
            "--output=json",
            "--only-categories=accessibility,best-practices",
            "--chrome-flags=--headless --no-sandbox",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"Lighthouse failed on {url}:\n{result.stderr[-2000:]}")
    report = json.loads(result.stdout)
    return {name: round(category["score"] * 100) for name, category in report["categories"].items()}


def main() -> int:
    if not pages():
        print("No app names pages for Lighthouse (its app.toml's [lighthouse] pages).")
        return 0
    install()
    failed = []
    with tempfile.TemporaryDirectory() as workdir, all_apps(Path(workdir), seed=True) as apps:
        print(f"  {'page':<24} accessibility  best practices")
        for app, path in pages():
            result = scores(apps[app].url + path)
            print(
                f"  {app + path:<24} {result['accessibility']:>13}  {result['best-practices']:>14}"
            )
            if result["accessibility"] < 100:
                failed.append(app + path)
    if failed:
        print(f"Accessibility under 100 on: {', '.join(failed)}")
        return 1
    print("Every page scores 100 for accessibility.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
