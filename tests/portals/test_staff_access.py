"""The staff portal is for POST staff only: every page answers erin and gives the others
(officer, agency administrators, provider, and the Director, who is not a reviewer) the same
404 as a page that does not exist; a visitor not signed in is sent to sign in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from clee.compliance.models import Extension
from clee.compliance.services import extension_request
from clee.core.documents import document_store
from clee.demo.pdf import tiny_pdf
from clee.providers.catalog import recognized_course_save
from clee.providers.courses import PortionSpec
from clee.providers.models import RecognizedCourse
from clee.workflows.credit_requests import credit_request_submit
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

OUTSIDERS = ("alice", "bob", "carol", "dave", "frank")


def client_of(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def pages(world: dict[str, Any]) -> list[str]:
    """Every staff page, with one object of each kind to open."""
    documents = [
        (kind, document_store(content=tiny_pdf(kind), original_name=f"{kind}.pdf", actor=world["alice"]))
        for kind in ("certificate", "affirmation", "agenda")
    ]
    request = credit_request_submit(
        officer=world["officer"],
        kind="out_of_state",
        title="Crisis Intervention",
        completed_on=dt.date(2023, 5, 1),
        hours=Decimal(8),
        state="MN",
        documents=documents,
        acting_user=world["alice"],
    )
    extension = extension_request(
        officer=world["officer"],
        period=world["period"],
        kind=Extension.Kind.EXTENSION,
        reason="medical",
        explanation="",
        acting_user=world["alice"],
    )
    entry = recognized_course_save(
        entry=RecognizedCourse(
            source="MN",
            provider_name="Academy",
            title="Crisis",
            hours=Decimal(8),
            recognized_from=dt.date(2021, 1, 1),
        ),
        split=[PortionSpec(core_area="legal_studies", hours=Decimal(8))],
        acting_user=world["erin"],
    )
    provider, course = world["provider"], world["course"]
    return [
        "/staff/",
        "/staff/courses/",
        f"/staff/courses/{course.pk}/",
        "/staff/requests/",
        f"/staff/requests/{request.pk}/",
        "/staff/extensions/",
        "/staff/providers/",
        "/staff/providers/add/",
        f"/staff/providers/{provider.pk}/",
        f"/staff/providers/{provider.pk}/edit/",
        "/staff/catalog/",
        "/staff/catalog/add/",
        f"/staff/catalog/{entry.pk}/edit/",
        f"/staff/extensions/{extension.pk}/decide/",
        "/staff/extensions/grant/",
    ]


POST_ONLY = ("/decide/", "/grant/")


def test_post_staff_open_every_staff_page(pages: list[str]) -> None:
    client = client_of("erin")
    for url in pages:
        expected = 405 if url.endswith(POST_ONLY) else 200
        assert client.get(url).status_code == expected, url


@pytest.mark.parametrize("username", OUTSIDERS)
def test_everyone_else_gets_not_found_on_every_staff_page(pages: list[str], username: str) -> None:
    client = client_of(username)
    for url in pages:
        assert client.get(url).status_code == 404, (username, url)
        assert client.post(url, {"decision": "approve"}).status_code == 404, (username, url)


def test_a_missing_object_is_the_same_404(world: dict[str, Any]) -> None:
    client = client_of("erin")
    for url in (
        "/staff/courses/999999/",
        "/staff/requests/999999/",
        "/staff/providers/999999/",
        "/staff/providers/999999/edit/",
        "/staff/catalog/999999/edit/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post("/staff/extensions/999999/decide/").status_code == 404


def test_a_visitor_not_signed_in_is_sent_to_sign_in(pages: list[str]) -> None:
    for url in pages:
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next=/staff/"), url


def test_the_home_page_shows_each_queue_its_size_and_its_oldest_age(
    world: dict[str, Any], pages: list[str]
) -> None:
    response = client_of("erin").get("/staff/")

    queues = {queue.label: queue for queue in response.context["queues"]}
    assert queues["Credit requests"].waiting == 1
    assert queues["Course submissions"].waiting == 0
    assert queues["Extension and waiver requests"].waiting == 1
    assert queues["Credit requests"].oldest_days == 0
    page = response.content.decode()
    assert "Oldest waiting 0 days" in page
    assert 'href="/staff/requests/"' in page
    assert 'href="/staff/courses/"' in page
    assert 'href="/staff/extensions/"' in page
    assert "Licensed officers on file" in page  # the statewide figures
