"""One mailbox, one account: addresses are stored in email-validator's
normal form, so another spelling of an existing address cannot register a
twin account (of the staff address, say), and look-alike local parts are
refused."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from shared.auth.models import normalise_email
from shared.auth.services import EmailTaken, InvalidEmail, authenticate, create_user
from tests.auth_client import AuthActions

PASSWORD = "a good long password"


@pytest.mark.parametrize(
    "twin",
    [
        "Staff@Example.com",
        "staff@EXAMPLE.COM",
        "staff@\uff45xample.com",  # a fullwidth "e" in the domain
    ],
)
def test_another_spelling_of_an_address_is_the_same_account(app: Flask, twin: str) -> None:
    with app.app_context():
        create_user(email="staff@example.com", password=PASSWORD, is_staff=True)
        with pytest.raises(EmailTaken):
            create_user(email=twin, password=PASSWORD)


def test_unicode_and_idna_spellings_of_a_domain_are_one_address(app: Flask) -> None:
    with app.app_context():
        create_user(email="ann@bücher.example", password=PASSWORD)
        with pytest.raises(EmailTaken):
            create_user(email="ann@xn--bcher-kva.example", password=PASSWORD)
        with pytest.raises(EmailTaken):
            create_user(email="ann@bu\u0308cher.example", password=PASSWORD)  # NFD
        # And either spelling logs in.
        assert authenticate("ann@xn--bcher-kva.example", PASSWORD) is not None


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("\uff41nn@example.com", "look-alike"),  # fullwidth "a"
        ("p\u0430ypal@example.com", "mixes alphabets"),  # a Cyrillic "a" among Latin
        # Characters that show nothing: Hangul fillers (letters: "ann" and its
        # display name would pass for ann's), the blank Braille pattern, a
        # grapheme joiner, variation selectors...
        *[
            (f"ann{invisible}@example.com", "look-alike")
            for invisible in "\u115f\u1160\u2800\u034f\ufe0f\u17b4\u180b\U000e0100"
        ],
    ],
)
def test_look_alike_local_parts_are_refused(app: Flask, address: str, reason: str) -> None:
    with app.app_context(), pytest.raises(InvalidEmail, match=reason):
        create_user(email=address, password=PASSWORD)


def test_a_single_script_unicode_local_part_is_fine(app: Flask) -> None:
    with app.app_context():
        user = create_user(email="андрей@example.com", password=PASSWORD)
        assert user.email == "андрей@example.com"


def test_what_is_not_an_address_is_looked_up_as_typed() -> None:
    assert normalise_email("  Not An Address ") == "not an address"


def test_the_register_form_shows_the_refusal_next_to_the_field(
    client: FlaskClient, auth: AuthActions
) -> None:
    response = client.post(
        "/auth/register",
        data={
            "email": "p\u0430ypal@example.com",
            "password": PASSWORD,
            "password_confirm": PASSWORD,
            "csrf_token": auth.csrf_token("/auth/register"),
        },
    )
    assert response.status_code == 422
    assert "mixes alphabets" in response.get_data(as_text=True)
