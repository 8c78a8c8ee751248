"""The recipe site's part of tests/operations/test_prometheus.py: how to
prepare it (no bucket: the upload is refused before storing anything), a
refused login, and a photo refused for its type, with the query that finds
it in Prometheus."""

from __future__ import annotations

import requests

PREPARE = [["db", "upgrade"]]
# The form posts of a script, not a browser: no CSRF token to copy.
SETTINGS = {"WTF_CSRF_ENABLED": "false"}


def refuse_login(base: str) -> None:
    wrong = {"email": "nobody@example.com", "password": "not the password"}
    assert requests.post(f"{base}/auth/login", data=wrong, timeout=10).status_code == 422


def make_events(base: str) -> list[str]:
    cook = requests.Session()
    account = {"email": "cook@example.com", "password": "a long enough password"}
    registered = cook.post(
        f"{base}/auth/register", data={**account, "password_confirm": account["password"]}
    )
    assert registered.status_code == 200, registered.text  # the home page, logged in
    recipe = {"title": "Soup", "ingredients": "Water", "instructions": "Boil."}
    photo = {"image": ("soup.gif", b"GIF89a", "image/gif")}
    refused = cook.post(f"{base}/recipes/new", data=recipe, files=photo, timeout=10)
    assert refused.status_code == 422, refused.status_code
    return ['uploads_refused_total{app="recipes", reason="wrong_type"}']
