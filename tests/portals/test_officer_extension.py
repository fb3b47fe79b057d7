"""An officer, or the agency commissioning them, asks POST for an extension or waiver of the
current period; nobody else can, and a second request while one waits is refused."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from clee.compliance.models import Extension
from clee.core.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

URL = "/officer/extension/"
FORM = {"kind": "extension", "reason": "military", "explanation": "Deployed from March to November 2023."}


def client_of(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_an_officer_asks_for_an_extension_and_post_sees_it_waiting(world: dict[str, Any]) -> None:
    alice = client_of("alice")
    assert "Ask for an extension or waiver" in alice.get(URL).content.decode()
    response = alice.post(URL, FORM)
    assert response.status_code == 302
    assert response["Location"] == "/officer/"
    extension = Extension.objects.get(officer=world["officer"], period=world["period"])
    assert (extension.kind, extension.reason, extension.status) == ("extension", "military", "requested")
    assert extension.requested_by == world["alice"]
    assert extension.explanation == FORM["explanation"]
    assert AuditEvent.objects.filter(
        action="compliance.extension_request", object_id=str(extension.pk), actor=world["alice"]
    ).exists()
    assert "sent to POST" in alice.get("/officer/").content.decode()


def test_a_second_request_while_one_waits_is_refused_and_nothing_is_added(world: dict[str, Any]) -> None:
    alice = client_of("alice")
    alice.post(URL, FORM)
    response = alice.post(URL, FORM)
    assert response.status_code == 400
    assert "already awaiting a decision" in response.content.decode()
    assert Extension.objects.filter(officer=world["officer"]).count() == 1


def test_an_unknown_reason_and_a_missing_explanation_are_refused_by_field(world: dict[str, Any]) -> None:
    response = client_of("alice").post(URL, {"kind": "extension", "reason": "vacation", "explanation": ""})
    page = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_reason_error"' in page
    assert 'id="id_explanation_error"' in page
    assert not Extension.objects.exists()


@pytest.mark.parametrize("username", ["bob", "carol", "dave", "erin", "frank"])
def test_no_one_but_an_officer_reaches_the_form(world: dict[str, Any], username: str) -> None:
    client = client_of(username)
    assert client.get(URL).status_code == 404
    assert client.post(URL, FORM).status_code == 404
    assert not Extension.objects.exists()


def test_the_agency_asks_for_one_of_its_officers_and_another_agency_cannot(world: dict[str, Any]) -> None:
    url = f"/agency/officers/{world['officer'].pk}/extension/"
    carol = client_of("carol")
    assert carol.get(url).status_code == 404
    assert carol.post(url, FORM).status_code == 404
    assert not Extension.objects.exists()
    bob = client_of("bob")
    assert "Ask for an extension or waiver for Alice Avery" in bob.get(url).content.decode()
    response = bob.post(url, {**FORM, "kind": "waiver", "reason": "medical"})
    assert response.status_code == 302
    extension = Extension.objects.get(officer=world["officer"])
    assert (extension.kind, extension.reason, extension.requested_by) == ("waiver", "medical", world["bob"])
    assert client_of("alice").get(url).status_code == 404
