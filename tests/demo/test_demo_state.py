"""The demo state generator: what it creates, that it is deterministic, and `--once`.

Most tests read one state loaded on December 4, 2026 (``TODAY``): the 2026 period in progress,
2025 closed, 2023 and 2024 behind. ``test_calendar_days`` loads it on other days.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Count, Max, Min, Q, Sum

from clee.accounts.models import User
from clee.agencies.models import Agency
from clee.compliance.calendar import calendar_advance
from clee.compliance.models import (
    ComplianceResult,
    Exemption,
    Extension,
    LicenseDecision,
    PeriodTransition,
    RecognizedSource,
    ReportingPeriod,
    RuleBookVersion,
)
from clee.compliance.publishing import later_changes, rule_book_publish
from clee.compliance.recognized import recognition_issue
from clee.compliance.selectors import decision_queue
from clee.core.errors import ServiceError
from clee.core.models import AuditEvent
from clee.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD, LOADER_USERNAME
from clee.demo.plans import DEMO_RECOGNITION_REFERENCE, UNLISTED_SOURCE, DemoSummary
from clee.demo.services import demo_state_load
from clee.notices.models import Notice, NoticeRun
from clee.notices.services import notice_calendar, notices_prepare
from clee.officers.models import Commission, Officer
from clee.providers.models import Course, CourseDocument, Offering, Provider, RecognizedCourse
from clee.training.models import CreditRequest, RequestDocument, TrainingRecord
from tests.demo.conftest import SMALL, TODAY, moment, state_on

pytestmark = pytest.mark.django_db

december = state_on(TODAY)
YEAR = TODAY.year


def test_it_creates_agencies_of_every_type_with_well_formed_oris(december: DemoSummary) -> None:
    agencies = list(Agency.objects.all())
    assert len(agencies) == SMALL.agencies
    assert {a.agency_type for a in agencies} == set(Agency.Type.values)
    assert all(re.fullmatch(r"MO[A-Z0-9]{7}", a.ori) for a in agencies)
    assert len({a.name for a in agencies}) == len(agencies)


def test_it_creates_a_provider_of_every_kind_with_its_approval_window(december: DemoSummary) -> None:
    providers = list(Provider.objects.all())
    assert {p.kind for p in providers} == set(Provider.Kind.values)
    in_service = [p for p in providers if p.kind == Provider.Kind.IN_SERVICE]
    assert in_service
    assert all(p.agency_id is not None and p.credit_class == "licensed" for p in in_service)
    out_of_state = [p for p in providers if p.kind == Provider.Kind.OUT_OF_STATE]
    assert all(len(p.state) == 2 and p.approved_until is not None for p in out_of_state)
    assert {p.credit_class for p in providers if p.kind == Provider.Kind.MILITARY} == {"licensed"}
    assert {p.credit_class for p in providers if p.kind == Provider.Kind.COLLEGE} == {"approved"}


def test_officers_are_invented_and_most_are_commissioned_by_one_agency(december: DemoSummary) -> None:
    officers = Officer.objects.annotate(open=Count("commissions", filter=Q(commissions__end__isnull=True)))
    assert officers.count() == SMALL.officers
    assert all(o.email.endswith("@example.test") for o in officers)
    assert all(re.fullmatch(r"P\d{7}", o.license_number) for o in officers)
    assert all(o.date_of_birth < o.licensed_on for o in officers)
    by_commissions = Counter(min(o.open, 2) for o in officers)
    assert by_commissions[1] > SMALL.officers * 0.7
    assert by_commissions[2] > 0
    assert by_commissions[0] > 0
    assert Officer.objects.filter(licensed_on__year=YEAR).exists()
    assert Officer.objects.filter(upgrades__upgraded_on__year=YEAR).exists()


def test_courses_split_their_hours_over_core_areas_with_topic_hours(december: DemoSummary) -> None:
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


def test_pending_course_submissions_carry_their_documents(december: DemoSummary) -> None:
    pending = Course.objects.filter(status=Course.Status.PENDING)
    assert pending.count() >= 3
    for course in pending:
        kinds = {d.kind for d in CourseDocument.objects.filter(course=course)}
        assert kinds == {"synopsis", "sample_certificate"}
        assert course.submitted_at is not None
        assert course.approved_from is None


def test_every_period_shown_has_a_result_for_every_officer(december: DemoSummary) -> None:
    years = list(ReportingPeriod.objects.order_by("year").values_list("year", flat=True))
    assert years == [YEAR - 3, YEAR - 2, YEAR - 1, YEAR]
    assert list(december.periods) == years
    for year in years:
        assert ComplianceResult.objects.filter(period__year=year).count() == SMALL.officers


def test_the_current_period_mixes_on_track_short_exempt_and_extended(december: DemoSummary) -> None:
    results = ComplianceResult.objects.filter(period__year=YEAR)
    statuses = Counter(results.values_list("status", flat=True))
    assert 0.45 < statuses["compliant"] / SMALL.officers < 0.8
    assert statuses["exempt"] > 0
    deficient = results.filter(status="deficient")
    nearly = deficient.filter(additional_hours_needed__lte=4).count()
    assert nearly >= SMALL.officers * 0.05
    assert deficient.count() - nearly >= SMALL.officers * 0.05
    assert results.filter(status="deficient", extended_until__isnull=False).exists()
    assert Exemption.objects.filter(period__year=YEAR).exists()
    assert december.statuses == dict(statuses)


def test_records_are_dated_up_to_today_and_earlier_periods_are_whole(december: DemoSummary) -> None:
    dates = TrainingRecord.objects.aggregate(first=Min("completed_on"), last=Max("completed_on"))
    assert dates["first"] >= dt.date(YEAR - 3, 1, 1)
    assert dates["last"] <= TODAY
    by_month = Counter(
        TrainingRecord.objects.filter(completed_on__year=YEAR - 1).values_list(
            "completed_on__month", flat=True
        )
    )
    assert set(by_month) == set(range(1, 13))
    earlier = ComplianceResult.objects.filter(period__year__lt=YEAR - 1)
    share = earlier.filter(status="compliant").count() / earlier.count()
    assert share > 0.75  # mostly compliant behind


def test_some_officers_take_more_computer_based_hours_than_the_cap_counts(december: DemoSummary) -> None:
    heavy = (
        TrainingRecord.objects.filter(completed_on__year=YEAR - 1, applied_to_year__isnull=True)
        .values("officer")
        .annotate(cbt=Sum("hours", filter=Q(delivery="computer_based")), total=Sum("hours"))
        .filter(cbt__gt=22)
    )
    assert heavy
    for row in heavy:
        result = ComplianceResult.objects.get(officer_id=row["officer"], period__year=YEAR - 1)
        assert result.counted_hours < row["total"]


def test_pending_credit_requests_of_every_kind_carry_pdf_documents(december: DemoSummary) -> None:
    pending = CreditRequest.objects.filter(status=CreditRequest.Status.SUBMITTED)
    assert {r.kind for r in pending} == set(CreditRequest.Kind.values)
    assert all(r.completed_on <= TODAY for r in pending)
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


def test_approved_credit_requests_became_records(december: DemoSummary) -> None:
    approved = CreditRequest.objects.filter(status=CreditRequest.Status.APPROVED).select_related("record")
    assert {r.kind for r in approved} == {"college", "military", "out_of_state"}
    for request in approved:
        assert request.record is not None
        assert request.record.source == request.kind
        assert request.decided_at is not None
        assert request.decided_at <= moment(TODAY)


def test_the_recognized_list_is_renewed_for_recent_years_so_out_of_state_records_count(
    december: DemoSummary,
) -> None:
    staff = User.objects.get(username="demo.staff")
    renewed = RecognizedSource.objects.filter(reference=DEMO_RECOGNITION_REFERENCE)
    assert renewed.count() == december.counts["recognized out-of-state sources added"] >= 5
    assert all(entry.added_by == staff and entry.recognized_until is None for entry in renewed)
    assert all("synthetic" in entry.reference for entry in renewed)
    assert AuditEvent.objects.filter(action="rules.recognized_add", actor=staff).count() == renewed.count()
    records = TrainingRecord.objects.filter(source="out_of_state")
    assert records.exists()
    for record in records:
        assert recognition_issue(record.state, record.completed_on) == ""
        result = ComplianceResult.objects.get(officer=record.officer, period__year=record.completed_on.year)
        # Counted: the officer's approved-provider hours include the out-of-state course.
        approved = next(r for r in result.requirements if r["key"] == "approved_provider")
        assert Decimal(str(approved["counted"])) >= record.hours or approved["counted"] >= 8


def test_a_request_from_a_source_not_on_the_list_reaches_staff_marked(december: DemoSummary) -> None:
    state, _, title = UNLISTED_SOURCE
    request = CreditRequest.objects.get(state=state, status=CreditRequest.Status.SUBMITTED)
    assert request.title == title
    assert request.recognition_issue.startswith(f"{state} is not on the recognized list for ")
    listed = CreditRequest.objects.filter(kind="out_of_state", status=CreditRequest.Status.SUBMITTED).exclude(
        state=state
    )
    assert listed.exists()
    assert not listed.exclude(recognition_issue="").exists()


def test_records_are_entered_by_the_demo_loader_with_an_audit_row_each(december: DemoSummary) -> None:
    loader = User.objects.get(username=LOADER_USERNAME)
    assert not loader.is_active
    assert not loader.has_usable_password()
    courses = TrainingRecord.objects.filter(source="course")
    assert courses.count() > SMALL.officers * 5
    assert set(courses.values_list("entered_by", flat=True)) == {loader.pk}
    assert set(courses.values_list("completed_on__year", flat=True)) == set(range(YEAR - 3, YEAR + 1))
    audited = AuditEvent.objects.filter(object_type="training.trainingrecord", action="training.record_add")
    assert audited.count() == TrainingRecord.objects.count()
    assert AuditEvent.objects.filter(object_type="officers.officer", actor=loader).count() >= SMALL.officers
    assert AuditEvent.objects.filter(object_type="agencies.agency", actor=loader).count() == SMALL.agencies


def test_the_demo_officer_is_a_few_hours_short_now_and_made_up_last_year(december: DemoSummary) -> None:
    officer_user = User.objects.select_related("officer").get(username="demo.officer")
    agency_user = User.objects.get(username="demo.agency")
    officer = officer_user.officer
    assert officer is not None
    result = ComplianceResult.objects.get(officer=officer, period__year=YEAR)
    assert result.status == "deficient"
    assert 0 < result.additional_hours_needed <= 6
    assert result.still_needed["sentence"].startswith("You need")
    # Short for last year, made up in its grace window: staff applied it, now compliant.
    last_year = ComplianceResult.objects.get(officer=officer, period__year=YEAR - 1)
    assert last_year.status == "compliant"
    applied = TrainingRecord.objects.filter(officer=officer, applied_to_year=YEAR - 1)
    assert applied.exists()
    assert all(dt.date(YEAR, 1, 1) <= r.completed_on <= dt.date(YEAR, 3, 15) for r in applied)
    commissions = Commission.objects.filter(officer=officer, end=None)
    assert commissions.filter(agency=agency_user.agency).exists()
    accounts = User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS])
    roles = set(accounts.values_list("role", flat=True))
    assert roles == set(User.Role.values)
    assert User.objects.get(username="demo.staff").check_password(DEMO_PASSWORD)


def test_the_closed_previous_period_has_a_director_queue_and_decisions(december: DemoSummary) -> None:
    previous = ReportingPeriod.objects.get(year=YEAR - 1)
    assert previous.phase_on(TODAY) == ReportingPeriod.Phase.CLOSED
    assert decision_queue(previous, TODAY).exists()
    decisions = LicenseDecision.objects.filter(period=previous)
    assert decisions.exists()
    assert all(previous.grace_deadline < d.decided_at.date() < TODAY for d in decisions)
    # The earlier periods are decided: nothing left in their queues.
    for period in ReportingPeriod.objects.filter(year__lt=YEAR - 1):
        assert not decision_queue(period, TODAY).exists()
    assert LicenseDecision.objects.filter(period__year__lt=YEAR - 1).exists()
    inactivated = LicenseDecision.objects.filter(decision="inactivate").select_related(
        "officer", "status_change"
    )
    for decision in inactivated:
        assert decision.officer.license_status == "inactive"
        assert decision.status_change is not None
        assert not Commission.objects.filter(officer=decision.officer, end=None).exists()


def test_make_up_training_after_the_period_is_applied_or_waits_for_staff(december: DemoSummary) -> None:
    previous = ReportingPeriod.objects.get(year=YEAR - 1)
    applied = TrainingRecord.objects.filter(applied_to_year=YEAR - 1)
    assert applied.exists()
    assert all(previous.ends < r.completed_on <= previous.grace_deadline for r in applied)
    audited = AuditEvent.objects.filter(action="training.apply_to_period", actor__username="demo.staff")
    assert audited.count() == TrainingRecord.objects.filter(applied_to_year__isnull=False).count()
    # Training after the grace deadline, not applied: the staff's make-up queue.
    later = TrainingRecord.objects.filter(
        completed_on__gt=previous.grace_deadline,
        applied_to_year__isnull=True,
        officer__compliance_results__period=previous,
        officer__compliance_results__status="deficient",
    )
    assert later.exists()


def test_no_stale_notice_burst_and_the_calendar_finds_nothing_to_do(december: DemoSummary) -> None:
    assert not Notice.objects.filter(status=Notice.Status.QUEUED).exists()
    for period in ReportingPeriod.objects.all():
        past = {step for step, day in notice_calendar(period).items() if day < TODAY}
        assert set(NoticeRun.objects.filter(period=period).values_list("step", flat=True)) == past
    sent = Notice.objects.filter(status=Notice.Status.SENT).select_related("period")
    assert sent.filter(period__year=YEAR, step="reminder_nov").exists()
    for notice in sent.filter(period__year=YEAR):
        assert notice.sent_at is not None
        assert notice.sent_at.date() == notice_calendar(notice.period)[notice.step]
    assert notices_prepare(today=TODAY) == []
    run = calendar_advance(today=TODAY)
    assert (run.opened, run.transitions) == ([], [])
    phases = dict(PeriodTransition.objects.filter(phase="closed").values_list("period__year", "began_on"))
    assert phases == {year: dt.date(year + 1, 3, 16) for year in range(YEAR - 3, YEAR)}


def test_the_december_reminder_still_goes_out_on_its_day(december: DemoSummary) -> None:
    day = notice_calendar(ReportingPeriod.objects.get(year=YEAR))["reminder_dec"]
    with time_machine.travel(moment(day), tick=False):
        runs = notices_prepare(today=day)
    assert [(run.period.year, run.step, run.skipped) for run in runs] == [(YEAR, "reminder_dec", False)]
    assert runs[0].officer_notices > 0
    assert (
        Notice.objects.filter(status=Notice.Status.QUEUED, step="reminder_dec").count()
        >= runs[0].officer_notices
    )


def test_a_rule_book_draft_submitted_by_staff_awaits_the_director(december: DemoSummary) -> None:
    draft = RuleBookVersion.objects.get(status=RuleBookVersion.Status.SUBMITTED)
    assert draft.prepared_by is not None
    assert draft.prepared_by.username == "demo.staff"
    assert draft.effective_from == dt.date(YEAR + 1, 1, 1)
    assert "synthetic" in draft.reason
    assert not re.search(r"^version:", draft.text, re.MULTILINE)
    assert later_changes(draft, today=TODAY) == f"{YEAR + 1} on"
    director = User.objects.get(username="demo.director")
    with time_machine.travel(moment(TODAY), tick=False):
        published = rule_book_publish(draft=draft, acting_user=director, today=TODAY)
    assert published.number == 2
    assert published.effective_from == dt.date(YEAR + 1, 1, 1)


def test_loading_twice_is_refused(december: DemoSummary) -> None:
    with pytest.raises(ServiceError, match="already loaded"):
        demo_state_load(seed=11, size=SMALL, today=TODAY)


def test_extensions_granted_have_a_deadline_after_the_grace_deadline(december: DemoSummary) -> None:
    granted = Extension.objects.filter(status=Extension.Status.GRANTED).select_related("period")
    assert granted.exists()
    assert all(e.new_deadline and e.new_deadline > e.period.grace_deadline for e in granted)
    assert Extension.objects.filter(status=Extension.Status.REQUESTED, period__year=YEAR).exists()


def test_every_listed_out_of_state_request_title_is_in_the_recognized_catalog_with_a_full_split(
    december: DemoSummary,
) -> None:
    catalog = {entry.title: entry for entry in RecognizedCourse.objects.all()}
    assert december.counts["recognized out-of-state courses"] == len(catalog) >= 10
    for entry in catalog.values():
        assert sum(Decimal(part["hours"]) for part in entry.recommended_split) == entry.hours
    titles = CreditRequest.objects.filter(kind="out_of_state", recognition_issue="").values_list(
        "title", flat=True
    )
    assert titles
    assert set(titles) <= set(catalog)


def test_approved_courses_are_offered_in_the_months_after_today(december: DemoSummary) -> None:
    upcoming = Offering.objects.filter(starts_on__gt=TODAY).select_related("course")
    assert upcoming.count() == december.counts["upcoming offerings"] > 10
    for offering in upcoming:
        assert offering.starts_on <= TODAY + dt.timedelta(days=150)
        assert offering.course.approved_on(offering.starts_on)
