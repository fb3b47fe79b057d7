"""Onboarding files: agencies, officers and commissions, checked row by row, all or nothing,
never overwriting what is on file."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from clee.agencies.models import Agency
from clee.core.errors import ServiceError
from clee.core.models import AuditEvent
from clee.imports.services import ImportReport, import_apply, import_preview
from clee.imports.tables import table_from_upload
from clee.officers.models import Commission, LicenseStatusChange, Officer
from clee.officers.services import license_status_change
from clee.training.models import ImportBatch
from tests.factories import audit_rows_after_setup
from tests.imports.files import csv_file, xlsx_file

pytestmark = pytest.mark.django_db

AGENCIES = ("ori", "name", "type", "active")
OFFICERS = (
    "license_number",
    "first_name",
    "last_name",
    "date_of_birth",
    "email",
    "licensed_on",
    "basic_training_completed_on",
)
COMMISSIONS = ("license_number", "ori", "start", "end")
KEEP = "(an import never changes what is on file)"


def apply(
    world: dict[str, Any], kind: str, content: bytes, actor: str = "erin", **scope: Any
) -> ImportReport:
    return import_apply(
        kind=kind, table=table_from_upload(content, f"{kind}.csv"), actor=world[actor], **scope
    )


def errors(report: ImportReport) -> list[str]:
    return [str(e) for e in report.errors]


# --- agencies ----------------------------------------------------------------------------------

NEW_AGENCIES = csv_file(
    AGENCIES,
    ("MO1010000", "Cedar Falls Police Department", "police", "yes"),
    ("mo1020000", "Osage County Sheriff's Office", "Sheriff's office", ""),
    ("MO1030000", "Lakeside University Police", "university", "false"),
)


def test_an_agencies_file_adds_each_agency(world: dict[str, Any]) -> None:
    report = apply(world, "agencies", NEW_AGENCIES)
    assert (report.applied, errors(report), len(report.to_add)) == (True, [], 3)
    assert sorted(
        Agency.objects.filter(ori__startswith="MO10").values_list("ori", "agency_type", "active")
    ) == [
        ("MO1010000", "police", True),
        ("MO1020000", "sheriff", True),
        ("MO1030000", "university", False),
    ]


def test_every_agency_added_has_an_audit_row_naming_who_imported_it(world: dict[str, Any]) -> None:
    apply(world, "agencies", NEW_AGENCIES)
    events = audit_rows_after_setup().filter(object_type="agencies.agency", action="agency.create")
    added = Agency.objects.filter(ori__startswith="MO10").values_list("pk", flat=True)
    assert sorted(int(e.object_id) for e in events) == sorted(added)
    assert {e.actor for e in events} == {world["erin"]}
    assert AuditEvent.objects.get(action="imports.agencies_apply").actor == world["erin"]


def test_sending_the_same_agencies_file_twice_adds_nothing(world: dict[str, Any]) -> None:
    apply(world, "agencies", NEW_AGENCIES)
    again = apply(world, "agencies", NEW_AGENCIES)
    assert (again.applied, len(again.to_add), len(again.already_present)) == (True, 0, 3)
    assert Agency.objects.count() == 5


def test_an_agency_on_file_with_other_details_is_a_row_error_not_an_overwrite(world: dict[str, Any]) -> None:
    content = csv_file(
        AGENCIES,
        ("MO0950000", "Riverton PD", "", ""),
        ("MO0960000", "Hollis County Sheriff's Office", "police", "no"),
        ("MO1010000", "Cedar Falls Police Department", "", ""),
    )
    report = apply(world, "agencies", content)
    assert errors(report) == [
        f"row 2, name: MO0950000 is on file with 'Riverton Police Department', not 'Riverton PD' {KEEP}",
        f"row 3, type: MO0960000 is on file with 'sheriff', not 'police' {KEEP}",
        f"row 3, active: MO0960000 is on file with True, not False {KEEP}",
    ]
    assert not Agency.objects.filter(ori="MO1010000").exists()
    assert Agency.objects.get(ori="MO0950000").name == "Riverton Police Department"


def test_it_rejects_bad_agency_rows(world: dict[str, Any]) -> None:
    content = csv_file(
        AGENCIES,
        ("MO10", "Short ORI", "", ""),
        ("MO1010000", "", "precinct", "maybe"),
        ("MO1020000", "Twin", "", ""),
        ("MO1020000", "Twin", "", ""),
    )
    assert errors(apply(world, "agencies", content)) == [
        "row 2, ori: 'MO10' is not an ORI (2 letters, then 7 letters or digits)",
        "row 3, name: a value is required",
        "row 3, type: 'precinct' is not one of: police, sheriff, state, university, other",
        "row 3, active: 'maybe' is not yes or no (write true or false)",
        "row 5, ori: MO1020000 is on row 4 too",
    ]
    assert Agency.objects.count() == 2


def test_only_post_staff_import_agencies(world: dict[str, Any]) -> None:
    with pytest.raises(ServiceError, match="only POST staff"):
        apply(world, "agencies", NEW_AGENCIES, actor="bob")


# --- officers ----------------------------------------------------------------------------------

NEW_OFFICERS = csv_file(
    OFFICERS,
    ("p2000001", "Dana", "Diaz", "1991-02-03", "dana@example.test", "2019-07-01", "2019-06-01"),
    ("P2000002", "Eli", "Evans", "06/30/1985", "", "2010-01-15", ""),
)


def test_an_officers_file_adds_each_officer_with_the_first_line_of_the_license_history(
    world: dict[str, Any],
) -> None:
    report = apply(world, "officers", NEW_OFFICERS)
    assert (report.applied, errors(report)) == (True, [])
    dana = Officer.objects.get(license_number="P2000001")
    assert (dana.full_name, dana.date_of_birth, dana.email, dana.license_status) == (
        "Dana Diaz",
        dt.date(1991, 2, 3),
        "dana@example.test",
        "active",
    )
    assert (dana.licensed_on, dana.basic_training_completed_on) == (dt.date(2019, 7, 1), dt.date(2019, 6, 1))
    history = LicenseStatusChange.objects.get(officer=dana)
    assert (history.to_status, history.effective_on, history.changed_by) == (
        "active",
        dt.date(2019, 7, 1),
        world["erin"],
    )
    events = audit_rows_after_setup().filter(object_type="officers.officer", action="officer.create")
    assert {(int(e.object_id), e.actor) for e in events} == {
        (officer.pk, world["erin"]) for officer in Officer.objects.filter(license_number__startswith="P2")
    }


def test_an_officers_file_from_a_spreadsheet_reads_date_cells(world: dict[str, Any]) -> None:
    content = xlsx_file(
        OFFICERS, ("P2000003", "Flo", "Fox", dt.date(1992, 1, 1), None, dt.date(2020, 2, 2), None)
    )
    report = apply(world, "officers", content)
    assert (report.applied, Officer.objects.get(license_number="P2000003").licensed_on) == (
        True,
        dt.date(2020, 2, 2),
    )


def test_sending_the_same_officers_file_twice_adds_nothing(world: dict[str, Any]) -> None:
    apply(world, "officers", NEW_OFFICERS)
    again = apply(world, "officers", NEW_OFFICERS)
    assert (len(again.to_add), len(again.already_present)) == (0, 2)
    assert Officer.objects.count() == 3
    assert LicenseStatusChange.objects.exclude(officer=world["officer"]).count() == 2


def test_an_officer_on_file_with_other_details_is_a_row_error(world: dict[str, Any]) -> None:
    content = csv_file(
        OFFICERS,
        ("P1000001", "ALICE", "Avery-Smith", "1988-04-02", "", "2012-08-01", ""),
        ("P2000009", "Gus", "Green", "1980-01-01", "", "2005-01-01", ""),
    )
    report = apply(world, "officers", content)
    assert errors(report) == [f"row 2, last_name: P1000001 is on file with 'Avery', not 'Avery-Smith' {KEEP}"]
    assert not Officer.objects.filter(license_number="P2000009").exists()


def test_it_rejects_bad_officer_rows(world: dict[str, Any]) -> None:
    content = csv_file(
        OFFICERS,
        ("P 2000001", "Dana", "Diaz", "1991-02-03", "not-an-email", "2019-07-01", ""),
        ("P2000002", "", "Evans", "1985-06-30", "", "1980-01-15", "1985-06-30"),
        ("P2000003", "Flo", "Fox", "1992-01-01", "", "2099-01-01", ""),
        ("P2000003", "Flo", "Fox", "1992-01-01", "", "2020-01-01", ""),
        ("P2000003", "Flo", "Fox", "1992-01-01", "", "2020-01-01", ""),
    )
    assert errors(apply(world, "officers", content)) == [
        "row 2, license_number: 'P 2000001' is not a license number (letters, digits and hyphens)",
        "row 2, email: 'not-an-email' is not an email address",
        "row 3, first_name: a value is required",
        "row 3, licensed_on: 1980-01-15 is not after the date of birth",
        "row 3, basic_training_completed_on: 1985-06-30 is not after the date of birth",
        "row 4, licensed_on: 2099-01-01 is in the future",
        "row 6, license_number: P2000003 is on row 5 too",
    ]
    assert Officer.objects.count() == 1


# --- commissions -------------------------------------------------------------------------------


def test_a_commissions_file_adds_each_commission(world: dict[str, Any], bert: Officer) -> None:
    content = csv_file(
        COMMISSIONS,
        ("P1000002", "MO0950000", "2020-01-01", ""),
        ("P1000001", "MO0960000", "2010-01-01", "2014-12-31"),
    )
    report = apply(world, "commissions", content)
    assert (report.applied, errors(report)) == (True, [])
    assert sorted(
        Commission.objects.values_list("officer__license_number", "agency__ori", "start", "end")
    ) == [
        ("P1000001", "MO0950000", dt.date(2015, 1, 1), None),
        ("P1000001", "MO0960000", dt.date(2010, 1, 1), dt.date(2014, 12, 31)),
        ("P1000002", "MO0950000", dt.date(2020, 1, 1), None),
        ("P1000002", "MO0960000", dt.date(2016, 5, 1), None),
    ]
    events = audit_rows_after_setup().filter(object_type="officers.commission", action="commission.start")
    assert (events.count(), {e.actor for e in events}) == (2, {world["erin"]})


def test_sending_the_same_commissions_file_twice_adds_nothing(world: dict[str, Any]) -> None:
    content = csv_file(
        COMMISSIONS,
        ("P1000001", "MO0950000", "2015-01-01", ""),
        ("P1000001", "MO0960000", "2010-01-01", "2014-12-31"),
    )
    first, second = apply(world, "commissions", content), apply(world, "commissions", content)
    assert (len(first.to_add), len(first.already_present)) == (1, 1)
    assert (len(second.to_add), len(second.already_present)) == (0, 2)


def test_it_rejects_bad_commission_rows(world: dict[str, Any], bert: Officer) -> None:
    license_status_change(
        officer=bert,
        to_status="inactive",
        reason="training not shown",
        effective_on=dt.date(2024, 4, 1),
        acting_user=world["frank"],
    )
    content = csv_file(
        COMMISSIONS,
        ("P1000001", "MO0950000", "2015-01-01", "2022-12-31"),  # on file as open
        ("P1000001", "MO0950000", "2016-01-01", ""),  # overlaps the open one on file
        ("P9999999", "MO0999999", "2016-01-01", ""),
        ("P1000001", "MO0960000", "2020-01-01", "2019-01-01"),
        ("P1000002", "MO0950000", "2024-06-01", ""),  # inactive license
        ("P1000001", "MO0960000", "2001-01-01", "2003-01-01"),
        ("P1000001", "MO0960000", "2002-01-01", "2002-06-01"),  # overlaps the row above
    )
    assert errors(apply(world, "commissions", content)) == [
        f"row 2, end: the commission from 2015-01-01 is on file with (none), not 2022-12-31 {KEEP}",
        "row 3, start: overlaps P1000001's commission at MO0950000 from 2015-01-01 to (open) (on file)",
        "row 4, license_number: no officer has license number P9999999",
        "row 4, ori: no agency has ORI MO0999999",
        "row 5, end: 2019-01-01 is before the start, 2020-01-01",
        "row 6, license_number: P1000002's license is inactive: it cannot hold an open commission",
        "row 8, start: overlaps P1000001's commission at MO0960000 from 2001-01-01 to 2003-01-01 (row 7)",
    ]
    assert Commission.objects.count() == 2


def test_an_agency_administrator_imports_its_own_commissions_without_the_ori_column(
    world: dict[str, Any], bert: Officer
) -> None:
    content = csv_file(("license_number", "date_of_birth", "start"), ("P1000002", "1990-06-15", "2021-03-01"))
    report = apply(world, "commissions", content, actor="bob")
    assert (report.applied, errors(report)) == (True, [])
    assert Commission.objects.filter(officer=bert, agency=world["agency_a"]).exists()
    assert ImportBatch.objects.get().agency == world["agency_a"]


def test_an_agency_administrator_cannot_commission_into_another_agency(
    world: dict[str, Any], bert: Officer
) -> None:
    content = csv_file(
        (*COMMISSIONS, "date_of_birth"), ("P1000002", "MO0960000", "2021-03-01", "", "1990-06-15")
    )
    report = apply(world, "commissions", content, actor="bob")
    assert errors(report) == ["row 2, ori: this file holds MO0950000's commissions only"]
    with pytest.raises(ServiceError):
        apply(world, "commissions", content, actor="bob", agency=world["agency_b"])


def test_an_agency_administrators_commission_file_proves_employment_with_each_date_of_birth(
    world: dict[str, Any], bert: Officer
) -> None:
    without = apply(
        world, "commissions", csv_file(("license_number", "start"), ("P1000002", "2021-03-01")), actor="bob"
    )
    assert errors(without) == ["row 1, date_of_birth: required column is missing"]
    wrong = csv_file(("license_number", "date_of_birth", "start"), ("P1000002", "1990-06-16", "2021-03-01"))
    assert errors(apply(world, "commissions", wrong, actor="bob")) == [
        "row 2, date_of_birth: the date of birth is not the one on file for license P1000002"
    ]
    assert not Commission.objects.filter(officer=bert, agency=world["agency_a"]).exists()


def test_officers_and_providers_may_not_import_onboarding_files(world: dict[str, Any]) -> None:
    for actor, kind in (("alice", "officers"), ("dave", "commissions"), ("carol", "agencies")):
        with pytest.raises(ServiceError):
            import_preview(kind=kind, table=table_from_upload(NEW_OFFICERS, "f.csv"), actor=world[actor])
