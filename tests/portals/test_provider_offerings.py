"""A provider's offerings: scheduling sessions of approved courses, naming instructors, and the
instructors' credit (one hour per hour taught once the offering has ended): added once,
corrected, withdrawn, never doubled."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from clee.compliance.models import ComplianceResult
from clee.compliance.records import training_records_add
from clee.core.audit import events_for
from clee.core.models import AuditEvent
from clee.officers.models import Officer
from clee.providers.models import Course, Offering, OfferingInstructor, RosterUpload
from clee.providers.offerings import InstructorSpec
from clee.training.models import TrainingRecord
from clee.training.services import RecordEntry, course_lines
from clee.workflows.instructor_credit import (
    instructors_credit_due,
    offering_instructors_credit,
    offering_save_and_credit,
)
from tests.portals.test_provider_support import client_of, instructor, offering_data, roster, text, upload

pytestmark = pytest.mark.django_db
__all__ = ["instructor"]  # a fixture, used by name


def instruction_records(officer: Officer) -> list[TrainingRecord]:
    return list(TrainingRecord.objects.filter(officer=officer, source="instruction").order_by("id"))


def schedule(world: dict[str, Any], *rows: tuple[str, str], **dates: str) -> Offering:
    """An offering of CMA-101 scheduled through the form."""
    response = client_of("dave").post(
        "/provider/offerings/new/", offering_data(*rows, course=world["course"], **dates)
    )
    assert response.status_code == 302, text(response)
    return Offering.objects.latest("id")


def test_the_offerings_page_lists_upcoming_and_past_offerings(world: dict[str, Any]) -> None:
    today = timezone.localdate()
    Offering.objects.create(
        course=world["course"],
        starts_on=dt.date(2023, 5, 1),
        ends_on=dt.date(2023, 5, 1),
        location="Old hall",
    )
    Offering.objects.create(
        course=world["course"],
        starts_on=today + dt.timedelta(days=9),
        ends_on=today + dt.timedelta(days=9),
        location="New hall",
    )
    page = text(client_of("dave").get("/provider/offerings/"))
    upcoming, past = page.split('id="past-heading"')
    assert "New hall" in upcoming
    assert "Old hall" not in upcoming
    assert "Old hall" in past
    assert "Schedule an offering" in page


def test_a_provider_schedules_an_offering_of_an_approved_course(
    world: dict[str, Any], instructor: Officer
) -> None:
    today = timezone.localdate()
    later = (today + dt.timedelta(days=30)).isoformat()
    offering = schedule(world, ("P2000002", "4"), starts=later, ends=later)
    assert offering.course == world["course"]
    assert offering.location == "Academy range, 12 Elm Street, Riverton"
    assert list(offering.teaching.values_list("officer_id", "hours_taught")) == [(instructor.pk, Decimal(4))]
    assert AuditEvent.objects.get(action="offering.create", object_id=str(offering.pk)).actor == world["dave"]
    # Not ended yet: no credit.
    assert instruction_records(instructor) == []
    page = text(client_of("dave").get(f"/provider/offerings/{offering.pk}/"))
    assert "Grace Brooks" in page
    assert "Credited after the last day" in page


def test_it_refuses_an_offering_before_the_courses_approval(world: dict[str, Any]) -> None:
    data = offering_data(course=world["course"], starts="2019-06-01", ends="2019-06-01")
    response = client_of("dave").post("/provider/offerings/new/", data)
    assert response.status_code == 400
    assert "Course CMA-101 is not approved on June 1, 2019: only approved courses are offered." in text(
        response
    )
    assert not Offering.objects.exists()


def test_it_refuses_an_offering_of_a_course_not_approved(world: dict[str, Any]) -> None:
    pending = Course.objects.create(
        provider=world["provider"], number="CMA-9", title="Pending", hours=Decimal(2)
    )
    response = client_of("dave").post("/provider/offerings/new/", offering_data(course=pending))
    assert response.status_code == 400
    assert "Select a valid choice" in text(response)
    assert not Offering.objects.exists()


def test_a_changed_first_day_before_the_approval_is_refused_on_the_dates(world: dict[str, Any]) -> None:
    offering = schedule(world)
    response = client_of("dave").post(
        f"/provider/offerings/{offering.pk}/change/", offering_data(starts="2019-06-01", ends="2019-06-02")
    )
    assert response.status_code == 400
    assert 'id="id_starts_on_error"' in text(response)
    offering.refresh_from_db()
    assert offering.starts_on == dt.date(2023, 5, 1)


def test_it_refuses_a_last_day_before_the_first(world: dict[str, Any]) -> None:
    response = client_of("dave").post(
        "/provider/offerings/new/",
        offering_data(course=world["course"], starts="2023-05-03", ends="2023-05-01"),
    )
    assert response.status_code == 400
    assert "the last day is before the first day" in text(response)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ((("P9999999", "2"),), "no officer has license number P9999999"),
        ((("P2000002", "2"), ("p2000002", "1")), "P2000002 is already named on row 1"),
        ((("P2000002", "6"),), "6 hours is more than the course's 4 hours"),
        ((("P2000002", ""),), "give the hours this instructor taught"),
    ],
    ids=["unknown", "twice", "too-many-hours", "no-hours"],
)
def test_it_refuses_an_instructor_it_cannot_credit(
    world: dict[str, Any], instructor: Officer, rows: tuple[tuple[str, str], ...], message: str
) -> None:
    response = client_of("dave").post(
        "/provider/offerings/new/", offering_data(*rows, course=world["course"])
    )
    assert response.status_code == 400
    assert message in text(response)
    assert not Offering.objects.exists()
    assert instruction_records(instructor) == []


def test_an_ended_offering_credits_each_instructor_once(world: dict[str, Any], instructor: Officer) -> None:
    offering = schedule(world, ("P2000002", "3"))
    [record] = instruction_records(instructor)
    assert record.status == TrainingRecord.Status.ACCEPTED
    assert (record.hours, record.completed_on, record.offering_id) == (
        Decimal(3),
        dt.date(2023, 5, 2),
        offering.pk,
    )
    assert record.credit_class == "approved"
    assert record.course_id is None
    assert record.entered_by == world["dave"]
    # The course's split scaled to the hours taught: 3 of 4 hours.
    lines = [(line.core_area, line.hours, line.topics) for line in record.lines.all()]
    assert lines == [
        ("legal_studies", Decimal("1.5"), {}),
        ("interpersonal_perspectives", Decimal("1.5"), {"de_escalation": 0.75}),
    ]
    # Saved again, run again by the daily job: nothing more.
    client_of("dave").post(f"/provider/offerings/{offering.pk}/change/", offering_data(("P2000002", "3")))
    assert offering_instructors_credit(offering=offering, acting_user=None).changed is False
    assert instructors_credit_due(today=dt.date(2023, 12, 31)) == 0
    assert [r.pk for r in instruction_records(instructor)] == [record.pk]
    page = text(client_of("dave").get(f"/provider/offerings/{offering.pk}/"))
    assert "3 h credited" in page


def test_changing_the_hours_taught_corrects_the_credit(world: dict[str, Any], instructor: Officer) -> None:
    offering = schedule(world, ("P2000002", "3"))
    [before] = instruction_records(instructor)
    response = client_of("dave").post(
        f"/provider/offerings/{offering.pk}/change/", offering_data(("P2000002", "1"))
    )
    assert response.status_code == 302
    [after] = instruction_records(instructor)
    assert after.pk == before.pk
    assert after.hours == Decimal(1)
    assert sum(line.hours for line in after.lines.all()) == Decimal(1)
    event = events_for(after).get(action="training.record_correct")
    assert event.actor == world["dave"]
    assert event.data["changes"]["hours"] == ["3", "1"]


def test_moving_an_offering_moves_the_credit_to_its_new_last_day(
    world: dict[str, Any], instructor: Officer
) -> None:
    offering = schedule(world, ("P2000002", "4"))
    client_of("dave").post(
        f"/provider/offerings/{offering.pk}/change/",
        offering_data(("P2000002", "4"), starts="2023-06-05", ends="2023-06-06"),
    )
    [record] = instruction_records(instructor)
    assert record.completed_on == dt.date(2023, 6, 6)


def test_taking_an_instructor_off_withdraws_the_credit(world: dict[str, Any], instructor: Officer) -> None:
    offering = schedule(world, ("P2000002", "3"))
    client_of("dave").post(f"/provider/offerings/{offering.pk}/change/", offering_data())
    [record] = instruction_records(instructor)
    assert record.status == TrainingRecord.Status.REJECTED
    assert events_for(record).filter(action="training.record_withdraw").exists()
    # Named again: the same record is accepted again, not a second one.
    client_of("dave").post(f"/provider/offerings/{offering.pk}/change/", offering_data(("P2000002", "2")))
    [record] = instruction_records(instructor)
    assert (record.status, record.hours) == (TrainingRecord.Status.ACCEPTED, Decimal(2))


def test_an_instructor_already_recorded_as_a_student_is_not_credited_twice(
    world: dict[str, Any], instructor: Officer
) -> None:
    course = world["course"]
    training_records_add(
        entries=[
            RecordEntry(
                officer_id=instructor.pk,
                completed_on=dt.date(2023, 5, 2),
                hours=course.hours,
                source="course",
                credit_class="approved",
                delivery="live",
                lines=course_lines(course),
                course_id=course.pk,
            )
        ],
        actor=world["dave"],
    )
    offering = schedule(world, ("P2000002", "2"))
    assert instruction_records(instructor) == []
    page = text(client_of("dave").get(f"/provider/offerings/{offering.pk}/"))
    assert "No separate credit" in page


def test_a_student_roster_after_the_credit_leaves_the_offerings_hours_counted_once(
    world: dict[str, Any], instructor: Officer
) -> None:
    schedule(world, ("P2000002", "3"))
    [record] = instruction_records(instructor)
    assert record.hours == Decimal(3)
    # The provider reports the instructor as having attended 2 of the 4 hours as a student:
    # 2 as a student + at most 2 as the instructor = the offering's 4 hours.
    dave = client_of("dave")
    sent = dave.post(
        "/provider/rosters/", {"file": upload("r.csv", roster("P2000002,Brooks,CMA-101,2023-05-02,2"))}
    )
    stored = RosterUpload.objects.get()
    assert sent["Location"] == f"/provider/rosters/uploads/{stored.pk}/"
    response = dave.post(f"/provider/rosters/uploads/{stored.pk}/confirm/", {"sha256": stored.sha256})
    assert response.status_code == 302
    [record] = instruction_records(instructor)
    assert record.hours == Decimal(2)
    counted = TrainingRecord.objects.filter(officer=instructor, status="accepted").values_list(
        "hours", flat=True
    )
    assert sum(counted) == Decimal(4)


def test_the_daily_job_credits_an_offering_that_ended_after_it_was_saved(
    world: dict[str, Any], instructor: Officer
) -> None:
    today = timezone.localdate()
    later = today + dt.timedelta(days=3)
    offering = offering_save_and_credit(
        offering=Offering(course=world["course"], starts_on=later, ends_on=later, location="Annex"),
        instructors=[InstructorSpec(officer_id=instructor.pk, hours_taught=Decimal(4))],
        acting_user=world["dave"],
    )
    assert instruction_records(instructor) == []
    out = StringIO()
    call_command("credit_instructors", "--date", later.isoformat(), stdout=out)
    assert "instruction credit changed for 1 offering" in out.getvalue()
    [record] = instruction_records(instructor)
    assert (record.hours, record.completed_on, record.entered_by) == (Decimal(4), later, None)
    call_command("credit_instructors", "--date", later.isoformat(), stdout=out)
    assert "changed for 0 offerings" in out.getvalue()
    assert len(instruction_records(instructor)) == 1
    assert OfferingInstructor.objects.get(offering=offering).hours_taught == Decimal(4)


def test_the_instruction_credit_counts_toward_the_instructors_compliance(
    world: dict[str, Any], instructor: Officer, django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        schedule(world, ("P2000002", "4"))
    run_worker()
    result = ComplianceResult.objects.get(officer=instructor, period=world["period"])
    assert result.counted_hours == Decimal(4)


def test_the_offering_form_adds_an_instructor_row_through_htmx(world: dict[str, Any]) -> None:
    page = text(client_of("dave").get("/provider/offerings/instructor-row/?instructors-TOTAL_FORMS=2"))
    assert 'name="instructors-2-license_number"' in page
    assert 'name="instructors-TOTAL_FORMS" value="3"' in page


def test_the_new_offering_form_offers_approved_courses_only(world: dict[str, Any]) -> None:
    Course.objects.create(provider=world["provider"], number="CMA-9", title="Still pending", hours=Decimal(2))
    page = text(client_of("dave").get(f"/provider/offerings/new/?course={world['course'].pk}"))
    assert (
        f'<option value="{world["course"].pk}" selected>CMA-101 Legal update and de-escalation</option>'
        in page
    )
    assert "Still pending" not in page
