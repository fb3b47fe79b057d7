"""Test data built through the application's own services (issue 15).

Each function here makes one kind of row the way real use does: through the service a page,
the back office or the API calls, acting as the named account ``FACTORY_USERNAME`` (unless a
test names another ``acting_user``). So test data passes the same checks and writes the same
audit rows, stale marks and queued recomputes as real data. A test that counts the audit rows
its own action wrote leaves the factories' rows out with ``audit_rows_after_setup()``.

Where no service makes a row (an account of an officer, an agency or a provider, made in real
use only by an invitation's mail round trip), the function says so and uses the ORM.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db.models import QuerySet

from clee.accounts.models import User
from clee.agencies.models import Agency
from clee.agencies.services import agency_create
from clee.compliance.calendar import period_open
from clee.compliance.models import ReportingPeriod
from clee.compliance.records import training_records_add
from clee.core.actions import AuditAction
from clee.core.choices import Delivery, Source
from clee.core.models import AuditEvent
from clee.officers.models import Commission, LicenseStatus, Officer
from clee.officers.services import commission_end, commission_start, license_status_change
from clee.providers.courses import PortionSpec, course_save
from clee.providers.models import Course, Offering, Provider
from clee.providers.offerings import InstructorSpec
from clee.providers.services import provider_save
from clee.training.models import TrainingRecord
from clee.training.services import LineSpec, RecordEntry, course_lines
from clee.workflows.instructor_credit import offering_save_and_credit
from clee.workflows.officers import officer_create
from tests.conftest import PASSWORD

# The account the factories act as, like the demo loader's: POST staff that cannot sign in.
FACTORY_USERNAME = "test-factory"


def factory_account() -> User:
    """The account test data is made by (found, or added the first time it is needed).

    Added with the ORM, as ``clee.demo`` adds its loader: no service makes an account that
    cannot sign in. It is no persona: inactive, with no usable password and no back office."""
    account = User.objects.filter(username=FACTORY_USERNAME).first()
    if account is None:
        account = User.objects.create(
            username=FACTORY_USERNAME,
            first_name="Test",
            last_name="factory",
            role=User.Role.POST_STAFF,
            is_active=False,
            password=make_password(None),
        )
    return account


def _actor(acting_user: User | None) -> User:
    return acting_user if acting_user is not None else factory_account()


# Written when the database is set up, before any test acts: the shipped rules installed after
# migrating (again after a transactional test flushes the tables).
RULES_INSTALLED = (AuditAction.RULES_BOOK_INSTALL, AuditAction.RULES_RECOGNIZED_INSTALL)


def audit_rows_after_setup() -> QuerySet[AuditEvent]:
    """The audit rows a test's own actions wrote: not those of the factories (the world's
    included) nor those of the shipped rules installed with the database."""
    return AuditEvent.objects.exclude(actor__username=FACTORY_USERNAME).exclude(action__in=RULES_INSTALLED)


def period(year: int, *, acting_user: User | None = None) -> ReportingPeriod:
    """The reporting period of ``year``, opened as the calendar job opens it (its dates from the
    rule book in force; every officer's result of it marked stale) when it is not on record."""
    return period_open(year=year, acting_user=_actor(acting_user))[0]


def agency(
    *, ori: str, name: str, agency_type: str = Agency.Type.POLICE, acting_user: User | None = None
) -> Agency:
    """An agency, added as POST staff add one in the back office."""
    return agency_create(ori=ori, name=name, agency_type=agency_type, acting_user=_actor(acting_user))


def officer(
    *,
    license_number: str,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date = dt.date(1985, 1, 1),
    licensed_on: dt.date = dt.date(2010, 1, 1),
    email: str = "",
    agency: Agency | None = None,
    commissioned_on: dt.date | None = None,
    license_status: str = LicenseStatus.ACTIVE,
    acting_user: User | None = None,
) -> Officer:
    """A licensed officer (``officer_create``: the first line of the license history, results
    of the year licensed and this year marked stale); commissioned by ``agency`` from
    ``commissioned_on`` (default: the day licensed) when an agency is given. A
    ``license_status`` other than active is a second line of the history, on the day licensed
    (``license_status_change``), after the commission."""
    actor = _actor(acting_user)
    made = officer_create(
        license_number=license_number,
        first_name=first_name,
        last_name=last_name,
        date_of_birth=date_of_birth,
        licensed_on=licensed_on,
        email=email,
        acting_user=actor,
    )
    if agency is not None:
        commission(officer=made, agency=agency, start=commissioned_on or licensed_on, acting_user=actor)
    if license_status != LicenseStatus.ACTIVE:
        license_status_change(
            officer=made,
            to_status=license_status,
            reason="set by the test data",
            effective_on=licensed_on,
            acting_user=actor,
        )
        made.refresh_from_db()
    return made


def commission(
    *,
    officer: Officer,
    agency: Agency,
    start: dt.date,
    end: dt.date | None = None,
    acting_user: User | None = None,
) -> Commission:
    """``officer`` commissioned by ``agency`` from ``start`` (``commission_start``: refused for a
    license that is not active, an inactive agency, or a commission already open), ended on
    ``end`` when given (``commission_end``)."""
    actor = _actor(acting_user)
    made = commission_start(officer=officer, agency=agency, start=start, acting_user=actor)
    if end is not None:
        made = commission_end(commission=made, end=end, reason="ended by the test data", acting_user=actor)
    return made


def provider(
    *,
    number: str,
    name: str,
    kind: str = Provider.Kind.LICENSED,
    approved_from: dt.date = dt.date(2015, 1, 1),
    acting_user: User | None = None,
    **fields: Any,
) -> Provider:
    """A training provider, saved as POST staff save one (``provider_save``: its credit class
    defaults from its kind; an in-service provider needs its ``agency``)."""
    made = Provider(number=number, name=name, kind=kind, approved_from=approved_from, **fields)
    return provider_save(provider=made, acting_user=_actor(acting_user))


def portions(split: Mapping[str, Any], **topics: Mapping[str, Any]) -> list[PortionSpec]:
    """A course's split of hours: core area -> hours, with ``topics`` (core area -> topic ->
    hours) inside some of them; ``portions({"legal_studies": 2})``."""
    return [
        PortionSpec(
            core_area=area,
            hours=Decimal(str(hours)),
            topics={topic: Decimal(str(h)) for topic, h in topics.get(area, {}).items()},
        )
        for area, hours in split.items()
    ]


def course(
    *,
    provider: Provider,
    number: str,
    title: str,
    hours: Decimal | int | str,
    split: Sequence[PortionSpec] | Mapping[str, Any] | None = None,
    status: str = Course.Status.APPROVED,
    approved_from: dt.date | None = dt.date(2020, 1, 1),
    acting_user: User | None = None,
    **fields: Any,
) -> Course:
    """A course with its split of hours (``course_save``, the write both a provider's
    submission and POST's decision end in, with the same checks). Approved from
    ``approved_from`` by default; a course of another status has no approval window.

    ``split`` is a list of ``PortionSpec`` or a mapping of core area to hours; by default the
    hours go to legal studies. Submitting through ``course_submit`` would also store the
    documents a submission needs, on every test that wants a course: the factory skips that."""
    if split is None:
        split = {"legal_studies": hours}
    specs = portions(split) if isinstance(split, Mapping) else list(split)
    approved = status == Course.Status.APPROVED
    made = Course(
        provider=provider,
        number=number,
        title=title,
        hours=Decimal(str(hours)),
        status=status,
        approved_from=approved_from if approved else None,
        **fields,
    )
    return course_save(course=made, portions=specs, acting_user=_actor(acting_user))


def offering(
    *,
    course: Course,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    location: str = "Academy classroom",
    instructors: Mapping[Officer, Decimal | int] | None = None,
    acting_user: User | None = None,
) -> Offering:
    """An offering of an approved course, one day long unless ``ends_on`` is given, saved as
    a provider saves one: with ``instructors`` (officer -> hours taught), who are credited
    once it has ended (``offering_save_and_credit``)."""
    made = Offering(course=course, starts_on=starts_on, ends_on=ends_on or starts_on, location=location)
    teaching = [
        InstructorSpec(officer_id=teacher.pk, hours_taught=Decimal(str(hours)))
        for teacher, hours in (instructors or {}).items()
    ]
    return offering_save_and_credit(offering=made, instructors=teaching, acting_user=_actor(acting_user))


def training_record(
    *,
    officer: Officer,
    completed_on: dt.date,
    course: Course | None = None,
    hours: Decimal | int | str | None = None,
    lines: Sequence[LineSpec] | None = None,
    description: str = "",
    credit_class: str | None = None,
    source: str = Source.COURSE,
    delivery: str = Delivery.LIVE,
    status: str = TrainingRecord.Status.ACCEPTED,
    offering: Offering | None = None,
    acting_user: User | None = None,
    **fields: Any,
) -> TrainingRecord:
    """One completion, recorded by ``training_records_add`` (its credit lines, its audit row,
    the officer's result of that year marked stale). For a ``course`` the hours and lines
    default to the course's; without one give ``hours`` and ``description`` (the lines then
    default to no core area: hours that count toward the total only)."""
    if course is not None:
        counted = Decimal(str(hours)) if hours is not None else course.hours
        lines = course_lines(course, counted) if lines is None else lines
        credit_class = credit_class or course.provider.credit_class
    else:
        if hours is None:
            raise ValueError("a record without a course needs its hours")
        counted = Decimal(str(hours))
        lines = (LineSpec(core_area="", hours=counted),) if lines is None else lines
    entry = RecordEntry(
        officer_id=officer.pk,
        completed_on=completed_on,
        hours=counted,
        source=source,
        credit_class=credit_class or "licensed",
        delivery=delivery,
        lines=tuple(lines),
        course_id=None if course is None else course.pk,
        offering_id=None if offering is None else offering.pk,
        description=description,
        status=status,
        **fields,
    )
    outcome = training_records_add(entries=[entry], actor=_actor(acting_user))
    if not outcome.record_ids:
        raise ValueError(f"{officer} already has {course} on {completed_on} on file")
    return outcome.added[0]


def account(username: str, role: str, *, password: str = PASSWORD, **links: Any) -> User:
    """An account of ``role`` linked to its officer, agency or provider (``links``).

    Made with the ORM: in real use an account of these roles comes only from an invitation (a
    mail with a link, the password chosen on the page: ``clee.people.services``), and
    ``staff_account_create`` makes back-office accounts (``is_staff``), which personas are not."""
    return User.objects.create_user(username=username, password=password, role=role, **links)
