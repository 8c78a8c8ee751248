"""The formatter owns the layout: no file opts out of ``ruff format``
(``make fmt``), so a fork can reformat everything without surprises."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OWN_CODE = ("shared", "helpdesk", "shop_api", "recipes", "tests", "scripts", "bench")


def test_no_python_file_opts_out_of_the_formatter() -> None:
    # Spelled in two parts, so that this file does not match itself.
    markers = ("fmt: " + "skip", "fmt: " + "off")
    opted_out = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in OWN_CODE
        for path in (ROOT / folder).rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if any(marker in line for marker in markers)
    ]
    assert opted_out == []
