"""People and accounts fixtures: the real SMTP server of the notice tests, clients signed in as
a persona, and the links found in the emails the server received."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.conftest import PASSWORD
from tests.notices.conftest import SmtpServer, smtp, smtp_port  # noqa: F401 (the real SMTP server fixtures)

# A password the rules accept for a new account.
NEW_PASSWORD = "kettle orchard lantern violet"
LINK = re.compile(r"http://testserver(/[^\s\"<>]+)")


def as_user(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def link_to(server: SmtpServer, address: str, *, index: int = -1) -> str:
    """The path of the CLEE link in the text of the message ``address`` received (the latest
    by default)."""
    messages = server.mailbox.to(address)
    assert messages, f"no message to {address}"
    body = messages[index].get_body(preferencelist=("plain",))
    assert body is not None
    found = LINK.findall(str(body.get_content()))
    assert found, str(body.get_content())
    return str(found[0])


def text_of(server: SmtpServer, address: str, *, index: int = -1) -> str:
    body = server.mailbox.to(address)[index].get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content())


@pytest.fixture
def emails(world: dict[str, Any]) -> dict[str, Any]:
    """The personas with email addresses of their own."""
    for name in ("alice", "bob", "carol", "dave", "erin", "frank"):
        world[name].email = f"{name}@example.test"
        world[name].save(update_fields=["email"])
    return world
