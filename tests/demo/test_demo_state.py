"""The demo state generator: what it creates, that it is deterministic, and `--once`."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Q, Sum

from clee.accounts.models import User
from clee.agencies.models import Agency
from clee.compliance.models import ComplianceResult, Exemption, Extension, ReportingPeriod
from clee.core.errors import ServiceError
from clee.core.models import AuditEvent
from clee.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, LOADER_USERNAME
from clee.demo.services import DemoSize, DemoSummary, demo_state_load, demo_state_loaded
from clee.officers.models import Commission, Officer
from clee.providers.models import Course, CourseDocument, Offering, Provider, RecognizedCourse
from clee.training.models import CreditRequest, RequestDocument, TrainingRecord
from tests.demo.conftest import SMALL, TODAY

pytestmark = pytest.mark.django_db


def test_it_creates_agencies_of_every_type_with_well_formed_oris(small_state: DemoSummary) -> None:
    agencies = list(Agency.objects.all())
    assert len(agencies) == SMALL.agencies
    assert {a.agency_type for a in agencies} == set(Agency.Type.values)
    assert all(re.fullmatch(r"MO[A-Z0-9]{7}", a.ori) for a in agencies)
    assert len({a.name for a in agencies}) == len(agencies)


def test_it_creates_a_provider_of_every_kind_with_its_approval_window(small_state: DemoSummary) -> None:
    providers = list(Provider.objects.all())
    assert {p.kind for p in providers} == set(Provider.Kind.values)
    in_service = [p for p in providers if p.kind == Provider.Kind.IN_SERVICE]
    assert in_service
    assert all(p.agency_id is not None and p.credit_class == "licensed" for p in in_service)
    out_of_state = [p for p in providers if p.kind == Provider.Kind.OUT_OF_STATE]
    assert all(len(p.state) == 2 and p.approved_until is not None for p in out_of_state)
    assert {p.credit_class for p in providers if p.kind == Provider.Kind.MILITARY} == {"licensed"}
    assert {p.credit_class for p in providers if p.kind == Provider.Kind.COLLEGE} == {"approved"}


def test_officers_are_invented_and_most_are_commissioned_by_one_agency(small_state: DemoSummary) -> None:
    officers = Officer.objects.annotate(open=Count("commissions", filter=Q(commissions__end__isnull=True)))
    assert officers.count() == SMALL.officers
    assert all(o.email.endswith("@example.test") for o in officers)
    assert all(re.fullmatch(r"P\d{7}", o.license_number) for o in officers)
    assert all(o.date_of_birth < o.licensed_on for o in officers)
    by_commissions = Counter(min(o.open, 2) for o in officers)
    assert by_commissions[1] > SMALL.officers * 0.7
    assert by_commissions[2] > 0
    assert by_commissions[0] > 0
    assert Officer.objects.filter(licensed_on__year=2025).exists()
    assert Officer.objects.filter(upgrades__upgraded_on__year=2025).exists()


def test_courses_split_their_hours_over_core_areas_with_topic_hours(small_state: DemoSummary) -> None:
    approved = Course.objects.filter(status=Course.Status.APPROVED).prefetch_related("portions")
    assert approved.count() >= 50
    topics: Counter[str] = Counter()
    for course in approved:
        assert sum(p.hours for p in course.portions.all()) == course.hours
        for portion in course.portions.all():
            assert sum(Decimal(str(h)) for h in portion.topics.values()) <= portion.hours
            topics.update(portion.topics.keys())
    assert set(topics) == {"racial_profiling", "implicit_bias", "de_escalation"}
    assert approved.filter(delivery="computer_based").exists()
    assert approved.filter(delivery="live", portions__subject="firearms").exists()


def test_pending_course_submissions_carry_their_documents(small_state: DemoSummary) -> None:
    pending = Course.objects.filter(status=Course.Status.PENDING)
    assert pending.count() >= 3
    for course in pending:
        kinds = {d.kind for d in CourseDocument.objects.filter(course=course)}
        assert kinds == {"synopsis", "sample_certificate"}
        assert course.submitted_at is not None
        assert course.approved_from is None


def test_the_stored_results_mix_compliant_nearly_deficient_exempt_and_extended(
    small_state: DemoSummary,
) -> None:
    results = ComplianceResult.objects.filter(period__year=2025)
    assert results.count() == SMALL.officers
    statuses = Counter(results.values_list("status", flat=True))
    assert 0.5 < statuses["compliant"] / SMALL.officers < 0.75
    assert statuses["exempt"] > 0
    deficient = results.filter(status="deficient")
    nearly = deficient.filter(additional_hours_needed__lte=4).count()
    assert nearly >= SMALL.officers * 0.08
    assert deficient.count() - nearly >= SMALL.officers * 0.08
    assert results.filter(status="deficient", extended_until__isnull=False).exists()
    assert Exemption.objects.exists()
    assert small_state.statuses == dict(statuses)


def test_some_officers_take_more_computer_based_hours_than_the_cap_counts(small_state: DemoSummary) -> None:
    heavy = (
        TrainingRecord.objects.values("officer")
        .annotate(cbt=Sum("hours", filter=Q(delivery="computer_based")), total=Sum("hours"))
        .filter(cbt__gt=22)
    )
    assert heavy
    for row in heavy:
        result = ComplianceResult.objects.get(officer_id=row["officer"], period__year=2025)
        assert result.counted_hours < row["total"]


def test_pending_credit_requests_of_every_kind_carry_pdf_documents(small_state: DemoSummary) -> None:
    pending = CreditRequest.objects.filter(status=CreditRequest.Status.SUBMITTED)
    assert {r.kind for r in pending} == set(CreditRequest.Kind.values)
    for request in pending.filter(kind="out_of_state"):
        kinds = {d.kind for d in request.documents.all()}
        assert {"certificate", "affirmation", "agenda"} <= kinds
    document = RequestDocument.objects.select_related("document").first()
    assert document is not None
    with document.document.file.open("rb") as stored:
        content = stored.read()
    assert content.startswith(b"%PDF-1.4")
    assert content.rstrip().endswith(b"%%EOF")
    assert document.document.content_type == "application/pdf"


def test_approved_credit_requests_became_records(small_state: DemoSummary) -> None:
    approved = CreditRequest.objects.filter(status=CreditRequest.Status.APPROVED).select_related("record")
    assert approved.exists()
    for request in approved:
        assert request.record is not None
        assert request.record.source == request.kind


def test_records_are_entered_by_the_demo_loader_with_an_audit_row_each(small_state: DemoSummary) -> None:
    loader = User.objects.get(username=LOADER_USERNAME)
    assert not loader.is_active
    assert not loader.has_usable_password()
    courses = TrainingRecord.objects.filter(source="course")
    assert courses.count() > SMALL.officers * 5
    assert set(courses.values_list("entered_by", flat=True)) == {loader.pk}
    assert set(courses.values_list("completed_on__year", flat=True)) == {2025}
    audited = AuditEvent.objects.filter(object_type="training.trainingrecord", action="training.record_add")
    assert audited.count() == TrainingRecord.objects.count()
    assert AuditEvent.objects.filter(object_type="officers.officer", actor=loader).count() >= SMALL.officers
    assert AuditEvent.objects.filter(object_type="agencies.agency", actor=loader).count() == SMALL.agencies


def test_the_demo_officer_is_a_few_hours_short_in_the_demo_agency(small_state: DemoSummary) -> None:
    officer_user = User.objects.select_related("officer").get(username="demo.officer")
    agency_user = User.objects.get(username="demo.agency")
    assert officer_user.officer is not None
    result = ComplianceResult.objects.get(officer=officer_user.officer, period__year=2025)
    assert result.status == "deficient"
    assert 0 < result.additional_hours_needed <= 4
    assert result.still_needed["sentence"].startswith("You need")
    commissions = Commission.objects.filter(officer=officer_user.officer, end=None)
    assert commissions.filter(agency=agency_user.agency).exists()
    accounts = User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])
    roles = set(accounts.values_list("role", flat=True))
    assert roles == set(User.Role.values)
    assert User.objects.get(username="demo.staff").check_password(DEMO_PASSWORD)


def fingerprint() -> tuple[list[Any], ...]:
    return (
        list(Agency.objects.order_by("ori").values_list("ori", "name", "agency_type")),
        list(
            Officer.objects.order_by("license_number").values_list(
                "license_number", "first_name", "last_name", "date_of_birth", "licensed_on"
            )
        ),
        list(
            TrainingRecord.objects.order_by(
                "officer__license_number", "completed_on", "course__number"
            ).values_list("officer__license_number", "course__number", "completed_on", "hours", "source")
        ),
        list(
            ComplianceResult.objects.order_by("officer__license_number").values_list(
                "officer__license_number", "status", "counted_hours", "additional_hours_needed"
            )
        ),
    )


def test_the_same_seed_gives_the_same_state_and_another_seed_another(db: Any) -> None:
    size = DemoSize(officers=60, agencies=6)
    with transaction.atomic():
        demo_state_load(seed=3, size=size, today=TODAY)
        first = fingerprint()
        transaction.set_rollback(True)
    with transaction.atomic():
        demo_state_load(seed=4, size=size, today=TODAY)
        other = fingerprint()
        transaction.set_rollback(True)
    demo_state_load(seed=3, size=size, today=TODAY)
    assert fingerprint() == first
    assert other[1] != first[1]


def test_loading_twice_is_refused(small_state: DemoSummary) -> None:
    with pytest.raises(ServiceError, match="already loaded"):
        demo_state_load(seed=11, size=SMALL, today=TODAY)


def test_the_command_loads_once_then_only_prints_the_accounts(db: Any) -> None:
    first, second = StringIO(), StringIO()
    call_command("demo_state", "--once", "--officers", "40", "--agencies", "5", stdout=first)
    counts = (Officer.objects.count(), TrainingRecord.objects.count(), AuditEvent.objects.count())
    call_command("demo_state", "--once", "--officers", "40", "--agencies", "5", stdout=second)
    assert (Officer.objects.count(), TrainingRecord.objects.count(), AuditEvent.objects.count()) == counts
    assert counts[0] == 40
    assert "Loaded in" in first.getvalue()
    assert "already loaded" in second.getvalue()
    for output in (first.getvalue(), second.getvalue()):
        for account in DEMO_ACCOUNTS:
            line = rf"{re.escape(account.username)}\s+{DEMO_PASSWORD}\s+{account.role_label}"
            assert re.search(line, output)
    loaded = demo_state_loaded()
    assert loaded is not None
    assert loaded.data["officers"] == 40
    assert ReportingPeriod.objects.get(year=loaded.data["year"]).is_current


def test_the_command_without_once_refuses_a_second_load(db: Any) -> None:
    call_command("demo_state", "--officers", "30", "--agencies", "5", stdout=StringIO())
    with pytest.raises(CommandError, match="already loaded"):
        call_command("demo_state", "--officers", "30", "--agencies", "5", stdout=StringIO())


def test_the_command_refuses_a_state_too_small_to_show_every_case(db: Any) -> None:
    with pytest.raises(CommandError, match="at least 20 officers"):
        call_command("demo_state", "--officers", "5", stdout=StringIO())
    assert not Officer.objects.exists()


def test_extensions_granted_have_a_deadline_after_the_grace_deadline(small_state: DemoSummary) -> None:
    granted = Extension.objects.filter(status=Extension.Status.GRANTED).select_related("period")
    assert granted.exists()
    assert all(e.new_deadline and e.new_deadline > e.period.grace_deadline for e in granted)
    assert Extension.objects.filter(status=Extension.Status.REQUESTED).exists()


def test_it_refuses_a_database_that_already_holds_officers(world: dict[str, Any]) -> None:
    with pytest.raises(ServiceError, match="only into an empty database"):
        demo_state_load(seed=1, size=DemoSize(officers=30, agencies=5), today=TODAY)
    out, err = StringIO(), StringIO()
    call_command("demo_state", "--once", stdout=out, stderr=err)
    assert "The demo state is not loaded" in err.getvalue()
    assert Officer.objects.count() == 1
    assert demo_state_loaded() is None


def test_it_refuses_to_load_outside_demo_mode(db: Any, settings: Any) -> None:
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="only in demo mode"):
        call_command("demo_state", "--officers", "30", "--agencies", "5", stdout=StringIO())
    assert not Officer.objects.exists()


def test_every_out_of_state_request_title_is_in_the_recognized_catalog_with_a_full_split(
    small_state: DemoSummary,
) -> None:
    catalog = {entry.title: entry for entry in RecognizedCourse.objects.all()}
    assert small_state.counts["recognized out-of-state courses"] == len(catalog) >= 10
    for entry in catalog.values():
        assert sum(Decimal(part["hours"]) for part in entry.recommended_split) == entry.hours
    titles = CreditRequest.objects.filter(kind="out_of_state").values_list("title", flat=True)
    assert titles
    assert set(titles) <= set(catalog)


def test_approved_courses_are_offered_in_the_months_after_today(small_state: DemoSummary) -> None:
    upcoming = Offering.objects.filter(starts_on__gt=TODAY).select_related("course")
    assert upcoming.count() == small_state.counts["upcoming offerings"] > 10
    for offering in upcoming:
        assert offering.starts_on <= TODAY + dt.timedelta(days=150)
        assert offering.course.approved_on(offering.starts_on)
