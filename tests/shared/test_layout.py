"""The shared layout's helpers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from flask import Flask, render_template_string

from shared.layout import format_datetime, time_element


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (datetime(2026, 11, 22, 14, 5), "2026-11-22 14:05 UTC"),  # naive, as SQLite returns it
        (datetime(2026, 11, 22, 14, 5, tzinfo=UTC), "2026-11-22 14:05 UTC"),
        (
            datetime(2026, 11, 22, 15, 5, tzinfo=timezone(timedelta(hours=1))),
            "2026-11-22 14:05 UTC",
        ),
        (None, ""),
    ],
)
def test_dates_are_shown_in_utc(value: datetime | None, shown: str) -> None:
    assert format_datetime(value) == shown


def test_a_time_is_a_time_element_in_utc_that_the_browser_shows_in_its_own_zone() -> None:
    # The browser's side (local zone, "3 minutes ago") is tests/e2e/test_local_times.py.
    value = datetime(2026, 11, 22, 15, 5, tzinfo=timezone(timedelta(hours=1)))
    assert time_element(value) == (
        '<time datetime="2026-11-22T14:05:00Z">2026-11-22 14:05 UTC</time>'
    )
    assert time_element(datetime(2026, 11, 22, 14, 5)) == time_element(value)  # naive is UTC
    assert time_element(None) == ""


def test_the_footer_links_the_source_and_the_docs_once_they_are_set(app_factory: Any) -> None:
    plain = app_factory().test_client().get("/auth/login").get_data(as_text=True)
    assert "<footer" in plain
    assert "Source code" not in plain  # no address yet: no link to nowhere
    app = app_factory(
        SOURCE_URL="https://git.example.com/me/my-desk", DOCS_URL="https://docs.example.com/"
    )
    html = app.test_client().get("/auth/login").get_data(as_text=True)
    assert '<a href="https://git.example.com/me/my-desk">Source code</a>' in html
    assert '<a href="https://docs.example.com/">Documentation</a>' in html


@pytest.mark.parametrize(
    ("block", "title"),
    [
        ("", "<title>Tiny</title>"),  # a page without a title of its own
        ("{% block title %}Tiny{% endblock %}", "<title>Tiny</title>"),  # not "Tiny · Tiny"
        ("{% block title %}Settings{% endblock %}", "<title>Settings · Tiny</title>"),
    ],
)
def test_the_title_names_the_page_then_the_site_once(app: Flask, block: str, title: str) -> None:
    with app.test_request_context():
        html = render_template_string('{% extends "base.html" %}' + block)
    assert title in html


def test_a_site_name_that_html_escapes_is_not_repeated_either(app: Flask) -> None:
    with app.test_request_context():
        html = render_template_string('{% extends "base.html" %}', site_name="Pots & Pan's")
    assert "<title>Pots &amp; Pan&#39;s</title>" in html
