"""POST staff review course submissions: the queue oldest first (filters by provider and its
kind), the documents in place, approval with a window and the split (pre-filled from the
provider's proposal), denial with a reason, no second decision, then the next course."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from clee.core.audit import events_for
from clee.demo.pdf import tiny_pdf
from clee.providers.courses import DocumentUpload, PortionSpec, course_save
from clee.providers.models import Course, CoursePortion, Provider
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def staff(world: dict[str, Any]) -> Client:
    client = Client()
    assert client.login(username=world["erin"].username, password=PASSWORD)
    return client


def submitted(
    world: dict[str, Any],
    *,
    number: str = "CMA-201",
    title: str = "Patrol Rifle Qualification",
    hours: Decimal = Decimal(4),
    provider: Provider | None = None,
    split: list[PortionSpec] | None = None,
) -> Course:
    """A course the provider submitted for review, with a synopsis and a sample certificate."""
    return course_save(
        course=Course(
            provider=provider or world["provider"],
            number=number,
            title=title,
            hours=hours,
            synopsis="Qualification course of fire.",
            learning_objectives="Pass the state qualification.",
        ),
        portions=split
        if split is not None
        else [PortionSpec(core_area="skill_development", subject="firearms", hours=hours)],
        documents=[
            DocumentUpload(kind="synopsis", name="synopsis.pdf", content=tiny_pdf("Synopsis")),
            DocumentUpload(
                kind="sample_certificate", name="certificate.pdf", content=tiny_pdf("Certificate")
            ),
        ],
        acting_user=world["dave"],
    )


def split_post(*lines: dict[str, str], spare: int = 1) -> dict[str, str]:
    data = {
        "split-TOTAL_FORMS": str(len(lines) + spare),
        "split-INITIAL_FORMS": "0",
        "split-MIN_NUM_FORMS": "0",
        "split-MAX_NUM_FORMS": "30",
    }
    for number, line in enumerate(lines):
        for name, value in line.items():
            data[f"split-{number}-{name}"] = value
    return data


def test_the_queue_lists_waiting_courses_oldest_first_and_filters_by_provider(world: dict[str, Any]) -> None:
    in_service = Provider.objects.create(
        number="IS-0007",
        name="Riverton Police Department In-Service",
        kind=Provider.Kind.IN_SERVICE,
        credit_class="licensed",
        agency=world["agency_a"],
        approved_from=dt.date(2020, 1, 1),
    )
    newer = submitted(world, number="CMA-201")
    older = submitted(world, number="RPD-12", title="Report Writing", provider=in_service)
    Course.objects.filter(pk=older.pk).update(submitted_at=timezone.now() - dt.timedelta(days=30))
    client = staff(world)

    response = client.get("/staff/courses/")

    rows = response.context["rows"]
    assert [row.item.number for row in rows] == ["RPD-12", "CMA-201"]
    assert [row.age_days for row in rows] == [30, 0]
    assert rows[1].item.document_count == 2
    assert "CMA-101" not in response.content.decode()  # approved, not waiting

    by_provider = client.get("/staff/courses/", {"provider": world["provider"].pk})
    assert [row.item.pk for row in by_provider.context["rows"]] == [newer.pk]
    by_kind = client.get("/staff/courses/", {"kind": "in_service"})
    assert [row.item.pk for row in by_kind.context["rows"]] == [older.pk]
    approved = client.get("/staff/courses/", {"status": "approved"})
    assert [row.item.number for row in approved.context["rows"]] == ["CMA-101"]


def test_the_review_page_shows_the_documents_inline_and_starts_from_the_proposed_split(
    world: dict[str, Any],
) -> None:
    course = submitted(
        world,
        hours=Decimal(6),
        split=[
            PortionSpec(core_area="skill_development", subject="firearms", hours=Decimal(4)),
            PortionSpec(
                core_area="interpersonal_perspectives", hours=Decimal(2), topics={"de_escalation": Decimal(1)}
            ),
        ],
    )

    response = staff(world).get(f"/staff/courses/{course.pk}/")

    page = response.content.decode()
    for link in course.documents.all():
        assert f'src="/documents/{link.document_id}/?inline=1#' in page
        assert f'href="/documents/{link.document_id}/"' in page
    initial = [form.initial for form in response.context["split"].forms if form.initial]
    assert initial == [
        {"core_area": "skill_development", "subject": "firearms", "hours": Decimal(4)},
        {
            "core_area": "interpersonal_perspectives",
            "subject": "",
            "hours": Decimal(2),
            "de_escalation_hours": Decimal(1),
        },
    ]
    assert response.context["form"].initial["approved_from"] == timezone.localdate()


def test_approving_sets_the_window_and_the_split_the_reviewer_settled(world: dict[str, Any]) -> None:
    course = submitted(world)

    response = staff(world).post(
        f"/staff/courses/{course.pk}/",
        {
            **split_post(
                {"core_area": "skill_development", "subject": "firearms", "hours": "3"},
                {"core_area": "legal_studies", "hours": "1"},
            ),
            "decision": "approve",
            "approved_from": "2025-01-01",
            "approved_until": "2026-12-31",
            "reason": "Approved for two years.",
        },
    )

    assert response.status_code == 302
    course.refresh_from_db()
    assert course.status == Course.Status.APPROVED
    assert (course.approved_from, course.approved_until) == (dt.date(2025, 1, 1), dt.date(2026, 12, 31))
    assert (course.decided_by, course.decision_reason) == (world["erin"], "Approved for two years.")
    assert list(CoursePortion.objects.filter(course=course).values_list("core_area", "subject", "hours")) == [
        ("skill_development", "firearms", Decimal(3)),
        ("legal_studies", "", Decimal(1)),
    ]
    assert events_for(course).filter(action="course.update", actor=world["erin"]).exists()


def test_a_split_that_does_not_add_up_or_a_missing_start_is_refused(world: dict[str, Any]) -> None:
    course = submitted(world)
    client = staff(world)

    short = client.post(
        f"/staff/courses/{course.pk}/",
        {
            **split_post({"core_area": "skill_development", "subject": "firearms", "hours": "3"}),
            "decision": "approve",
            "approved_from": "2025-01-01",
        },
    )
    assert short.status_code == 200
    assert "The portions add up to 3 hours but the course is 4 hours" in short.content.decode()

    no_start = client.post(
        f"/staff/courses/{course.pk}/",
        {**split_post({"core_area": "skill_development", "hours": "4"}), "decision": "approve"},
    )
    assert "Enter the first day of the approval." in no_start.content.decode()

    backwards = client.post(
        f"/staff/courses/{course.pk}/",
        {
            **split_post({"core_area": "skill_development", "hours": "4"}),
            "decision": "approve",
            "approved_from": "2025-06-01",
            "approved_until": "2025-01-01",
        },
    )
    assert "The approval ends before it starts" in backwards.content.decode()
    course.refresh_from_db()
    assert course.status == Course.Status.PENDING


def test_a_denial_needs_a_reason_and_a_second_decision_is_refused(world: dict[str, Any]) -> None:
    course = submitted(world)
    client = staff(world)

    no_reason = client.post(f"/staff/courses/{course.pk}/", {**split_post(), "decision": "deny"})
    assert "Give the reason for the denial" in no_reason.content.decode()

    denied = client.post(
        f"/staff/courses/{course.pk}/",
        {**split_post(), "decision": "deny", "reason": "The synopsis does not describe the course of fire."},
    )
    assert denied.status_code == 302
    course.refresh_from_db()
    assert (course.status, course.decision_reason) == (
        "denied",
        "The synopsis does not describe the course of fire.",
    )

    again = client.post(
        f"/staff/courses/{course.pk}/",
        {
            **split_post({"core_area": "skill_development", "hours": "4"}),
            "decision": "approve",
            "approved_from": "2025-01-01",
        },
    )
    assert again.status_code == 200
    assert "This course was already denied" in again.content.decode()
    course.refresh_from_db()
    assert course.status == Course.Status.DENIED


def test_after_a_decision_the_next_course_of_the_queue_opens(world: dict[str, Any]) -> None:
    first = submitted(world, number="CMA-201")
    second = submitted(world, number="CMA-202")
    client = staff(world)

    response = client.post(
        f"/staff/courses/{first.pk}/",
        {**split_post(), "decision": "deny", "reason": "Duplicate of CMA-101."},
    )
    assert response["Location"] == f"/staff/courses/{second.pk}/"

    last = client.post(
        f"/staff/courses/{second.pk}/", {**split_post(), "decision": "deny", "reason": "Duplicate."}
    )
    assert last["Location"] == "/staff/courses/"
    assert "No more course submissions are waiting" in client.get(last["Location"]).content.decode()


def window_post(**fields: str) -> dict[str, str]:
    return {f"window-{name}": value for name, value in fields.items()}


def test_staff_end_an_approved_courses_approval_with_a_reason_the_provider_sees(
    world: dict[str, Any],
) -> None:
    course = world["course"]
    url = f"/staff/courses/{course.pk}/"
    client = staff(world)
    page = client.get(url).content.decode()
    assert "Change the approval window" in page
    assert 'value="2020-01-01"' in page  # the window as it stands
    response = client.post(
        url,
        window_post(
            approved_from="2020-01-01", approved_until="2026-06-30", reason="The curriculum is retired."
        ),
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert (course.approved_from, course.approved_until) == (dt.date(2020, 1, 1), dt.date(2026, 6, 30))
    assert course.decision_reason == "The curriculum is retired."
    event = events_for(course).get(action="course.update")
    assert event.actor == world["erin"]
    assert event.data["changes"]["approved_until"] == [None, "2026-06-30"]
    dave = Client()
    assert dave.login(username=world["dave"].username, password=PASSWORD)
    shown = dave.get(f"/provider/courses/{course.pk}/").content.decode()
    assert "The curriculum is retired." in shown


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"approved_from": "2020-01-01", "approved_until": "2019-12-31", "reason": "x"},
            "before it starts (January 1, 2020)",
        ),
        (
            {"approved_from": "2020-01-01", "approved_until": "", "reason": ""},
            "Say why the approval window changes",
        ),
        ({"approved_from": "", "approved_until": "", "reason": "x"}, "Enter the approved from."),
        ({"approved_from": "2020-01-01", "approved_until": "", "reason": "x"}, "already this one"),
    ],
    ids=["ends-before", "no-reason", "no-start", "unchanged"],
)
def test_a_window_that_cannot_be_is_refused_and_nothing_changes(
    world: dict[str, Any], fields: dict[str, str], message: str
) -> None:
    course = world["course"]
    response = staff(world).post(f"/staff/courses/{course.pk}/", window_post(**fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    course.refresh_from_db()
    assert (course.approved_from, course.approved_until) == (dt.date(2020, 1, 1), None)
    assert not events_for(course).filter(action="course.update").exists()


def test_a_course_awaiting_review_has_no_window_to_change(world: dict[str, Any]) -> None:
    course = submitted(world)
    client = staff(world)
    assert "Change the approval window" not in client.get(f"/staff/courses/{course.pk}/").content.decode()
    # A window posted to it is read as a decision (none made): nothing is approved.
    client.post(f"/staff/courses/{course.pk}/", window_post(approved_from="2020-01-01", reason="x"))
    course.refresh_from_db()
    assert course.status == Course.Status.PENDING


def test_the_window_service_refuses_a_course_not_approved(world: dict[str, Any]) -> None:
    from clee.core.errors import ServiceError
    from clee.providers.courses import course_window_change

    course = submitted(world)
    with pytest.raises(ServiceError, match="only an approved course has an approval window; this one is"):
        course_window_change(
            course=course,
            approved_from=dt.date(2020, 1, 1),
            approved_until=None,
            reason="x",
            acting_user=world["erin"],
        )
