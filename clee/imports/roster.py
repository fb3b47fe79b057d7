"""Completion rosters: a provider's (or an agency's in-service) list of who completed what, when.

Each row names an officer by license number and a course by its number (a course of the
provider, or of the agency's in-service provider), or, on an agency's roster, describes an
ad-hoc in-service course by title, hours and their split over core areas. Validation reads
the database a few times for the whole file (officers, courses, offerings, commissions,
records on file), never once per row.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

from django.db.models import QuerySet, prefetch_related_objects

from clee.accounts.models import User
from clee.compliance.records import training_records_add
from clee.core.choices import CoreArea, Delivery, ProviderCredit, Source, Subject, Topic
from clee.core.errors import ServiceError
from clee.core.wording import day_text
from clee.imports import tables
from clee.imports.common import Columns, Plan, RowReader, Scope, check_header, chunked
from clee.imports.report import RowOutcome
from clee.imports.tables import CellError, Table
from clee.officers.models import Commission, Officer
from clee.providers.models import Course, Offering, Provider
from clee.training.models import ImportBatch, TrainingRecord
from clee.training.services import LineSpec, RecordEntry, course_lines

ZERO = Decimal(0)

# Why an agency's training described by title (no approved in-service course) does not count
# until POST reviews it; the officer, the agency and POST staff see it.
AD_HOC_HELD = (
    "agency training counts only through an in-service course POST approved in advance "
    "(11 CSR 75-15.060): held for POST's review"
)

# An ad-hoc in-service row splits its hours over these columns (they add up to ``hours``);
# ``firearms`` hours are Skill Development hours in the subject Firearms.
SPLIT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("legal_studies", CoreArea.LEGAL_STUDIES, Subject.NONE),
    ("technical_studies", CoreArea.TECHNICAL_STUDIES, Subject.NONE),
    ("interpersonal_perspectives", CoreArea.INTERPERSONAL_PERSPECTIVES, Subject.NONE),
    ("skill_development", CoreArea.SKILL_DEVELOPMENT, Subject.NONE),
    ("firearms", CoreArea.SKILL_DEVELOPMENT, Subject.FIREARMS),
)
# Topic hours are part of the row's hours, not extra (seed 001); they are placed on the
# Interpersonal Perspectives hours first, where 15.020 lists them, then on the other areas.
TOPIC_COLUMNS = tuple(str(topic) for topic in Topic.values)
TOPIC_PLACEMENT = (
    "interpersonal_perspectives",
    "legal_studies",
    "technical_studies",
    "skill_development",
    "firearms",
)

COMMON = ("license_number", "completion_date")
INFORMATIONAL = ("first_name", "course_title", "notes")
PROVIDER_COLUMNS = Columns(
    required=(*COMMON, "course_number"), optional=("hours", "offering", "last_name", *INFORMATIONAL)
)
AGENCY_COLUMNS = Columns(
    required=COMMON,
    one_of=(("course_number", "title"),),
    optional=(
        "hours",
        "offering",
        "last_name",
        "delivery",
        *(name for name, _, _ in SPLIT_COLUMNS),
        *TOPIC_COLUMNS,
        *INFORMATIONAL,
    ),
)
AD_HOC_ONLY = ("delivery", *(name for name, _, _ in SPLIT_COLUMNS), *TOPIC_COLUMNS)


@dataclass(frozen=True)
class PlannedRecord:
    row: int
    entry: RecordEntry
    key: tuple[Any, ...]  # what makes it "already on file"
    summary: str
    completion: str  # how an error names it: license number, course or title, day


@dataclass
class RosterPlan(Plan):
    records: list[PlannedRecord] = dataclasses.field(default_factory=list)
    summary: str = ""

    def write(self, *, batch: ImportBatch, actor: User | None) -> tuple[int, int]:
        outcome = training_records_add(
            entries=[planned.entry for planned in self.records],
            actor=actor,
            import_batch=batch,
            summary=f"{self.summary}: imported from {batch.file_name} (batch {batch.pk})",
        )
        return len(outcome.record_ids), outcome.already_present


def lock_keys(scope: Scope) -> list[tuple[str, int]]:
    """What two roster imports must not write at the same time: the courses' providers (a
    provider's and its agency's rosters share courses) and, for ad-hoc rows, the agency."""
    if scope.provider is not None:
        return [("roster-provider", scope.provider.pk)]
    assert scope.agency is not None
    providers = Provider.objects.filter(agency=scope.agency, kind=Provider.Kind.IN_SERVICE)
    keys = [("roster-provider", pk) for pk in providers.values_list("pk", flat=True)]
    return [*keys, ("roster-agency", scope.agency.pk)]


def plan_roster(table: Table, scope: Scope) -> RosterPlan:
    """Check every row of a roster, with the planner of whoever sent it."""
    if scope.provider is not None:
        return plan_provider_roster(table, scope)
    if scope.agency is not None:
        return plan_agency_roster(table, scope)
    raise ServiceError("a roster comes from a provider or an agency: name one", field="provider")


def plan_provider_roster(table: Table, scope: Scope) -> RosterPlan:
    """Check every row of a provider's roster; return the records to add and every error.

    Each row names an officer by license number and one of the provider's courses by its number.
    """
    provider = scope.provider
    assert provider is not None
    plan = RosterPlan(errors=list(table.errors))
    if not check_header(table, PROVIDER_COLUMNS, plan):
        return plan
    plan.summary = f"roster from {provider.number}"

    rows = [_parse_provider_row(RowReader(row, plan), scope) for row in table.rows]

    officers, courses, offerings = _look_up(rows, Course.objects.filter(provider=provider))
    lines_of: dict[tuple[int, Decimal | None], tuple[LineSpec, ...]] = {}

    completions = _Completions()
    for row in rows:
        officer = _officer_of_row(row, officers)
        course: Course | None = None
        if row.course_number:
            course = _course_of_row(row, courses, owner=f"provider {provider.number}")
        entry_lines: tuple[LineSpec, ...] | None = None
        if course is not None:
            entry_lines = _course_row_lines(row, course, offerings, lines_of)
        if row.reader.failed or officer is None or row.completed_on is None or entry_lines is None:
            continue
        assert course is not None
        # What the provider sent, not the name on file (which would tell a provider whose any
        # license number is).
        completions.add(row, _course_record(row, officer, course, entry_lines, who=row.last_name))

    _sort_out(plan, completions.records)
    return plan


def plan_agency_roster(table: Table, scope: Scope) -> RosterPlan:
    """Check every row of an agency's in-service roster; return the records to add and every error.

    Each row names an officer the agency commissioned on the day, and a course of the agency's
    in-service providers by its number, or describes an ad-hoc in-service course by title,
    hours and their split over core areas (held for POST's review).
    """
    agency = scope.agency
    assert agency is not None
    plan = RosterPlan(errors=list(table.errors))
    if not check_header(table, AGENCY_COLUMNS, plan):
        return plan
    plan.summary = f"roster from {agency.ori}"

    rows = [_parse_agency_row(RowReader(row, plan), scope) for row in table.rows]

    in_service = Course.objects.filter(provider__agency=agency, provider__kind=Provider.Kind.IN_SERVICE)
    officers, courses, offerings = _look_up(rows, in_service)
    commissions = _commissions(scope, {o.pk for o in officers.values()})
    ad_hoc_class = _ad_hoc_credit_class(scope)
    lines_of: dict[tuple[int, Decimal | None], tuple[LineSpec, ...]] = {}

    completions = _Completions()
    for row in rows:
        reader = row.reader
        officer = _officer_of_row(row, officers)
        if (
            officer is not None
            and row.completed_on is not None
            and not _commissioned(commissions.get(officer.pk, ()), row.completed_on)
        ):
            reader.fail(
                "license_number",
                f"{officer.license_number} was not commissioned by {agency.ori} "
                f"on {day_text(row.completed_on)}",
            )
        course: Course | None = None
        if row.course_number:
            course = _course_of_row(row, courses, owner="the agency's in-service providers")
        entry_lines: tuple[LineSpec, ...] | None = None
        if course is not None:
            entry_lines = _course_row_lines(row, course, offerings, lines_of)
        elif not row.course_number and row.title:
            entry_lines = _ad_hoc_lines(reader, row)
        if reader.failed or officer is None or row.completed_on is None or entry_lines is None:
            continue
        # An agency's roster names officers it commissions: the summary shows the name on file.
        if course is not None:
            completions.add(row, _course_record(row, officer, course, entry_lines, who=officer.full_name))
        else:
            completions.add(row, _ad_hoc_record(row, officer, entry_lines, ad_hoc_class))

    _sort_out(plan, completions.records)
    return plan


def _look_up(
    rows: Sequence[ParsedRow], candidates: QuerySet[Course]
) -> tuple[dict[str, Officer], dict[str, list[Course]], dict[int, Offering]]:
    """The rows' officers, courses (among ``candidates``) and offerings, a few queries for the
    whole file."""
    officers = _officers({row.license_number for row in rows if row.license_number})
    courses = _courses(candidates, {row.course_number.casefold() for row in rows if row.course_number})
    prefetch_related_objects([c for found in courses.values() for c in found], "portions")
    offerings = _offerings({row.offering_id for row in rows if row.offering_id is not None})
    return officers, courses, offerings


def _officer_of_row(row: ParsedRow, officers: dict[str, Officer]) -> Officer | None:
    """The officer the row names; the row fails when there is none or the last name is not theirs."""
    officer = officers.get(row.license_number)
    if officer is None:
        if row.license_number:
            row.reader.fail("license_number", f"no officer has license number {row.license_number}")
    elif row.last_name and row.last_name.casefold() != officer.last_name.strip().casefold():
        # Never the name on file: a roster must not tell whose a license number is.
        row.reader.fail(
            "last_name",
            f"{row.last_name} is not the last name on file for license {officer.license_number}",
        )
    return officer


def _course_record(
    row: ParsedRow, officer: Officer, course: Course, lines: tuple[LineSpec, ...], *, who: str
) -> PlannedRecord:
    """The record of a row naming a course; ``who`` is the name its summary shows."""
    assert row.completed_on is not None
    hours = row.hours if row.hours is not None else course.hours
    entry = RecordEntry(
        officer_id=officer.pk,
        completed_on=row.completed_on,
        hours=hours,
        source=Source.COURSE,
        credit_class=course.provider.credit_class,
        delivery=course.delivery,
        lines=lines,
        course_id=course.pk,
        offering_id=row.offering_id,
    )
    key = ("course", officer.pk, course.pk, row.completed_on)
    return _planned(row, officer, entry, key, f"{course.number} {course.title}", who)


def _ad_hoc_record(
    row: ParsedRow, officer: Officer, lines: tuple[LineSpec, ...], credit_class: str
) -> PlannedRecord:
    """The record of an agency's row describing its training by title, held for POST's review."""
    assert row.completed_on is not None
    hours = row.hours if row.hours is not None else ZERO
    entry = RecordEntry(
        officer_id=officer.pk,
        completed_on=row.completed_on,
        hours=hours,
        source=Source.COURSE,
        credit_class=credit_class,
        delivery=row.delivery,
        lines=lines,
        description=row.title,
        # An agency's training counts only through a course POST approved in advance
        # (11 CSR 75-15.060; seed 001): one described by title waits for POST's review.
        status=TrainingRecord.Status.PENDING,
        review_note=AD_HOC_HELD,
    )
    key = ("ad_hoc", officer.pk, row.title.casefold(), row.completed_on, hours)
    return _planned(row, officer, entry, key, row.title, officer.full_name)


def _planned(
    row: ParsedRow, officer: Officer, entry: RecordEntry, key: tuple[Any, ...], what: str, who: str
) -> PlannedRecord:
    """The planned record, with the summary a report shows and how an error names it."""
    summary = (
        f"{officer.license_number} {who}".rstrip()
        + f": {what}, {entry.completed_on.isoformat()}, {entry.hours} h"
    )
    completion = f"{officer.license_number}, {what}, {entry.completed_on.isoformat()}"
    return PlannedRecord(row.reader.row.number, entry, key, summary, completion)


class _Completions:
    """The records a roster's rows add, each completion once: a later row with the same officer,
    course (or title) and day fails, naming the first row."""

    def __init__(self) -> None:
        self.records: list[PlannedRecord] = []
        self._first_row_of: dict[tuple[Any, ...], int] = {}

    def add(self, row: ParsedRow, planned: PlannedRecord) -> None:
        twin = self._first_row_of.setdefault(planned.key[:4], planned.row)
        if twin != planned.row:
            row.reader.fail(
                "course_number" if planned.key[0] == "course" else "title",
                f"the same completion ({planned.completion}) is on row {twin} too",
            )
            return
        self.records.append(planned)


def _sort_out(plan: RosterPlan, checked: Sequence[PlannedRecord]) -> None:
    """Put each checked record in the plan: to add, or already on file."""
    on_file = _on_file(checked)
    for planned in checked:
        outcome = RowOutcome(planned.row, planned.summary)
        if planned.key in on_file:
            plan.already_present.append(outcome)
        else:
            plan.to_add.append(outcome)
            plan.records.append(planned)
    plan.errors.sort(key=lambda e: e.row or 0)


@dataclass
class ParsedRow:
    reader: RowReader
    license_number: str
    completed_on: dt.date | None
    course_number: str
    title: str = ""
    hours: Decimal | None = None
    offering_id: int | None = None
    last_name: str = ""
    delivery: str = str(Delivery.LIVE)
    split: dict[str, Decimal] = dataclasses.field(default_factory=dict)
    topics: dict[str, Decimal] = dataclasses.field(default_factory=dict)


def _offering_id(value: Any) -> int:
    raw = tables.text(value, max_length=20)
    if not raw.isdigit():
        raise CellError(f"{raw!r} is not an offering number")
    return int(raw)


def _split_hours(value: Any) -> Decimal:
    """A split cell: like hours, but 0 is allowed (no hours in that area)."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) and value == 0:
        return ZERO
    if isinstance(value, str) and value.strip() in ("0", "0.0", "0.00"):
        return ZERO
    return tables.hours(value)


def _parse_provider_row(reader: RowReader, scope: Scope) -> ParsedRow:
    row = _read_officer_and_course(reader, scope)
    if not row.course_number:
        reader.fail("course_number", "a value is required")
    _read_details(row)
    return row


def _parse_agency_row(reader: RowReader, scope: Scope) -> ParsedRow:
    row = _read_officer_and_course(reader, scope)
    row.title = reader.optional("title", partial(tables.text, max_length=200)) or ""
    if not row.course_number and not row.title:
        reader.fail("course_number", "a value is required (or a title)")
    _read_details(row)
    if row.course_number:
        for column in AD_HOC_ONLY:
            if reader.has(column):
                reader.fail(column, "only for a row without a course number (an ad-hoc in-service course)")
    else:
        row.delivery = (
            reader.optional("delivery", partial(tables.choice, choices=Delivery.choices)) or row.delivery
        )
        for column, _, _ in SPLIT_COLUMNS:
            value = reader.optional(column, _split_hours)
            if value:
                row.split[column] = value
        for column in TOPIC_COLUMNS:
            value = reader.optional(column, _split_hours)
            if value:
                row.topics[column] = value
        if row.title and row.offering_id is not None:
            reader.fail("offering", "an offering belongs to a course: give its course number")
    return row


def _read_officer_and_course(reader: RowReader, scope: Scope) -> ParsedRow:
    """The columns every roster row starts with: license number, completion date, course number."""
    license_number = reader.required("license_number", tables.license_number) or ""
    completed_on = reader.required("completion_date", partial(tables.date, today=scope.today))
    course_number = reader.optional("course_number", partial(tables.text, max_length=30)) or ""
    return ParsedRow(reader, license_number, completed_on, course_number)


def _read_details(row: ParsedRow) -> None:
    """The columns every roster row may have: hours, offering, last name."""
    row.hours = row.reader.optional("hours", tables.hours)
    row.offering_id = row.reader.optional("offering", _offering_id)
    row.last_name = row.reader.optional("last_name", partial(tables.text, max_length=80)) or ""


def _course_of_row(row: ParsedRow, courses: dict[str, list[Course]], *, owner: str) -> Course | None:
    reader = row.reader
    found = courses.get(row.course_number.casefold(), [])
    if not found:
        reader.fail("course_number", f"{owner} has no course numbered {row.course_number}")
        return None
    if len(found) > 1:
        numbers = ", ".join(sorted(c.provider.number for c in found))
        reader.fail(
            "course_number", f"{row.course_number} is a course of several in-service providers ({numbers})"
        )
        return None
    course = found[0]
    day = row.completed_on
    if day is not None:
        if not course.approved_on(day):
            reader.fail("completion_date", _not_approved(course, day))
        elif not course.provider.approved_on(day):
            reader.fail(
                "completion_date",
                f"{course.provider.number} was not an approved provider on {day_text(day)}",
            )
    return course


def _not_approved(course: Course, day: dt.date) -> str:
    if course.status != Course.Status.APPROVED or course.approved_from is None:
        return f"course {course.number} is not approved (it is {course.get_status_display().lower()})"
    window = f"from {day_text(course.approved_from)}"
    if course.approved_until is not None:
        window += f" to {day_text(course.approved_until)}"
    return f"course {course.number} was not approved on {day_text(day)} (approved {window})"


def _course_row_lines(
    row: ParsedRow,
    course: Course,
    offerings: dict[int, Offering],
    lines_of: dict[tuple[int, Decimal | None], tuple[LineSpec, ...]],
) -> tuple[LineSpec, ...] | None:
    reader = row.reader
    if row.hours is not None and row.hours > course.hours:
        reader.fail("hours", f"{row.hours} hours is more than course {course.number}'s {course.hours}")
        return None
    if row.offering_id is not None:
        offering = offerings.get(row.offering_id)
        if offering is None or offering.course_id != course.pk:
            reader.fail("offering", f"course {course.number} has no offering {row.offering_id}")
        elif row.completed_on is not None and not offering.starts_on <= row.completed_on <= offering.ends_on:
            reader.fail(
                "completion_date",
                f"offering {offering.pk} ran from {day_text(offering.starts_on)} "
                f"to {day_text(offering.ends_on)}",
            )
    hours = None if row.hours is None or row.hours == course.hours else row.hours
    key = (course.pk, hours)
    if key not in lines_of:
        try:
            lines_of[key] = _exact(course_lines(course, hours), hours or course.hours)
        except ServiceError as error:
            reader.fail("course_number", error.message)
            return None
    return lines_of[key]


def _exact(lines: tuple[LineSpec, ...], total: Decimal) -> tuple[LineSpec, ...]:
    """Scaled portions are rounded to the hundredth; give the rounding to the largest line so
    the lines add up to the record's hours exactly."""
    difference = total - sum((line.hours for line in lines), ZERO)
    if not difference or not lines:
        return lines
    largest = max(range(len(lines)), key=lambda i: lines[i].hours)
    adjusted = list(lines)
    adjusted[largest] = dataclasses.replace(lines[largest], hours=lines[largest].hours + difference)
    return tuple(adjusted)


def _ad_hoc_lines(reader: RowReader, row: ParsedRow) -> tuple[LineSpec, ...] | None:
    if row.hours is None:
        if not reader.has("hours"):
            reader.fail("hours", "a value is required for a course without a number")
        return None
    if not row.split:
        reader.fail("hours", "split the hours over core areas (legal_studies, ..., firearms columns)")
        return None
    split_total = sum(row.split.values(), ZERO)
    if split_total != row.hours:
        reader.fail("hours", f"the core-area hours add up to {split_total}, not {row.hours}")
        return None
    topic_total = sum(row.topics.values(), ZERO)
    if topic_total > row.hours:
        reader.fail("hours", f"the topic hours ({topic_total}) are more than the course's {row.hours}")
        return None
    # Topic portions never overlap inside a line: fill the lines' room in placement order.
    room = dict(row.split)
    topics_of: dict[str, dict[str, float]] = defaultdict(dict)
    for topic, topic_hours in row.topics.items():
        left = topic_hours
        for column in TOPIC_PLACEMENT:
            take = min(left, room.get(column, ZERO))
            if take > 0:
                topics_of[column][topic] = float(take)
                room[column] -= take
                left -= take
    return tuple(
        LineSpec(core_area=area, subject=subject, hours=row.split[column], topics=topics_of.get(column, {}))
        for column, area, subject in SPLIT_COLUMNS
        if column in row.split
    )


def _officers(license_numbers: set[str]) -> dict[str, Officer]:
    found: dict[str, Officer] = {}
    for chunk in chunked(sorted(license_numbers)):
        for officer in Officer.objects.filter(license_number__in=chunk).only(
            "id", "license_number", "first_name", "last_name"
        ):
            found[officer.license_number] = officer
    return found


def _courses(candidates: QuerySet[Course], numbers: set[str]) -> dict[str, list[Course]]:
    """The ``candidates`` by case-folded number (one query: a provider has at most a few
    hundred courses, fewer than a large roster's distinct numbers would cost to list)."""
    if not numbers:
        return {}
    found: dict[str, list[Course]] = defaultdict(list)
    for course in candidates.select_related("provider"):
        if course.number.strip().casefold() in numbers:
            found[course.number.strip().casefold()].append(course)
    return found


def _offerings(ids: set[int]) -> dict[int, Offering]:
    found: dict[int, Offering] = {}
    for chunk in chunked(sorted(ids)):
        found.update((o.pk, o) for o in Offering.objects.filter(pk__in=chunk))
    return found


def _commissions(scope: Scope, officer_ids: set[int]) -> dict[int, list[tuple[dt.date, dt.date | None]]]:
    found: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    for chunk in chunked(sorted(officer_ids)):
        for officer_id, start, end in Commission.objects.filter(
            agency=scope.agency, officer_id__in=chunk
        ).values_list("officer_id", "start", "end"):
            found[officer_id].append((start, end))
    return found


def _commissioned(periods: Sequence[tuple[dt.date, dt.date | None]], day: dt.date) -> bool:
    return any(start <= day and (end is None or day <= end) for start, end in periods)


def _ad_hoc_credit_class(scope: Scope) -> str:
    """An agency's own in-service training earns its in-service provider's class of credit,
    licensed-provider credit when it has none (15.060)."""
    classes = set(
        Provider.objects.filter(agency=scope.agency, kind=Provider.Kind.IN_SERVICE).values_list(
            "credit_class", flat=True
        )
    )
    return classes.pop() if len(classes) == 1 else str(ProviderCredit.LICENSED)


def _on_file(planned: Sequence[PlannedRecord]) -> set[tuple[Any, ...]]:
    """The keys of ``planned`` records that are already on file (a re-sent roster)."""
    on_file: set[tuple[Any, ...]] = set()
    course_keys = {p.key for p in planned if p.key[0] == "course"}
    ad_hoc_keys = {p.key for p in planned if p.key[0] == "ad_hoc"}
    if course_keys:
        course_ids = sorted({key[2] for key in course_keys})
        for chunk in chunked(sorted({key[1] for key in course_keys})):
            for officer_id, course_id, completed_on in TrainingRecord.objects.filter(
                officer_id__in=chunk, course_id__in=course_ids
            ).values_list("officer_id", "course_id", "completed_on"):
                course_key = ("course", officer_id, course_id, completed_on)
                if course_key in course_keys:
                    on_file.add(course_key)
    if ad_hoc_keys:
        for chunk in chunked(sorted({key[1] for key in ad_hoc_keys})):
            for officer_id, description, completed_on, hours in TrainingRecord.objects.filter(
                officer_id__in=chunk, course__isnull=True, source=Source.COURSE
            ).values_list("officer_id", "description", "completed_on", "hours"):
                ad_hoc_key = ("ad_hoc", officer_id, description.casefold(), completed_on, hours)
                if ad_hoc_key in ad_hoc_keys:
                    on_file.add(ad_hoc_key)
    return on_file
