"""Password rules per NIST SP 800-63B: length (15 at least), any characters, no composition
rules, common passwords and this site's own words refused; the change page applies them."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from clee.core.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def refusals(password: str, user: Any = None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return list(error.messages)
    return []


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery staple",  # lower case and spaces: no composition rule
        "fifteen chars!!",
        "a" * 20 + " long passphrases are welcome " + "z" * 40,  # 89 characters
        "éléphant rose à vélo 🚲 sous la pluie",  # any Unicode characters
        "compost heap behind the shed",  # contains "post" but is not made of it
    ],
)
def test_these_passwords_are_accepted(password: str, world: dict[str, Any]) -> None:
    assert refusals(password, world["alice"]) == []


def test_a_password_shorter_than_fifteen_characters_is_refused() -> None:
    assert "This password is too short. It must contain at least 15 characters." in refusals("fourteen chars")


def test_a_common_password_is_refused() -> None:
    assert "This password is too common." in refusals("1q2w3e4r5t6y7u8i9o0p")


@pytest.mark.parametrize("password", ["Missouri-POST-CLEE-2024", "clee clee clee clee", "postpostpost12345"])
def test_a_password_made_of_the_sites_name_is_refused(password: str) -> None:
    assert any("mostly your username or the name of this site" in m for m in refusals(password))


def test_a_password_made_of_the_username_is_refused(world: dict[str, Any]) -> None:
    alice = world["alice"]
    assert any("mostly your username" in m for m in refusals("alice!alice!alice!2024", alice))


@pytest.fixture
def alice_client(world: dict[str, Any]) -> Client:
    client = Client()
    client.force_login(world["alice"])
    return client


def test_the_password_change_page_explains_each_refusal(alice_client: Client) -> None:
    page = alice_client.post(
        "/account/password/",
        {"old_password": "not it", "new_password1": "short", "new_password2": "short"},
    ).content.decode()
    assert "Your old password was entered incorrectly" in page
    page = alice_client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "short", "new_password2": "short"},
    ).content.decode()
    assert "This password is too short. It must contain at least 15 characters." in page
    page = alice_client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": "a sunny day in may", "new_password2": "a rainy day"},
    ).content.decode()
    assert "The two password fields didn" in page


def test_a_signed_in_user_changes_their_password_and_stays_signed_in(
    alice_client: Client, world: dict[str, Any]
) -> None:
    new = "a quiet walk along the river"
    response = alice_client.post(
        "/account/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 302
    assert alice_client.get("/officer/").status_code == 200
    alice = world["alice"]
    alice.refresh_from_db()
    assert alice.check_password(new)
    assert AuditEvent.objects.filter(action="account.password_change", object_id=str(alice.pk)).count() == 1


def test_the_password_change_page_needs_a_sign_in(world: dict[str, Any]) -> None:
    assert Client().get("/account/password/")["Location"].startswith("/accounts/login/")


# Breached and common passwords, however long, and the person's own details (issue 13) --------


@pytest.mark.parametrize(
    "password",
    ["123456789012345", "password1234567890", "qwertyuiopasdfgh", "iloveyou12345678", "abcdefghijklmnopq"],
)
def test_a_long_common_or_patterned_password_is_refused(password: str, world: dict[str, Any]) -> None:
    assert any("easy to guess" in m for m in refusals(password, world["alice"])), refusals(password)


@pytest.mark.parametrize(
    "password", ["Alice Avery Alice Avery", "AliceAvery1988!!!!", "avery-alice-04021988", "P1000001P1000001!"]
)
def test_a_password_made_of_the_officers_own_name_or_birth_date_is_refused(
    password: str, world: dict[str, Any]
) -> None:
    assert any("your own name" in m or "license number" in m for m in refusals(password, world["alice"]))


def test_a_password_containing_the_license_number_is_refused(world: dict[str, Any]) -> None:
    messages = refusals("my trusty license p-1000001 and a blue canoe", world["alice"])
    assert any("contains your license number" in m for m in messages)
    # Someone else may use those characters: only the officer's own number is refused.
    assert refusals("my trusty license p-1000001 and a blue canoe", world["bob"]) == []


def test_the_password_change_page_refuses_a_breached_password_with_its_reason(alice_client: Client) -> None:
    response = alice_client.post(
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "password1234567890",
            "new_password2": "password1234567890",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "This password is easy to guess" in page
    assert "similar to a commonly used password" in page


def test_the_check_needs_no_network(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    def no_network(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the password check must not reach the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    assert refusals("a quiet walk along the river", world["alice"]) == []
    assert refusals("qwertyuiopasdfgh", world["alice"])
