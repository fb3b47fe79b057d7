"""Who gets into the back office: POST staff (and the Director, reading); nobody else."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PAGES = [
    "/admin/",
    "/admin/agencies/agency/",
    "/admin/providers/course/",
    "/admin/officers/officer/",
    "/admin/training/trainingrecord/",
    "/admin/core/auditevent/",
    "/admin/compliance/packs/",
]


@pytest.mark.parametrize("username", ["alice", "bob"])
@pytest.mark.parametrize("page", PAGES)
def test_an_officer_or_agency_administrator_is_sent_to_the_admin_login(
    world: dict[str, Any], username: str, page: str
) -> None:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    response = client.get(page)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("page", PAGES)
def test_an_anonymous_visitor_is_sent_to_the_admin_login(world: dict[str, Any], page: str) -> None:
    response = Client().get(page)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_an_agency_administrator_marked_staff_by_mistake_is_still_turned_away(world: dict[str, Any]) -> None:
    bob = world["bob"]
    bob.is_staff = True
    bob.save(update_fields=["is_staff"])
    client = Client()
    response = client.post("/admin/login/", {"username": "bob", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 200
    assert "it is for POST staff and the Director" in response.content.decode()
    assert client.get("/admin/agencies/agency/").status_code == 302


def test_post_staff_without_the_staff_flag_cannot_sign_in_to_the_back_office(world: dict[str, Any]) -> None:
    client = Client()
    client.post("/admin/login/", {"username": "erin", "password": PASSWORD, "next": "/admin/"})
    assert client.get("/admin/").status_code == 302


def test_post_staff_sign_in_through_the_login_page_and_see_every_section(erin: Any) -> None:
    client = Client()
    response = client.post("/admin/login/", {"username": "erin", "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 302
    page = client.get("/admin/").content.decode()
    for section in ("Agencies", "Providers", "Courses", "Offerings", "Reporting periods", "Rule packs"):
        assert section in page
    for section in ("Officers", "Training records", "Audit events", "Compliance results"):
        assert section in page


def test_the_director_reads_but_is_offered_no_add_or_change(
    director_client: Client, world: dict[str, Any]
) -> None:
    assert director_client.get("/admin/agencies/agency/").status_code == 200
    assert director_client.get("/admin/agencies/agency/add/").status_code == 403
    page = director_client.get(f"/admin/agencies/agency/{world['agency_a'].pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    response = director_client.post(
        f"/admin/agencies/agency/{world['agency_a'].pk}/change/",
        {"ori": "MO0950000", "name": "Renamed", "agency_type": "police", "active": "on"},
    )
    assert response.status_code == 403
    world["agency_a"].refresh_from_db()
    assert world["agency_a"].name == "Riverton Police Department"


@pytest.mark.parametrize(
    ("model", "key"),
    [
        ("agencies/agency", "agency_a"),
        ("providers/provider", "provider"),
        ("providers/course", "course"),
        ("officers/officer", "officer"),
        ("compliance/reportingperiod", "period"),
    ],
)
def test_nothing_is_ever_deleted_through_the_back_office(
    staff_client: Client, world: dict[str, Any], model: str, key: str
) -> None:
    obj = world[key]
    assert staff_client.get(f"/admin/{model}/{obj.pk}/delete/").status_code == 403
    changelist = staff_client.get(f"/admin/{model}/").content.decode()
    assert "delete_selected" not in changelist
    assert type(obj).objects.filter(pk=obj.pk).exists()
