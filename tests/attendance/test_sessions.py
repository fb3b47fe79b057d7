"""Same-day attendance through its services: rotating signed codes (stale, replayed, another
offering's refused), check in and out, and the confirmed list recorded through the roster path
(all or nothing, no duplicates)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from clee.attendance.codes import code_make, window_of
from clee.attendance.models import AttendanceSession
from clee.attendance.selectors import awaiting_confirmation
from clee.attendance.services import (
    attendance_scan,
    entry_add,
    session_confirm,
    session_end,
    session_start,
)
from clee.compliance.records import training_records_add
from clee.core.errors import ServiceError
from clee.core.models import AuditEvent
from clee.providers.models import Course, Offering
from clee.training.models import TrainingRecord
from clee.training.services import RecordEntry, course_lines
from tests import factories

pytestmark = pytest.mark.django_db

# A class day: 9:00 in Missouri.
MORNING = dt.datetime(2023, 6, 14, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def offering(world: dict[str, Any]) -> Offering:
    return factories.offering(course=world["course"], starts_on=dt.date(2023, 6, 14), location="Room 4")


@pytest.fixture
def second_officer(world: dict[str, Any]) -> Any:
    officer = factories.officer(
        license_number="P1000002",
        first_name="Ben",
        last_name="Brandt",
        date_of_birth=dt.date(1990, 1, 1),
        licensed_on=dt.date(2014, 1, 1),
    )
    return factories.account("ben", "officer", officer=officer)


def _code(session: AttendanceSession, moment: dt.datetime) -> str:
    return code_make(session_id=session.pk, offering_id=session.offering_id, window=window_of(moment))


def test_an_officer_checks_in_and_out_with_fresh_codes_and_a_used_or_stale_code_is_refused(
    world: dict[str, Any], offering: Offering
) -> None:
    alice = world["alice"]
    with time_machine.travel(MORNING, tick=False):
        session = session_start(offering=offering, acting_user=world["dave"])
        code = _code(session, timezone.now())
        scan = attendance_scan(offering_id=offering.pk, code=code, action="in", acting_user=alice)
        assert scan.entry.checked_out_at is None
        assert [e.pk for e in awaiting_confirmation(world["officer"])] == [scan.entry.pk]
        with pytest.raises(ServiceError, match="already checked in"):
            attendance_scan(offering_id=offering.pk, code=code, action="in", acting_user=alice)
        # Checking out with the same code (saved and sent again) is a replay.
        with pytest.raises(ServiceError, match="already used"):
            attendance_scan(offering_id=offering.pk, code=code, action="out", acting_user=alice)
    later = MORNING + dt.timedelta(hours=3)
    with time_machine.travel(later, tick=False):
        with pytest.raises(ServiceError, match="expired"):
            attendance_scan(offering_id=offering.pk, code=code, action="out", acting_user=alice)
        out = attendance_scan(
            offering_id=offering.pk, code=_code(session, timezone.now()), action="out", acting_user=alice
        )
    assert out.entry.checked_out_at == later
    assert AuditEvent.objects.filter(action__in=["attendance.check_in", "attendance.check_out"]).count() == 2


def test_a_code_for_another_offering_or_a_forged_code_is_refused(
    world: dict[str, Any], offering: Offering
) -> None:
    other = factories.offering(course=world["course"], starts_on=dt.date(2023, 6, 14), location="Room 9")
    with time_machine.travel(MORNING, tick=False):
        session = session_start(offering=offering, acting_user=world["dave"])
        session_start(offering=other, acting_user=world["dave"])
        code = _code(session, timezone.now())
        with pytest.raises(ServiceError, match="another class"):
            attendance_scan(offering_id=other.pk, code=code, action="in", acting_user=world["alice"])
        forged = code[:-3] + ("AAA" if not code.endswith("AAA") else "BBB")
        with pytest.raises(ServiceError, match="not a CLEE attendance code"):
            attendance_scan(offering_id=offering.pk, code=forged, action="in", acting_user=world["alice"])
        with pytest.raises(ServiceError, match="only an officer"):
            attendance_scan(offering_id=offering.pk, code=code, action="in", acting_user=world["bob"])
        session_end(session=session, acting_user=world["dave"])
        with pytest.raises(ServiceError, match="ended"):
            attendance_scan(
                offering_id=offering.pk,
                code=_code(session, timezone.now()),
                action="in",
                acting_user=world["alice"],
            )


def test_only_the_offerings_provider_runs_a_session_and_only_on_its_days(
    world: dict[str, Any], offering: Offering
) -> None:
    with (
        time_machine.travel(MORNING, tick=False),
        pytest.raises(ServiceError, match="only the offering's provider"),
    ):
        session_start(offering=offering, acting_user=world["erin"])
    with (
        time_machine.travel(MORNING + dt.timedelta(days=2), tick=False),
        pytest.raises(ServiceError, match="not today"),
    ):
        session_start(offering=offering, acting_user=world["dave"])


def test_the_confirmed_list_is_recorded_as_a_roster_once_and_all_or_nothing(
    world: dict[str, Any], offering: Offering, second_officer: Any
) -> None:
    with time_machine.travel(MORNING, tick=False):
        session = session_start(offering=offering, acting_user=world["dave"])
        for user in (world["alice"], second_officer):
            attendance_scan(
                offering_id=offering.pk, code=_code(session, timezone.now()), action="in", acting_user=user
            )
        with pytest.raises(ServiceError, match="already on the list"):
            entry_add(session=session, license_number="p1000001", acting_user=world["dave"])
        session_end(session=session, acting_user=world["dave"])
        everyone = list(session.entries.values_list("officer_id", flat=True))
        # The course's approval ended the day before: every row is refused, nothing is written.
        Course.objects.filter(pk=offering.course_id).update(approved_until=dt.date(2023, 6, 13))
        report = session_confirm(session=session, officer_ids=everyone, acting_user=world["dave"])
        assert not report.applied
        assert {error.field for error in report.errors} == {"completion_date"}
        assert TrainingRecord.objects.filter(offering=offering).count() == 0
        session.refresh_from_db()
        assert session.status == AttendanceSession.Status.ENDED
        Course.objects.filter(pk=offering.course_id).update(approved_until=None)
        # Alice's completion was already reported by another roster: not added twice.
        course = world["course"]
        training_records_add(
            entries=[
                RecordEntry(
                    officer_id=world["officer"].pk,
                    course_id=course.pk,
                    completed_on=dt.date(2023, 6, 14),
                    hours=course.hours,
                    source="course",
                    credit_class="approved",
                    delivery="live",
                    lines=course_lines(course),
                )
            ],
            actor=world["dave"],
        )
        report = session_confirm(session=session, officer_ids=everyone, acting_user=world["dave"])
    assert report.applied
    assert report.batch is not None
    assert (report.batch.added, report.batch.already_present) == (1, 1)
    records = TrainingRecord.objects.filter(course=offering.course, completed_on=dt.date(2023, 6, 14))
    assert sorted(records.values_list("officer__license_number", "hours")) == [
        ("P1000001", Decimal("4.00")),
        ("P1000002", Decimal("4.00")),
    ]
    session.refresh_from_db()
    assert (session.status, session.batch_id) == (AttendanceSession.Status.CONFIRMED, report.batch.pk)
    assert list(awaiting_confirmation(world["officer"])) == []
    with pytest.raises(ServiceError, match="already confirmed"):
        session_confirm(session=session, officer_ids=[world["officer"].pk], acting_user=world["dave"])
    with time_machine.travel(MORNING, tick=False), pytest.raises(ServiceError, match="already confirmed"):
        session_start(offering=offering, acting_user=world["dave"])
