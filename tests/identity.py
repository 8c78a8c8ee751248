"""What every HTML app shows as its own: its logo (favicon and navbar), its
accent colour, a footer that says what it is; checked by each app's suite."""

from __future__ import annotations

import re

from flask.testing import FlaskClient


def assert_the_app_shows_its_identity(
    client: FlaskClient, *, name: str, stylesheet: str, accent: str
) -> None:
    for path, status in (("/auth/login", 200), ("/no-such-page", 404)):  # its pages and shared ones
        response = client.get(path)
        assert response.status_code == status
        html = response.get_data(as_text=True)
        assert '<link rel="icon" href="/static/logo.svg" type="image/svg+xml">' in html
        assert re.search(
            r'class="navbar-brand[^"]*" href="/">\s*<img class="site-logo" src="/static/logo.svg"',
            html,
        )
        assert f'href="/static/{stylesheet}"' in html
        footer = re.search(r"<footer[^>]*>\s*<div[^>]*>\s*<span>([^<]+)</span>", html)
        assert footer, "no footer"
        assert name.lower() in footer.group(1).lower(), "the footer does not name the app"
    with client.get("/static/logo.svg") as logo:
        assert logo.mimetype == "image/svg+xml"
        assert accent.encode() in logo.data, f"the logo is not drawn in the accent {accent}"
    with client.get(f"/static/{stylesheet}") as css:
        assert f"--site-accent: {accent};".encode() in css.data, f"{stylesheet} sets another accent"
