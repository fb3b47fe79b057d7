"""The daily license-expiry job: a license expires when its holder has not been commissioned
for five consecutive years (DESIGN §2, 11 CSR 75-15)."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import pytest
import time_machine
from django.apps import apps as django_apps
from django.utils.module_loading import import_string

from clee.core.models import AuditEvent
from clee.notices.services import LICENSE_EXPIRY_REASON, licenses_expire
from clee.notices.tasks import expire_licenses
from clee.officers.models import LicenseStatus, LicenseStatusChange, Officer
from tests import factories
from tests.jobs.conftest import CENTRAL, make_schedule

TODAY = dt.date(2023, 10, 1)


def officer_with(number: str, *, licensed_on: dt.date, status: str = LicenseStatus.ACTIVE) -> Officer:
    return factories.officer(
        license_number=number,
        first_name="Test",
        last_name=number,
        date_of_birth=dt.date(1980, 1, 1),
        licensed_on=licensed_on,
        license_status=status,
    )


@pytest.fixture
def officers(world: dict[str, Any]) -> dict[str, Officer]:
    agency = world["agency_a"]
    idle = officer_with("P2000001", licensed_on=dt.date(2010, 5, 1))
    factories.commission(officer=idle, agency=agency, start=dt.date(2011, 1, 1), end=dt.date(2018, 9, 30))
    recent = officer_with("P2000002", licensed_on=dt.date(2010, 5, 1))
    factories.commission(officer=recent, agency=agency, start=dt.date(2011, 1, 1), end=dt.date(2018, 10, 1))
    never = officer_with("P2000003", licensed_on=dt.date(2016, 1, 1), status=LicenseStatus.INACTIVE)
    new = officer_with("P2000004", licensed_on=dt.date(2019, 1, 1))
    revoked = officer_with("P2000005", licensed_on=dt.date(2010, 1, 1), status=LicenseStatus.REVOKED)
    return {
        "idle": idle,
        "recent": recent,
        "never": never,
        "new": new,
        "revoked": revoked,
        "alice": world["officer"],
    }


def status_of(officer: Officer) -> str:
    officer.refresh_from_db()
    return officer.license_status


def test_a_license_expires_after_five_years_without_a_commission(officers: dict[str, Officer]) -> None:
    changes = licenses_expire(today=TODAY)

    assert sorted(change.officer.license_number for change in changes) == ["P2000001", "P2000003"]
    assert status_of(officers["idle"]) == LicenseStatus.EXPIRED
    assert status_of(officers["never"]) == LicenseStatus.EXPIRED  # inactive licenses expire too
    history = LicenseStatusChange.objects.get(officer=officers["idle"], to_status=LicenseStatus.EXPIRED)
    assert history.from_status == LicenseStatus.ACTIVE
    assert history.reason == LICENSE_EXPIRY_REASON
    assert history.effective_on == TODAY
    assert history.changed_by is None
    audit = AuditEvent.objects.get(action="officer.license_status", object_id=str(officers["idle"].pk))
    assert audit.actor_label == "system"
    assert "five consecutive years" in audit.summary


def test_a_commission_within_the_five_years_keeps_the_license(officers: dict[str, Officer]) -> None:
    licenses_expire(today=TODAY)

    assert status_of(officers["recent"]) == LicenseStatus.ACTIVE  # commissioned until 2018-10-01
    assert status_of(officers["alice"]) == LicenseStatus.ACTIVE  # commissioned now
    assert status_of(officers["new"]) == LicenseStatus.ACTIVE  # licensed less than five years ago
    assert status_of(officers["revoked"]) == LicenseStatus.REVOKED
    assert not LicenseStatusChange.objects.filter(
        officer__in=[officers["recent"], officers["alice"], officers["new"], officers["revoked"]],
        to_status=LicenseStatus.EXPIRED,
    ).exists()


def test_running_the_expiry_twice_expires_each_license_once(officers: dict[str, Officer]) -> None:
    assert len(licenses_expire(today=TODAY)) == 2
    assert licenses_expire(today=TODAY) == []

    assert LicenseStatusChange.objects.filter(to_status=LicenseStatus.EXPIRED).count() == 2


def test_the_license_expiry_task_works_from_today_and_reports_its_counts(
    officers: dict[str, Officer],
) -> None:
    with time_machine.travel(dt.datetime(2023, 10, 1, 1, 30, tzinfo=CENTRAL), tick=False):
        first = expire_licenses.call()
        second = expire_licenses.call()

    assert first == {"expired": 2, "license_numbers": ["P2000001", "P2000003"]}
    assert second == {"expired": 0, "license_numbers": []}


def test_the_recent_officer_expires_the_day_five_years_have_passed(officers: dict[str, Officer]) -> None:
    licenses_expire(today=dt.date(2023, 10, 1))
    assert status_of(officers["recent"]) == LicenseStatus.ACTIVE

    licenses_expire(today=dt.date(2023, 10, 2))
    assert status_of(officers["recent"]) == LicenseStatus.EXPIRED


def test_a_schedule_naming_the_tasks_old_place_is_pointed_at_its_new_one(db: None) -> None:
    # The task moved from clee.jobs.tasks to clee.notices.tasks (issue 15); a schedule on file
    # keeps running it, and an operator's change to its time is kept.
    migration = importlib.import_module("clee.jobs.migrations.0004_license_expiry_task_path")
    old = make_schedule("license-expiry", task_path="clee.jobs.tasks.expire_licenses", at_time=dt.time(3, 0))
    other = make_schedule("notices", task_path="clee.notices.tasks.prepare_and_send_notices")

    migration.forwards(django_apps, None)

    old.refresh_from_db()
    other.refresh_from_db()
    assert (old.task_path, old.at_time) == ("clee.notices.tasks.expire_licenses", dt.time(3, 0))
    assert import_string(old.task_path) is expire_licenses
    assert other.task_path == "clee.notices.tasks.prepare_and_send_notices"
