"""Walk every page an app serves, as one viewer, and collect the e-mail
addresses each shows: no one but staff may see another person's address
(people are shown by their display name)."""

from __future__ import annotations

import itertools
import re

from flask import Flask
from flask.testing import FlaskClient

ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def addresses_on_every_page(
    app: Flask,
    client: FlaskClient,
    values: dict[str, list[object]],
    *,
    extra_urls: tuple[str, ...] = (),
    headers: dict[str, str] | None = None,
) -> dict[str, set[str]]:
    """``{url: addresses shown}`` for every GET route but static files, each
    argument in turn filled with each of ``values[argument]``."""
    urls = list(extra_urls)
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in (rule.methods or ()) or rule.endpoint.endswith("static"):
                continue
            missing = rule.arguments - values.keys()
            assert not missing, f"{rule}: give values for {missing}"
            names = sorted(rule.arguments)
            for combination in itertools.product(*(values[name] for name in names)):
                urls.append(
                    app.url_for(rule.endpoint, **dict(zip(names, combination, strict=True)))
                )
    shown = {}
    for url in urls:
        response = client.get(url, headers=headers)
        assert response.status_code < 500, url
        shown[url] = set(ADDRESS.findall(response.get_data(as_text=True)))
    return shown


def assert_no_page_shows_another_address(shown: dict[str, set[str]], viewer: str | None) -> None:
    leaks = {url: addresses - {viewer} for url, addresses in shown.items() if addresses - {viewer}}
    assert not leaks, f"pages showing someone else's address to {viewer or 'a visitor'}: {leaks}"
