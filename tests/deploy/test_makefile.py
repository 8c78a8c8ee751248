"""``make help`` lists every target the Makefile documents, e2e included,
and writes no terminal escape codes into a pipe or a file."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_make_help_lists_every_documented_target_in_plain_text() -> None:
    shown = subprocess.run(
        ["make", "--no-print-directory", "help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "\x1b" not in shown  # not a terminal: no bold
    listed = {line.split()[0] for line in shown.splitlines()}
    documented = {
        match.group(1)
        for match in re.finditer(r"^([\w%-]+):[^\n]*## ", (ROOT / "Makefile").read_text(), re.M)
    }
    assert documented <= listed
    assert {"e2e", "test-<app>", "test", "demo", "bench"} <= listed
