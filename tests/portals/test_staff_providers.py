"""POST staff keep the list of providers: search and filter, add and edit through
provider_save (with its checks), and see each provider's courses."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from clee.core.audit import events_for
from clee.providers.models import Provider
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def staff(world: dict[str, Any]) -> Client:
    client = Client()
    assert client.login(username=world["erin"].username, password=PASSWORD)
    return client


def provider_form(**values: Any) -> dict[str, Any]:
    return {
        "number": "LP-0099",
        "name": "Ozark Regional Training Center",
        "kind": "licensed",
        "credit_class": "",
        "agency": "",
        "state": "",
        "approved_from": "2024-01-01",
        "approved_until": "",
        **values,
    }


def test_the_list_searches_by_name_or_number_and_filters_by_kind(world: dict[str, Any]) -> None:
    Provider.objects.create(
        number="OS-MN-01",
        name="North Star Regional Academy",
        kind=Provider.Kind.OUT_OF_STATE,
        credit_class="approved",
        state="MN",
        approved_from=dt.date(2021, 1, 1),
    )
    client = staff(world)

    everyone = client.get("/staff/providers/")
    assert [p.number for p in everyone.context["page_obj"]] == ["LP-0042", "OS-MN-01"]
    assert everyone.context["page_obj"][0].course_count == 1

    by_name = client.get("/staff/providers/", {"q": "north star"})
    assert [p.number for p in by_name.context["page_obj"]] == ["OS-MN-01"]
    by_number = client.get("/staff/providers/", {"q": "lp-00"})
    assert [p.number for p in by_number.context["page_obj"]] == ["LP-0042"]
    by_kind = client.get("/staff/providers/", {"kind": "out_of_state"})
    assert [p.number for p in by_kind.context["page_obj"]] == ["OS-MN-01"]
    nothing = client.get("/staff/providers/", {"q": "zzz"})
    assert "No provider matches this search" in nothing.content.decode()


def test_a_provider_page_shows_its_courses(world: dict[str, Any]) -> None:
    response = staff(world).get(f"/staff/providers/{world['provider'].pk}/")

    page = response.content.decode()
    assert "Central Missouri Law Enforcement Academy" in page
    assert "CMA-101" in page
    assert "Legal update and de-escalation" in page
    assert f'href="/staff/courses/{world["course"].pk}/"' in page


def test_adding_a_provider_goes_through_the_service_with_the_usual_credit_class(
    world: dict[str, Any],
) -> None:
    response = staff(world).post("/staff/providers/add/", provider_form(number="lp-0099 "))

    provider = Provider.objects.get(number="LP-0099")
    assert response["Location"] == f"/staff/providers/{provider.pk}/"
    assert provider.credit_class == "approved"  # the usual class of a licensed academy
    assert events_for(provider).filter(action="provider.create", actor=world["erin"]).exists()


def test_an_in_service_provider_needs_its_agency_and_an_out_of_state_source_its_state(
    world: dict[str, Any],
) -> None:
    client = staff(world)

    no_agency = client.post("/staff/providers/add/", provider_form(kind="in_service"))
    assert no_agency.status_code == 200
    assert "An agency in-service provider belongs to an agency: choose it" in no_agency.content.decode()
    assert no_agency.context["form"].errors["agency"]

    no_state = client.post("/staff/providers/add/", provider_form(kind="out_of_state"))
    assert "needs its state&#x27;s two-letter code" in no_state.content.decode()

    missouri = client.post("/staff/providers/add/", provider_form(kind="out_of_state", state="mo"))
    assert "A Missouri provider is not an out-of-state source" in missouri.content.decode()

    taken = client.post("/staff/providers/add/", provider_form(number="LP-0042"))
    assert "already exists" in taken.content.decode()

    backwards = client.post("/staff/providers/add/", provider_form(approved_until="2023-12-31"))
    assert (
        "The approval ends (December 31, 2023) before it starts (January 1, 2024)"
        in backwards.content.decode()
    )
    assert not Provider.objects.filter(number="LP-0099").exists()

    in_service = client.post(
        "/staff/providers/add/", provider_form(kind="in_service", agency=world["agency_a"].pk)
    )
    assert in_service.status_code == 302
    assert Provider.objects.get(number="LP-0099").credit_class == "licensed"


def test_editing_a_provider_records_what_changed(world: dict[str, Any]) -> None:
    provider = world["provider"]
    client = staff(world)
    form = client.get(f"/staff/providers/{provider.pk}/edit/")
    assert form.context["form"].initial["name"] == provider.name

    response = client.post(
        f"/staff/providers/{provider.pk}/edit/",
        provider_form(
            number="LP-0042",
            name=provider.name,
            credit_class="approved",
            approved_from="2015-01-01",
            approved_until="2027-12-31",
        ),
    )

    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.approved_until == dt.date(2027, 12, 31)
    event = events_for(provider).get(action="provider.update")
    assert event.data["changes"] == {"approved_until": [None, "2027-12-31"]}
