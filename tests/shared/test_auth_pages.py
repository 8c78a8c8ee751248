"""The register, login and logout pages, and the access checks."""

from __future__ import annotations

import re
from typing import Any
from unittest import mock

import pytest
from flask import Flask
from flask.testing import FlaskClient

from shared.auth import forms as auth_forms
from shared.auth import passwords
from tests.auth_client import PASSWORD, AuthActions, csrf_token_from
from tests.shared.factories import make_user
from tests.shared.tiny_app import User, db


def register(client: FlaskClient, auth: AuthActions, **fields: str):
    data = {
        "email": "new@example.com",
        "password": "long enough pw",
        "password_confirm": "long enough pw",
        "csrf_token": auth.csrf_token("/auth/register"),
        **fields,
    }
    return client.post("/auth/register", data=data)


def users(app: Flask) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(db.select(User.email)))


# --- register ---------------------------------------------------------------


def test_register_page_has_the_contract_fields(client: FlaskClient) -> None:
    html = client.get("/auth/register").get_data(as_text=True)
    for name in ("email", "password", "password_confirm", "csrf_token"):
        assert f'name="{name}"' in html


def test_register_creates_an_account_logs_in_and_stores_a_scrypt_hash(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    response = register(client, auth, email="  New@Example.COM ")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert users(app) == ["new@example.com"]
    with app.app_context():
        user = db.session.scalar(db.select(User))
        assert user is not None
        assert user.password_hash.startswith("scrypt:")
        assert not user.is_staff
    assert client.get("/private").status_code == 200


def test_a_password_the_sign_up_accepted_logs_in_however_long_it_was_typed(
    client: FlaskClient, auth: AuthActions
) -> None:
    # 132 characters as typed, 68 once each "e" and its accent are one "é" (NFKC).
    password = "Zq9!" + "e\u0301" * 64
    response = register(client, auth, password=password, password_confirm=password)
    assert response.status_code == 302
    auth.logout()
    assert auth.login(email="new@example.com", password=password).status_code == 302


def test_a_password_far_too_long_is_refused_at_login_before_it_is_normalised(
    app: Flask, auth: AuthActions, monkeypatch: pytest.MonkeyPatch
) -> None:
    normalised: list[str] = []
    monkeypatch.setattr(auth_forms, "normalise_password", lambda text: normalised.append(text))
    response = auth.login(password="\ufdfa" * 100_000)  # NFKC makes each 18 characters
    assert response.status_code == 422
    assert "Use at most 128 characters." in response.get_data(as_text=True)
    assert normalised == []


def test_register_follows_a_safe_next(client: FlaskClient, auth: AuthActions) -> None:
    token = auth.csrf_token("/auth/register")
    response = client.post(
        "/auth/register?next=/private",
        data={
            "email": "a@example.com",
            "password": "eight chars ok",
            "password_confirm": "eight chars ok",
            "csrf_token": token,
        },
    )
    assert response.headers["Location"] == "/private"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"email": ""}, "Enter your e-mail address."),
        ({"email": "not-an-address"}, "Enter a valid e-mail address."),
        ({"email": "a" * 250 + "@x.org"}, "Field cannot be longer than 254 characters."),
        ({"password": "short", "password_confirm": "short"}, "Use at least 8 characters."),
        ({"password": "p" * 129, "password_confirm": "p" * 129}, "Use at most 128 characters."),
        ({"password_confirm": "something else"}, "The two passwords do not match."),
    ],
    ids=["empty email", "bad email", "long email", "short password", "long password", "mismatch"],
)
def test_register_refuses_invalid_input_with_a_message_next_to_the_field(
    app: Flask, client: FlaskClient, auth: AuthActions, fields: dict[str, str], message: str
) -> None:
    response = register(client, auth, **fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "invalid-feedback" in html
    assert message in html
    assert users(app) == []


def test_a_field_in_error_shows_its_message_once_as_its_accessible_description(
    client: FlaskClient, auth: AuthActions
) -> None:
    response = register(client, auth, password="short", password_confirm="short")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    # The help text ("At least 8 characters.") gives way to the error.
    assert 'id="password-help"' not in html
    assert "At least 8 characters." not in html
    field = re.search(r"<input[^>]*\bid=\"password\"[^>]*>", html)
    assert field is not None
    assert 'aria-invalid="true"' in field.group(0)
    assert 'aria-describedby="password-error"' in field.group(0)
    error = re.search(r'<div id="password-error"[^>]*>(.*?)</div>', html, re.S)
    assert error is not None
    assert "Use at least 8 characters." in error.group(1)


def test_a_field_without_errors_is_described_by_its_help(client: FlaskClient) -> None:
    html = client.get("/auth/register").get_data(as_text=True)
    field = re.search(r"<input[^>]*\bid=\"password\"[^>]*>", html)
    assert field is not None
    assert 'aria-describedby="password-help"' in field.group(0)
    assert "aria-invalid" not in field.group(0)
    assert '<div id="password-help" class="form-text">At least 8 characters.</div>' in html


def test_register_refuses_an_email_taken_in_another_case(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    make_user(app, email="ann@example.com")
    response = register(client, auth, email="ANN@example.com")
    assert response.status_code == 422
    assert "An account with this e-mail already exists." in response.get_data(as_text=True)
    assert users(app) == ["ann@example.com"]


def test_logged_in_user_visiting_register_is_sent_home(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    make_user(app)
    auth.login()
    assert client.get("/auth/register").status_code == 302


# --- login ------------------------------------------------------------------


def test_login_page_has_the_contract_fields(client: FlaskClient) -> None:
    html = client.get("/auth/login").get_data(as_text=True)
    for name in ("email", "password", "remember", "csrf_token"):
        assert f'name="{name}"' in html


def test_login_with_the_right_password_in_any_case(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    make_user(app)
    response = auth.login(email="Ann@Example.com")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/private")
    assert page.status_code == 200
    assert "private page of ann@example.com" in page.get_data(as_text=True)


def test_unknown_email_and_wrong_password_get_the_same_answer(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    make_user(app)
    wrong_password = auth.login(password="wrong password")
    unknown_email = auth.login(email="nobody@example.com", password="wrong password")
    assert wrong_password.status_code == unknown_email.status_code == 422

    def without_token_and_email(html: str) -> str:
        return (
            html.replace("ann@example.com", "")
            .replace("nobody@example.com", "")
            .split('name="csrf_token"')[0]
        )

    assert without_token_and_email(wrong_password.get_data(as_text=True)) == (
        without_token_and_email(unknown_email.get_data(as_text=True))
    )
    assert "Invalid e-mail or password." in wrong_password.get_data(as_text=True)


def test_unknown_email_still_checks_a_password_hash(app: Flask, auth: AuthActions) -> None:
    # The time an unknown address takes must match a real check.
    with mock.patch.object(passwords, "verify_password", wraps=passwords.verify_password) as verify:
        auth.login(email="nobody@example.com")
    verify.assert_called_once()
    assert verify.call_args.args[0].startswith("scrypt:")


def test_the_hash_an_unknown_address_is_checked_against_is_made_as_the_app_starts(
    app_factory: Any,
) -> None:
    # Made by the first such login instead, that login would take one hash longer.
    passwords.dummy_hash.cache_clear()
    app_factory()
    assert passwords.dummy_hash.cache_info().currsize == 1


def test_inactive_user_cannot_log_in(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    make_user(app, is_active=False)
    response = auth.login()
    assert response.status_code == 422
    assert "Invalid e-mail or password." in response.get_data(as_text=True)
    assert client.get("/private").status_code == 302


def test_deactivating_a_user_ends_their_current_session(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    make_user(app)
    auth.login()
    with app.app_context():
        db.session.execute(db.update(User).values(is_active=False))
        db.session.commit()
    assert client.get("/private").status_code == 302


def test_empty_login_form_shows_field_messages(client: FlaskClient, auth: AuthActions) -> None:
    response = client.post(
        "/auth/login", data={"email": "", "password": "", "csrf_token": auth.csrf_token()}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Enter your e-mail address." in html
    assert "Enter your password." in html


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example",
        "/\\evil.example",
        "https:evil.example",
        "javascript:alert(1)",
    ],
)
def test_login_refuses_off_site_next(app: Flask, auth: AuthActions, next_url: str) -> None:
    make_user(app)
    response = auth.login(next_url=next_url)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_follows_a_same_site_next(app: Flask, auth: AuthActions) -> None:
    make_user(app)
    response = auth.login(next_url="/private?tab=2")
    assert response.headers["Location"] == "/private?tab=2"


def test_login_post_without_csrf_token_is_400(app: Flask, client: FlaskClient) -> None:
    make_user(app)
    response = client.post("/auth/login", data={"email": "ann@example.com", "password": PASSWORD})
    assert response.status_code == 400
    assert "The CSRF token is missing" in response.get_data(as_text=True)
    assert client.get("/private").status_code == 302


def test_a_secure_cookie_lost_over_plain_http_is_explained(app_factory: Any) -> None:
    # A production app (Secure cookies) opened at http://: a browser keeps the
    # session cookie but never sends it back over http, so the CSRF check
    # cannot pass. (Werkzeug's test client sends it anyway; drop it as a
    # browser would.) The page must say why, not "the form has expired".
    app = app_factory(SESSION_COOKIE_SECURE=True)
    make_user(app)
    client = app.test_client()
    token = csrf_token_from(client.get("/auth/login"))
    client.delete_cookie("session")
    data = {"email": "ann@example.com", "password": PASSWORD, "csrf_token": token}
    response = client.post("/auth/login", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "opened over plain http://" in page
    assert "ALLOW_PLAIN_HTTP=true" in page
    # Over HTTPS a missing cookie is the usual expired form, and with the
    # cookie the login works.
    https = app.test_client()
    token = csrf_token_from(https.get("/auth/login", base_url="https://localhost"))
    data["csrf_token"] = token
    https.delete_cookie("session", domain="localhost")
    refused = https.post("/auth/login", data=data, base_url="https://localhost")
    assert refused.status_code == 400
    assert "plain http://" not in refused.get_data(as_text=True)
    fresh = app.test_client()
    data["csrf_token"] = csrf_token_from(fresh.get("/auth/login", base_url="https://localhost"))
    # (Over HTTPS, Flask-WTF also wants a same-site Referer, as browsers send.)
    same_site = {"Referer": "https://localhost/auth/login"}
    response = fresh.post("/auth/login", data=data, base_url="https://localhost", headers=same_site)
    assert response.status_code == 302


def test_login_post_with_a_forged_csrf_token_is_400(app: Flask, client: FlaskClient) -> None:
    make_user(app)
    client.get("/auth/login")
    response = client.post(
        "/auth/login",
        data={"email": "ann@example.com", "password": PASSWORD, "csrf_token": "forged"},
    )
    assert response.status_code == 400


def test_the_eleventh_rapid_failed_login_is_429(app: Flask, auth: AuthActions) -> None:
    make_user(app)
    for _ in range(10):
        assert auth.login(password="wrong password").status_code == 422
    response = auth.login(password="wrong password")
    assert response.status_code == 429
    # The limit as people say it: not Flask-Limiter's "10 per 1 minute".
    assert "Too many attempts (the limit is 10 per minute)" in response.get_data(as_text=True)
    assert "Retry-After" in response.headers
    # The right password does not get through while the limit holds.
    assert auth.login().status_code == 429


def test_successful_logins_do_not_count_towards_the_limit(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    make_user(app)
    for _ in range(12):
        assert auth.login().status_code == 302
        auth.logout()


def test_registration_is_rate_limited(app: Flask) -> None:
    statuses = []
    for i in range(6):
        client = app.test_client()  # a new visitor each time, from the same address
        statuses.append(
            register(client, AuthActions(client), email=f"u{i}@example.com").status_code
        )
    assert statuses == [302] * 5 + [429]
    assert len(users(app)) == 5


# --- access checks ----------------------------------------------------------


def test_anonymous_user_is_sent_to_login_with_next(client: FlaskClient) -> None:
    response = client.get("/private?x=1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/login?next=%2Fprivate%3Fx%3D1"


def test_a_form_sent_after_the_session_ended_leads_back_to_its_page_after_login(
    client: FlaskClient,
) -> None:
    """A logout on another device, or an expired login: the form's own URL
    takes POST only, so ``next`` is the page it was sent from."""
    sent = client.post("/private/notes", headers={"Referer": "http://localhost/private?x=1"})
    assert sent.status_code == 302
    assert sent.headers["Location"] == "/auth/login?next=%2Fprivate%3Fx%3D1"
    # Without a Referer, the login page leads to its default.
    assert client.post("/private/notes").headers["Location"] == "/auth/login"
    page = client.get("/auth/login").get_data(as_text=True)
    assert "You were logged out, so what you sent was not saved." in page


def test_being_sent_to_log_in_reads_as_information_not_an_error(client: FlaskClient) -> None:
    page = client.get("/private", follow_redirects=True).get_data(as_text=True)
    notice = re.search(r'<div class="alert alert-(\w+)" role="alert">([^<]*)</div>', page)
    assert notice is not None
    assert notice.group(1) == "info"
    assert notice.group(2) == "Log in, and you will go straight on to the page you asked for."


def test_the_login_page_lists_the_demo_logins_only_when_the_demo_sets_them(
    app_factory: Any,
) -> None:
    plain = app_factory().test_client().get("/auth/login").get_data(as_text=True)
    assert "demo-logins" not in plain
    demo = app_factory(DEMO_LOGINS="ann@example.com, ben@example.com", DEMO_PASSWORD="pw-123")
    page = demo.test_client().get("/auth/login").get_data(as_text=True)
    hint = re.search(r'data-testid="demo-logins">(.*?)</div>', page, re.S)
    assert hint is not None
    assert "ann@example.com, ben@example.com" in hint.group(1)
    assert "<code>pw-123</code>" in hint.group(1)


def test_staff_page_sends_anonymous_users_to_login(client: FlaskClient) -> None:
    response = client.get("/staff")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")


def test_staff_page_is_403_for_a_non_staff_user(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    make_user(app)
    auth.login()
    response = client.get("/staff")
    assert response.status_code == 403
    assert "You do not have permission" in response.get_data(as_text=True)


def test_staff_page_is_open_to_staff(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    make_user(app, is_staff=True)
    auth.login()
    assert client.get("/staff").get_data(as_text=True) == "staff page"


def test_nav_shows_the_user_and_a_logout_form(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    make_user(app, is_staff=True)
    auth.login()
    html = client.get("/").get_data(as_text=True)
    assert "ann@example.com" in html
    assert 'action="/auth/logout"' in html
    assert 'method="post"' in html


def test_logged_in_user_visiting_login_is_sent_on(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    make_user(app)
    auth.login()
    response = client.get("/auth/login?next=/private")
    assert response.status_code == 302
    assert response.headers["Location"] == "/private"


def test_require_login_guards_a_whole_blueprint(app_factory: Any) -> None:
    from flask import Blueprint

    from shared.auth import require_login

    app = app_factory()
    bp = Blueprint("members", __name__)
    bp.before_request(require_login)
    bp.add_url_rule("/members", "home", lambda: "members", methods=["GET", "OPTIONS"])
    app.register_blueprint(bp)
    make_user(app, email="ann@example.com")

    anonymous = app.test_client()
    refused = anonymous.get("/members")
    assert refused.status_code == 302
    assert refused.headers["Location"].startswith("/auth/login?next=")
    assert anonymous.options("/members").status_code == 200  # a preflight needs no login
    member = app.test_client()
    AuthActions(member).login("ann@example.com")
    assert member.get("/members").get_data(as_text=True) == "members"


def test_require_staff_guards_a_whole_blueprint(app_factory: Any) -> None:
    from flask import Blueprint

    from shared.auth import require_staff

    app = app_factory()
    bp = Blueprint("backoffice", __name__)
    bp.before_request(require_staff)
    bp.add_url_rule("/backoffice", "home", lambda: "backoffice")
    app.register_blueprint(bp)
    make_user(app, email="staff@example.com", is_staff=True)
    make_user(app, email="ann@example.com")

    anonymous = app.test_client()
    assert anonymous.get("/backoffice").status_code == 302
    customer = app.test_client()
    AuthActions(customer).login("ann@example.com")
    assert customer.get("/backoffice").status_code == 403
    staff = app.test_client()
    AuthActions(staff).login("staff@example.com")
    assert staff.get("/backoffice").get_data(as_text=True) == "backoffice"


def test_even_correct_logins_are_limited_per_address(app_factory: Any) -> None:
    # Every attempt costs a slow scrypt check; correct ones can flood a server too.
    app = app_factory(AUTH_LOGIN_ATTEMPT_RATE_LIMIT="3 per minute")
    make_user(app)
    client = app.test_client()
    auth = AuthActions(client)
    statuses = []
    for _ in range(4):
        statuses.append(auth.login().status_code)
        client.delete_cookie("session")  # log out the cheap way, keep the address
    assert statuses == [302, 302, 302, 429]


@pytest.mark.parametrize("per_address", ["per minute", "per hour"])
def test_the_rate_limit_headers_tell_nothing_of_an_accounts_logins(
    app_factory: Any, per_address: str
) -> None:
    """The headers count this address's attempts: the per-account limit's count
    would tell anyone how often an account's owner logged in this minute.
    (Flask-Limiter orders a view's limits by their unit, minutes before hours.)"""
    app = app_factory(
        AUTH_LOGIN_RATE_LIMIT=f"10 {per_address}", AUTH_LOGIN_ATTEMPT_RATE_LIMIT=f"30 {per_address}"
    )
    make_user(app)
    make_user(app, email="ben@example.com")
    owner = app.test_client()
    for _ in range(5):
        assert AuthActions(owner).login().status_code == 302
        owner.delete_cookie("session")

    def headers_seen_by_a_stranger(email: str, address: str) -> dict[str, str]:
        stranger = app.test_client()
        stranger.environ_base["REMOTE_ADDR"] = address
        response = AuthActions(stranger).login(email=email, password="wrong password")
        assert response.status_code == 422
        return {name: value for name, value in response.headers if name.startswith("X-RateLimit")}

    ann = headers_seen_by_a_stranger("ann@example.com", "203.0.113.1")
    ben = headers_seen_by_a_stranger("ben@example.com", "203.0.113.2")
    for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining"):
        assert ann[name] == ben[name]


def test_logins_are_limited_per_account_from_any_address(app_factory: Any) -> None:
    app = app_factory(AUTH_ACCOUNT_LOGIN_RATE_LIMIT="3 per minute")
    make_user(app)
    make_user(app, email="ben@example.com")
    statuses = []
    for attempt in range(4):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"203.0.113.{attempt}"
        statuses.append(AuthActions(client).login().status_code)
    assert statuses == [302, 302, 302, 429]
    # Another account is not affected.
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "203.0.113.99"
    assert AuthActions(other).login("ben@example.com").status_code == 302


def test_a_failed_form_leads_with_an_error_summary_and_says_so_in_the_title(
    client: FlaskClient, auth: AuthActions
) -> None:
    fine = client.get("/auth/register").get_data(as_text=True)
    assert "<title>Register" in fine
    assert "data-error-summary" not in fine
    html = register(client, auth, email="not-an-address", password="short").get_data(as_text=True)
    assert re.search(r"<title>Error: Register", html)
    summary = re.search(
        r'<div class="alert alert-danger" role="alert" tabindex="-1" '
        r"data-error-summary[^>]*>(.*?)</div>",
        html,
        re.S,
    )
    assert summary is not None
    links = re.findall(r'<a href="#(\w+)" class="alert-link">([^<]+)</a>', summary.group(1))
    assert [field for field, _ in links] == ["email", "password", "password_confirm"]
    assert any("Use at least 8 characters." in text for _, text in links)


def test_a_refused_login_is_the_summarys_headline(client: FlaskClient, auth: AuthActions) -> None:
    html = auth.login("nobody@example.com", "wrong password").get_data(as_text=True)
    headline = re.search(
        r'data-error-summary[^>]*>\s*<p class="fw-semibold mb-1">([^<]+)</p>', html
    )
    assert headline is not None
    assert headline.group(1) == "Invalid e-mail or password."
