"""Test helpers shared by the suites of the HTML apps: log in through the
real form, with the CSRF token a browser would send."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash
from werkzeug.test import TestResponse

from shared.auth.passwords import normalise_password

PASSWORD = "correct horse battery"
# scrypt is slow on purpose: about 0.1 s to check a password with the app's
# cost (N = 2**15). Every fixture user logs in with this hash, made once with
# N = 2**10, which the stored hash names, so checking it takes 3 ms; the app's
# own hashing (registration, password change) keeps its cost, and
# tests/shared/test_passwords.py pins that cost.
PASSWORD_HASH = generate_password_hash(normalise_password(PASSWORD), method="scrypt:1024:8:1")
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(response: TestResponse) -> str:
    match = CSRF_INPUT.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on the page ({response.status_code} {response.request.path})"
    return match.group(1)


class AuthActions:
    """``auth.login()``, ``auth.logout()`` and ``auth.csrf_token()`` for one client."""

    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def csrf_token(self, page: str = "/auth/login") -> str:
        """The token from ``page``, or from where it redirects: the login form
        when logged out, the nav's logout form on any page when logged in."""
        return csrf_token_from(self._client.get(page, follow_redirects=True))

    def login(
        self,
        email: str = "ann@example.com",
        password: str = PASSWORD,
        *,
        remember: bool = False,
        next_url: str | None = None,
    ) -> TestResponse:
        data = {"email": email, "password": password, "csrf_token": self.csrf_token()}
        if remember:
            data["remember"] = "y"
        query = {"next": next_url} if next_url is not None else None
        return self._client.post("/auth/login", data=data, query_string=query)

    def logout(self) -> TestResponse:
        return self._client.post("/auth/logout", data={"csrf_token": self.csrf_token("/")})
