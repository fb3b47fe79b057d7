"""POST staff keep the catalog of recognized out-of-state courses, each with the split of its
hours POST recommends: list (by source, by search), add and edit through
recognized_course_save; a split must add up to the course's hours."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from clee.core.audit import events_for
from clee.providers.catalog import recognized_course_save
from clee.providers.courses import PortionSpec
from clee.providers.models import RecognizedCourse
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def staff(world: dict[str, Any]) -> Client:
    client = Client()
    assert client.login(username=world["erin"].username, password=PASSWORD)
    return client


def entry_form(*lines: dict[str, str], **values: str) -> dict[str, str]:
    data = {
        "source": "mn",
        "provider_name": "North Star Regional Academy",
        "number": "nsra-310",
        "title": "Crisis Intervention Team Training",
        "hours": "16",
        "delivery": "live",
        "recognized_from": "2021-01-01",
        "recognized_until": "2023-12-31",
        "notes": "",
        "split-TOTAL_FORMS": str(len(lines) + 1),
        "split-INITIAL_FORMS": "0",
        "split-MIN_NUM_FORMS": "0",
        "split-MAX_NUM_FORMS": "30",
        **values,
    }
    for number, line in enumerate(lines):
        for name, value in line.items():
            data[f"split-{number}-{name}"] = value
    return data


def add(world: dict[str, Any], source: str, title: str, hours: int) -> RecognizedCourse:
    return recognized_course_save(
        entry=RecognizedCourse(
            source=source,
            provider_name="Academy",
            title=title,
            hours=Decimal(hours),
            recognized_from=dt.date(2021, 1, 1),
        ),
        split=[PortionSpec(core_area="technical_studies", hours=Decimal(hours))],
        acting_user=world["erin"],
    )


def test_the_catalog_lists_entries_with_their_split_filtered_by_source_and_search(
    world: dict[str, Any],
) -> None:
    add(world, "MN", "Crisis Intervention", 8)
    add(world, "TX", "Crash Reconstruction", 4)
    add(world, "IADLEST", "Crisis Negotiation Online", 2)
    client = staff(world)

    everything = client.get("/staff/catalog/")
    assert [row.entry.source for row in everything.context["rows"]] == ["IADLEST", "MN", "TX"]
    assert "Technical Studies: 8 h" in everything.content.decode()

    texas = client.get("/staff/catalog/", {"source": "TX"})
    assert [row.entry.title for row in texas.context["rows"]] == ["Crash Reconstruction"]
    crisis = client.get("/staff/catalog/", {"q": "crisis"})
    assert [row.entry.title for row in crisis.context["rows"]] == [
        "Crisis Negotiation Online",
        "Crisis Intervention",
    ]


def test_adding_an_entry_with_its_split(world: dict[str, Any]) -> None:
    response = staff(world).post(
        "/staff/catalog/add/",
        entry_form(
            {"core_area": "interpersonal_perspectives", "hours": "12", "de_escalation_hours": "4"},
            {"core_area": "legal_studies", "hours": "4"},
        ),
    )

    assert response.status_code == 302
    entry = RecognizedCourse.objects.get()
    assert (entry.source, entry.number) == ("MN", "NSRA-310")
    assert entry.recommended_split == [
        {
            "core_area": "interpersonal_perspectives",
            "subject": "",
            "hours": "12",
            "topics": {"de_escalation": "4"},
        },
        {"core_area": "legal_studies", "subject": "", "hours": "4", "topics": {}},
    ]
    assert events_for(entry).filter(action="recognized_course.create", actor=world["erin"]).exists()


def test_a_split_that_does_not_add_up_is_refused(world: dict[str, Any]) -> None:
    response = staff(world).post(
        "/staff/catalog/add/", entry_form({"core_area": "legal_studies", "hours": "10"})
    )

    assert response.status_code == 200
    assert "The portions add up to 10 hours but the course is 16 hours" in response.content.decode()
    assert not RecognizedCourse.objects.exists()


def test_an_entry_needs_a_split_a_source_and_a_window_in_order(world: dict[str, Any]) -> None:
    client = staff(world)

    no_split = client.post("/staff/catalog/add/", entry_form())
    assert "An approved course needs the split of its hours" in no_split.content.decode()

    missouri = client.post(
        "/staff/catalog/add/", entry_form({"core_area": "legal_studies", "hours": "16"}, source="MO")
    )
    assert "A Missouri course is not an out-of-state course." in missouri.content.decode()

    nowhere = client.post(
        "/staff/catalog/add/", entry_form({"core_area": "legal_studies", "hours": "16"}, source="XYZ")
    )
    assert "Enter the state&#x27;s two letters" in nowhere.content.decode()

    backwards = client.post(
        "/staff/catalog/add/",
        entry_form({"core_area": "legal_studies", "hours": "16"}, recognized_until="2020-12-31"),
    )
    assert (
        "The recognition ends (December 31, 2020) before it starts (January 1, 2021)"
        in backwards.content.decode()
    )
    assert not RecognizedCourse.objects.exists()


def test_editing_an_entry_starts_from_its_split_and_replaces_it(world: dict[str, Any]) -> None:
    entry = add(world, "MN", "Crisis Intervention", 8)
    client = staff(world)

    form = client.get(f"/staff/catalog/{entry.pk}/edit/")
    assert [f.initial for f in form.context["split"].forms if f.initial] == [
        {"core_area": "technical_studies", "subject": "", "hours": Decimal(8)}
    ]

    response = client.post(
        f"/staff/catalog/{entry.pk}/edit/",
        entry_form(
            {"core_area": "interpersonal_perspectives", "hours": "6", "implicit_bias_hours": "2"},
            {"core_area": "skill_development", "hours": "2"},
            title="Crisis Intervention",
            hours="8",
            source="MN",
            number="",
        ),
    )

    assert response.status_code == 302
    entry.refresh_from_db()
    assert [part["core_area"] for part in entry.recommended_split] == [
        "interpersonal_perspectives",
        "skill_development",
    ]
    assert events_for(entry).filter(action="recognized_course.update").exists()
