"""Security as the browser sees it in the help desk (tests/e2e/browser_security.py):
cookie flags, and a tampered CSRF token."""

from __future__ import annotations

from typing import Any

from tests.e2e.browser_security import (
    assert_a_tampered_csrf_token_gets_the_400_page,
    assert_login_cookies_are_httponly_and_lax,
)
from tests.e2e.conftest import PageWatch
from tests.e2e.live_servers import LiveApp


def test_session_and_remember_cookies_are_httponly_and_lax(
    servers: dict[str, LiveApp], new_context: Any
) -> None:
    assert_login_cookies_are_httponly_and_lax(new_context, servers["helpdesk"].url)


def test_a_tampered_csrf_token_gets_the_400_page(
    servers: dict[str, LiveApp], new_context: Any, watch: PageWatch
) -> None:
    assert_a_tampered_csrf_token_gets_the_400_page(new_context, watch, servers["helpdesk"].url)
