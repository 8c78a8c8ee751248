"""``?next=`` is followed only to same-site paths."""

from __future__ import annotations

import pytest

from shared.auth.safe_redirect import safe_next_path

OFF_SITE = [
    "https://evil.example/",
    "http://evil.example",
    "//evil.example",
    "//evil.example/path",
    "/\\evil.example",
    "\\\\evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "/\t/evil.example",
    "/\n/evil.example",
    " //evil.example",
    "evil.example",
    "",
    None,
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_off_site_and_odd_targets_are_refused(target: str | None) -> None:
    assert safe_next_path(target) is None


@pytest.mark.parametrize("target", ["/", "/items/3", "/items/?page=2&status=open", "/a#b"])
def test_same_site_paths_are_kept(target: str) -> None:
    assert safe_next_path(target) == target
