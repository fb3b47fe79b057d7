"""Who may open the provider's pages: the provider's own staff only. Officers, agency
administrators, POST staff, the Director and another provider's staff get the same 404 as for
a page that does not exist; a visitor not signed in is sent to sign in."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from clee.accounts.models import User
from clee.providers.models import Course, Offering, RosterUpload
from clee.training.models import ImportBatch
from clee.workflows.provider_rosters import roster_upload_store
from tests.conftest import PASSWORD
from tests.portals.test_provider_support import client_of, course_data, elsewhere, offering_data, roster

pytestmark = pytest.mark.django_db
__all__ = ["elsewhere"]  # a fixture, used by name

PAGES = (
    "/provider/",
    "/provider/courses/new/",
    "/provider/courses/split-row/",
    "/provider/courses/{course}/",
    "/provider/courses/{course}/correct/",
    "/provider/courses/{course}/withdraw/",
    "/provider/offerings/",
    "/provider/offerings/new/",
    "/provider/offerings/instructor-row/",
    "/provider/offerings/{offering}/",
    "/provider/offerings/{offering}/change/",
    "/provider/rosters/",
    "/provider/rosters/sample.csv",
    "/provider/rosters/uploads/{upload}/",
    "/provider/rosters/{batch}/",
)


@pytest.fixture
def dave_things(world: dict[str, Any]) -> dict[str, int]:
    """Keys of a pending course, an offering, an upload and a roster of dave's provider."""
    course = Course.objects.create(provider=world["provider"], number="CMA-7", title="Pending", hours=4)
    offering = Offering.objects.create(
        course=world["course"], starts_on=dt.date(2023, 4, 1), ends_on=dt.date(2023, 4, 1), location="Hall"
    )
    stored = roster_upload_store(
        provider=world["provider"],
        file_name="r.csv",
        content=roster("P1000001,Avery,CMA-101,2023-03-14,"),
        acting_user=world["dave"],
    )
    batch = ImportBatch.objects.create(
        kind="roster", file_name="r.csv", sha256="2" * 64, provider=world["provider"]
    )
    return {"course": course.pk, "offering": offering.pk, "upload": stored.pk, "batch": batch.pk}


@pytest.mark.parametrize("username", ["alice", "bob", "carol", "erin", "frank"])
def test_every_provider_page_is_a_404_for_other_roles(
    world: dict[str, Any], dave_things: dict[str, int], username: str
) -> None:
    client = client_of(username)
    for page in PAGES:
        url = page.format(**dave_things)
        assert client.get(url).status_code == 404, (username, url)
    assert client.post("/provider/rosters/", {}).status_code == 404
    assert client.post(f"/provider/courses/{dave_things['course']}/withdraw/").status_code == 404


def test_every_provider_page_answers_its_provider(world: dict[str, Any], dave_things: dict[str, int]) -> None:
    client = client_of("dave")
    for page in PAGES:
        url = page.format(**dave_things)
        assert client.get(url).status_code == 200, url


def test_another_providers_course_offering_roster_and_upload_are_404(
    world: dict[str, Any], dave_things: dict[str, int], elsewhere: dict[str, Any]
) -> None:
    paula = client_of(elsewhere["paula"])
    for page in PAGES:
        if "{" in page:
            url = page.format(**dave_things)
            assert paula.get(url).status_code == 404, url
    course_id, offering_id = dave_things["course"], dave_things["offering"]
    assert paula.post(f"/provider/courses/{course_id}/withdraw/").status_code == 404
    assert paula.post(f"/provider/courses/{course_id}/correct/", course_data()).status_code == 404
    assert paula.post(f"/provider/offerings/{offering_id}/change/", offering_data()).status_code == 404
    upload_id = dave_things["upload"]
    assert paula.post(f"/provider/rosters/uploads/{upload_id}/confirm/", {"sha256": "x"}).status_code == 404
    assert Course.objects.get(pk=course_id).status == Course.Status.PENDING
    assert Offering.objects.get(pk=offering_id).location == "Hall"
    assert RosterUpload.objects.filter(pk=upload_id).exists()
    # And the other way round: dave cannot reach paula's.
    dave = client_of("dave")
    assert dave.get(f"/provider/courses/{elsewhere['course'].pk}/").status_code == 404
    assert dave.get(f"/provider/offerings/{elsewhere['offering'].pk}/").status_code == 404
    assert dave.get(f"/provider/rosters/{elsewhere['batch'].pk}/").status_code == 404


def test_an_offering_cannot_be_scheduled_for_another_providers_course(
    world: dict[str, Any], elsewhere: dict[str, Any]
) -> None:
    theirs = elsewhere["course"]
    Course.objects.filter(pk=theirs.pk).update(status="approved", approved_from=dt.date(2020, 1, 1))
    dave = client_of("dave")
    assert dave.get(f"/provider/offerings/new/?course={theirs.pk}").status_code == 404
    response = dave.post("/provider/offerings/new/", offering_data(course=theirs))
    assert response.status_code == 400
    assert not Offering.objects.filter(course=theirs).exclude(pk=elsewhere["offering"].pk).exists()


def test_a_colleagues_upload_is_theirs_to_confirm(world: dict[str, Any], dave_things: dict[str, int]) -> None:
    User.objects.create_user(username="dana", password=PASSWORD, role="provider", provider=world["provider"])
    assert client_of("dana").get(f"/provider/rosters/uploads/{dave_things['upload']}/").status_code == 404


def test_an_account_linked_to_no_provider_sees_only_the_notice(world: dict[str, Any]) -> None:
    User.objects.create_user(username="nolink", password=PASSWORD, role="provider")
    client = client_of("nolink")
    assert (
        "This account is not linked to a training provider yet." in client.get("/provider/").content.decode()
    )
    for url in ("/provider/courses/new/", "/provider/offerings/", "/provider/rosters/"):
        assert client.get(url).status_code == 404, url


def test_a_visitor_not_signed_in_is_sent_to_sign_in(
    world: dict[str, Any], dave_things: dict[str, int]
) -> None:
    for page in PAGES:
        url = page.format(**dave_things)
        response = Client().get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/?next=")
