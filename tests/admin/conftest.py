"""The back office is for POST staff: erin signs in as one (``is_staff``), frank (the Director)
reads, and everyone else is turned away. ``form_data`` reads a rendered admin form back into
the fields a browser would send, so tests post exactly what the page offers."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from django.test import Client

from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def quick_password_hashing(settings: Any) -> None:
    """Six personas sign up per test: hash their passwords cheaply (the login flow is the same)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def erin(world: dict[str, Any]) -> Any:
    """POST staff with back-office access."""
    user = world["erin"]
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def staff_client(client: Client, erin: Any) -> Client:
    assert client.login(username="erin", password=PASSWORD)
    return client


@pytest.fixture
def director_client(world: dict[str, Any]) -> Client:
    frank = world["frank"]
    frank.is_staff = True
    frank.save(update_fields=["is_staff"])
    client = Client()
    assert client.login(username="frank", password=PASSWORD)
    return client


class _FormReader(HTMLParser):
    """The fields of the admin's model form (``<form id="..._form">``) as a browser submits them."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, Any] = {}
        self.in_form = False
        self.select: str | None = None
        self.select_first: str | None = None
        self.select_chosen = False
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id", "").endswith("_form"):
            self.in_form = True
        if not self.in_form or "__prefix__" in a.get("name", ""):
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.data[name] = a.get("value", "on" if kind == "checkbox" else "")
        elif tag == "select" and name:
            self.select, self.select_first, self.select_chosen = name, None, False
        elif tag == "option" and self.select:
            if self.select_first is None:
                self.select_first = a.get("value", "")
            if "selected" in a:
                self.data[self.select] = a.get("value", "")
                self.select_chosen = True
        elif tag == "textarea" and name:
            self.textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_form = False
        elif tag == "select" and self.select:
            if not self.select_chosen:
                self.data[self.select] = self.select_first or ""
            self.select = None
        elif tag == "textarea" and self.textarea:
            # A browser drops the newline that follows <textarea>.
            self.data[self.textarea] = self.data[self.textarea].removeprefix("\n")
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.data[self.textarea] += data


def form_data(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.status_code
    reader = _FormReader()
    reader.feed(response.content.decode())
    assert reader.data, "no admin form on the page"
    return reader.data
