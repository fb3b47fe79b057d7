"""Onboarding files: the agencies, officers and commissions a state starts with (or adds).

A row whose key is already on file with the same data is "already present"; the same key
with different data is a row error, never a silent overwrite (changes go through the
services that record why). A blank optional cell says nothing: a new row takes the default,
a row on file is not compared on it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from clee.accounts.models import User
from clee.agencies.models import Agency
from clee.compliance.outbox import results_mark_stale
from clee.core.actions import AuditAction
from clee.core.audit import record_events
from clee.imports import tables
from clee.imports.common import Columns, Plan, RowReader, Scope, check_header, chunked
from clee.imports.report import RowOutcome
from clee.imports.tables import CellError, Table
from clee.officers.models import Commission, LicenseStatus, LicenseStatusChange, Officer
from clee.training.models import ImportBatch

ORI = re.compile(r"^[A-Z]{2}[A-Z0-9]{7}$")
KEEP = "an import never changes what is on file"


def _ori(value: Any) -> str:
    ori = tables.text(value, max_length=20).upper()
    if not ORI.match(ori):
        raise CellError(f"{ori!r} is not an ORI (2 letters, then 7 letters or digits)")
    return ori


def _email(value: Any) -> str:
    email = tables.text(value, max_length=254)
    try:
        validate_email(email)
    except ValidationError:
        raise CellError(f"{email!r} is not an email address") from None
    return email


def _same_text(on_file: str, given: str) -> bool:
    return " ".join(on_file.split()).casefold() == " ".join(given.split()).casefold()


def _shown(value: Any) -> str:
    if value is None or value == "":
        return "(none)"
    if isinstance(value, dt.date):
        return value.isoformat()
    return repr(value) if isinstance(value, str) else str(value)


def _differs(reader: RowReader, column: str, what: str, on_file: Any, given: Any) -> None:
    reader.fail(column, f"{what} is on file with {_shown(on_file)}, not {_shown(given)} ({KEEP})")


# --- agencies ---------------------------------------------------------------------------------

AGENCY_COLUMNS = Columns(required=("ori", "name"), optional=("type", "active"))


@dataclass
class AgencyPlan(Plan):
    agencies: list[Agency] = dataclasses.field(default_factory=list)

    def write(self, *, batch: ImportBatch, actor: User | None) -> tuple[int, int]:
        created = Agency.objects.bulk_create(self.agencies, batch_size=2000)
        record_events(
            actor=actor,
            action=AuditAction.AGENCY_CREATE,
            targets=list(created),
            summary=f"imported from {batch.file_name} (batch {batch.pk})",
        )
        return len(created), 0


def plan_agencies(table: Table, scope: Scope) -> AgencyPlan:
    plan = AgencyPlan(errors=list(table.errors))
    if not check_header(table, AGENCY_COLUMNS, plan):
        return plan
    parsed = []
    for row in table.rows:
        reader = RowReader(row, plan)
        ori = reader.required("ori", _ori)
        name = reader.required("name", partial(tables.text, max_length=200))
        agency_type = reader.optional("type", partial(tables.choice, choices=Agency.Type.choices))
        active = reader.optional("active", tables.boolean)
        parsed.append((reader, ori, name, agency_type, active))
    oris = {ori for _, ori, _, _, _ in parsed if ori}
    on_file = {a.ori: a for chunk in chunked(sorted(oris)) for a in Agency.objects.filter(ori__in=chunk)}
    first_row: dict[str, int] = {}
    for reader, ori, name, agency_type, active in parsed:
        if ori is None or name is None or reader.failed:
            continue
        twin = first_row.setdefault(ori, reader.row.number)
        if twin != reader.row.number:
            reader.fail("ori", f"{ori} is on row {twin} too")
            continue
        existing = on_file.get(ori)
        if existing is None:
            agency = Agency(
                ori=ori, name=name, agency_type=agency_type or Agency.Type.POLICE, active=active is not False
            )
            plan.agencies.append(agency)
            plan.to_add.append(RowOutcome(reader.row.number, f"{ori} {name}"))
            continue
        if not _same_text(existing.name, name):
            _differs(reader, "name", ori, existing.name, name)
        if agency_type is not None and agency_type != existing.agency_type:
            _differs(reader, "type", ori, existing.agency_type, agency_type)
        if active is not None and active != existing.active:
            _differs(reader, "active", ori, existing.active, active)
        if not reader.failed:
            plan.already_present.append(RowOutcome(reader.row.number, f"{ori} {existing.name}"))
    plan.errors.sort(key=lambda e: e.row or 0)
    return plan


# --- officers ---------------------------------------------------------------------------------

OFFICER_COLUMNS = Columns(
    required=("license_number", "first_name", "last_name", "date_of_birth", "licensed_on"),
    optional=("email", "basic_training_completed_on"),
)


@dataclass
class OfficerPlan(Plan):
    officers: list[Officer] = dataclasses.field(default_factory=list)

    def write(self, *, batch: ImportBatch, actor: User | None) -> tuple[int, int]:
        created = Officer.objects.bulk_create(self.officers, batch_size=2000)
        # The license history starts with the license itself.
        LicenseStatusChange.objects.bulk_create(
            [
                LicenseStatusChange(
                    officer=officer,
                    from_status="",
                    to_status=LicenseStatus.ACTIVE,
                    effective_on=officer.licensed_on,
                    reason="licensed",
                    changed_by=actor,
                )
                for officer in created
            ],
            batch_size=2000,
        )
        record_events(
            actor=actor,
            action=AuditAction.OFFICER_CREATE,
            targets=list(created),
            summary=f"imported from {batch.file_name} (batch {batch.pk})",
        )
        # As officer_create does: a result for the year licensed and for this year.
        years = {officer.licensed_on.year for officer in created} | {timezone.localdate().year}
        results_mark_stale({officer.pk for officer in created}, years, reason="officers onboarded")
        return len(created), 0


def plan_officers(table: Table, scope: Scope) -> OfficerPlan:
    plan = OfficerPlan(errors=list(table.errors))
    if not check_header(table, OFFICER_COLUMNS, plan):
        return plan
    day = partial(tables.date, today=scope.today)
    name = partial(tables.text, max_length=80)
    parsed: list[tuple[RowReader, Officer]] = []
    for row in table.rows:
        reader = RowReader(row, plan)
        number = reader.required("license_number", tables.license_number)
        first_name = reader.required("first_name", name)
        last_name = reader.required("last_name", name)
        born = reader.required("date_of_birth", day)
        email = reader.optional("email", _email) or ""
        licensed_on = reader.required("licensed_on", day)
        trained = reader.optional("basic_training_completed_on", day)
        if born is not None and licensed_on is not None and licensed_on <= born:
            reader.fail("licensed_on", f"{licensed_on.isoformat()} is not after the date of birth")
        if born is not None and trained is not None and trained <= born:
            reader.fail(
                "basic_training_completed_on", f"{trained.isoformat()} is not after the date of birth"
            )
        if number is None or first_name is None or last_name is None or born is None or licensed_on is None:
            continue
        officer = Officer(
            license_number=number,
            first_name=first_name,
            last_name=last_name,
            date_of_birth=born,
            email=email,
            licensed_on=licensed_on,
            basic_training_completed_on=trained,
            license_status=LicenseStatus.ACTIVE,
        )
        parsed.append((reader, officer))
    numbers = {officer.license_number for _, officer in parsed if officer.license_number}
    on_file = {
        o.license_number: o
        for chunk in chunked(sorted(numbers))
        for o in Officer.objects.filter(license_number__in=chunk)
    }
    first_row: dict[str, int] = {}
    for reader, officer in parsed:
        if reader.failed:
            continue
        number = officer.license_number
        twin = first_row.setdefault(number, reader.row.number)
        if twin != reader.row.number:
            reader.fail("license_number", f"{number} is on row {twin} too")
            continue
        existing = on_file.get(number)
        summary = f"{number} {officer.first_name} {officer.last_name}"
        if existing is None:
            plan.officers.append(officer)
            plan.to_add.append(RowOutcome(reader.row.number, summary))
            continue
        for column in ("first_name", "last_name"):
            if not _same_text(getattr(existing, column), getattr(officer, column)):
                _differs(reader, column, number, getattr(existing, column), getattr(officer, column))
        if officer.email and not _same_text(existing.email, officer.email):
            _differs(reader, "email", number, existing.email, officer.email)
        for column in ("date_of_birth", "licensed_on", "basic_training_completed_on"):
            given = getattr(officer, column)
            if given is not None and given != getattr(existing, column):
                _differs(reader, column, number, getattr(existing, column), given)
        if not reader.failed:
            plan.already_present.append(RowOutcome(reader.row.number, summary))
    plan.errors.sort(key=lambda e: e.row or 0)
    return plan


# --- commissions ------------------------------------------------------------------------------

COMMISSION_COLUMNS = Columns(required=("license_number", "ori", "start"), optional=("end",))
# An agency's own file may leave the ORI out: every row is then that agency's. Its administrator
# proves the agency employs each officer with the date of birth (as on the commission form).
AGENCY_COMMISSION_COLUMNS = Columns(required=("license_number", "start"), optional=("ori", "end"))
AGENCY_ADMIN_COMMISSION_COLUMNS = Columns(
    required=("license_number", "date_of_birth", "start"), optional=("ori", "end")
)

Span = tuple[dt.date, dt.date | None, str]  # start, end (None: open), where it comes from


@dataclass
class CommissionPlan(Plan):
    commissions: list[Commission] = dataclasses.field(default_factory=list)

    def write(self, *, batch: ImportBatch, actor: User | None) -> tuple[int, int]:
        created = Commission.objects.bulk_create(self.commissions, batch_size=2000)
        record_events(
            actor=actor,
            action=AuditAction.COMMISSION_START,
            targets=list(created),
            summary=f"imported from {batch.file_name} (batch {batch.pk})",
        )
        return len(created), 0


def _overlap(a_start: dt.date, a_end: dt.date | None, b_start: dt.date, b_end: dt.date | None) -> bool:
    return (b_end is None or a_start <= b_end) and (a_end is None or b_start <= a_end)


def plan_commissions(table: Table, scope: Scope) -> CommissionPlan:
    plan = CommissionPlan(errors=list(table.errors))
    proves = scope.agency is not None and not bool(getattr(scope.actor, "is_statewide", True))
    columns = AGENCY_ADMIN_COMMISSION_COLUMNS if proves else AGENCY_COMMISSION_COLUMNS
    if not check_header(table, columns if scope.agency else COMMISSION_COLUMNS, plan):
        return plan
    day = partial(tables.date, today=scope.today)
    parsed = []
    born: dict[int, dt.date | None] = {}
    for row in table.rows:
        reader = RowReader(row, plan)
        number = reader.required("license_number", tables.license_number)
        if proves:
            born[row.number] = reader.required("date_of_birth", day)
        ori = reader.optional("ori", _ori) if scope.agency else reader.required("ori", _ori)
        if scope.agency is not None:
            if ori is not None and ori != scope.agency.ori:
                reader.fail("ori", f"this file holds {scope.agency.ori}'s commissions only")
            ori = scope.agency.ori
        start = reader.required("start", day)
        end = reader.optional("end", day)
        if start is not None and end is not None and end < start:
            reader.fail("end", f"{end.isoformat()} is before the start, {start.isoformat()}")
        parsed.append((reader, number, ori, start, end))

    numbers = {number for _, number, _, _, _ in parsed if number}
    officers = {
        o.license_number: o
        for chunk in chunked(sorted(numbers))
        for o in Officer.objects.filter(license_number__in=chunk).only(
            "id", "license_number", "first_name", "last_name", "license_status", "date_of_birth"
        )
    }
    oris = {ori for _, _, ori, _, _ in parsed if ori}
    agencies = {a.ori: a for chunk in chunked(sorted(oris)) for a in Agency.objects.filter(ori__in=chunk)}
    spans: dict[tuple[int, int], list[Span]] = defaultdict(list)
    for chunk in chunked(sorted(o.pk for o in officers.values())):
        for officer_id, agency_id, start, end in Commission.objects.filter(officer_id__in=chunk).values_list(
            "officer_id", "agency_id", "start", "end"
        ):
            spans[(officer_id, agency_id)].append((start, end, "on file"))

    for reader, number, ori, start, end in parsed:
        officer = officers.get(number) if number else None
        agency = agencies.get(ori) if ori else None
        if number and officer is None:
            reader.fail("license_number", f"no officer has license number {number}")
        elif (
            officer is not None
            and proves
            and born.get(reader.row.number) not in (None, officer.date_of_birth)
        ):
            reader.fail("date_of_birth", f"the date of birth is not the one on file for license {number}")
        if ori and agency is None:
            reader.fail("ori", f"no agency has ORI {ori}")
        if reader.failed or officer is None or agency is None or start is None:
            continue
        summary = f"{officer.license_number} {officer.full_name} at {agency.ori} from {start.isoformat()}"
        summary += f" to {end.isoformat()}" if end else " (open)"
        known = spans[(officer.pk, agency.pk)]
        same_start = [span for span in known if span[0] == start]
        if same_start:
            on_file_end, where = same_start[0][1], same_start[0][2]
            if where != "on file":
                reader.fail(
                    "start", f"{officer.license_number} at {agency.ori} from {start} is on {where} too"
                )
            elif on_file_end != end:
                _differs(reader, "end", f"the commission from {start.isoformat()}", on_file_end, end)
            else:
                plan.already_present.append(RowOutcome(reader.row.number, summary))
            continue
        clash = next((span for span in known if _overlap(start, end, span[0], span[1])), None)
        if clash is not None:
            until = clash[1].isoformat() if clash[1] else "(open)"
            reader.fail(
                "start",
                f"overlaps {officer.license_number}'s commission at {agency.ori} from "
                f"{clash[0].isoformat()} to {until} ({clash[2]})",
            )
            continue
        if end is None and officer.license_status != LicenseStatus.ACTIVE:
            reader.fail(
                "license_number",
                f"{officer.license_number}'s license is {officer.license_status}: "
                "it cannot hold an open commission",
            )
        if end is None and not agency.active:
            reader.fail("ori", f"{agency.ori} is not an active agency")
        if reader.failed:
            continue
        known.append((start, end, f"row {reader.row.number}"))
        plan.commissions.append(Commission(officer=officer, agency=agency, start=start, end=end))
        plan.to_add.append(RowOutcome(reader.row.number, summary))
    plan.errors.sort(key=lambda e: e.row or 0)
    return plan
