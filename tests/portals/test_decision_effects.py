"""Decisions staff can trust: before staff approve a credit request, a course, a make-up move or
an extension, the page shows what the rules engine will do with it; approving credit that will
not count needs a reason and tells the officer plainly why; the make-up preview is what applying
does; a credit that does not count is never shown as a plain "Accepted" or "Approved"."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction

from clee.compliance.makeup import makeup_preview, training_apply_to_period
from clee.compliance.models import ComplianceResult, Extension
from clee.compliance.recompute import compliance_recompute
from clee.compliance.records import training_records_add
from clee.compliance.services import ensure_period
from clee.providers.courses import PortionSpec
from clee.providers.models import Course, CoursePortion
from clee.training.models import CreditRequest, TrainingRecord
from clee.training.services import LineSpec, RecordEntry
from tests.portals.test_oversight_statewide import build_state, client_of, lines, record
from tests.portals.test_staff_requests import catalog_entry, lines_post, submit

pytestmark = pytest.mark.django_db


def stored(officer: Any, year: int) -> ComplianceResult:
    return ComplianceResult.objects.get(officer=officer, period__year=year)


def college_credit(world: dict[str, Any], semester_hours: int = 4) -> None:
    """Alice's college credit already on file for 2023: 2 h per semester hour, 8 h at most count."""
    hours = Decimal(2 * semester_hours)
    training_records_add(
        entries=[
            RecordEntry(
                officer_id=world["officer"].pk,
                completed_on=dt.date(2023, 3, 1),
                hours=hours,
                source="college",
                credit_class="approved",
                delivery="live",
                lines=(LineSpec(core_area="legal_studies", hours=hours),),
                description="Criminal procedure",
                semester_hours=Decimal(semester_hours),
            )
        ],
        actor=world["erin"],
    )
    compliance_recompute(period=world["period"], officer_ids=[world["officer"].pk])


def approve(world: dict[str, Any], request: CreditRequest, reason: str = "", **line: str) -> Any:
    return client_of("erin").post(
        f"/staff/requests/{request.pk}/",
        {
            **lines_post({"core_area": "technical_studies", "hours": "4", **line}),
            "delivery": "live",
            "decision": "approve",
            "reason": reason,
        },
    )


def test_the_request_page_shows_what_approving_does_before_anything_is_decided(world: dict[str, Any]) -> None:
    # 8 hours from Minnesota, recognized on its date; the catalog's split fills the lines in.
    split = [PortionSpec(core_area="legal_studies", hours=Decimal(8))]
    catalog_entry(world, title="Crisis Intervention Team Training", hours=Decimal(8), split=split)
    request = submit(world)
    page = client_of("erin").get(f"/staff/requests/{request.pk}/")
    effect = page.context["effect"]
    assert effect.counts_fully
    assert [(p.year, p.before_text, p.after_text) for p in effect.periods] == [
        (2023, "Deficient, 24 hours short", "Deficient, 16 hours short")
    ]
    html = page.content.decode()
    assert "What approving does" in html
    assert "Counts toward 2023." in html
    # A preview writes nothing: no record, no decision, no result changed.
    assert not TrainingRecord.objects.filter(officer=world["officer"]).exists()
    assert CreditRequest.objects.get(pk=request.pk).status == CreditRequest.Status.SUBMITTED


def test_previewing_other_lines_shows_their_effect_and_records_nothing(world: dict[str, Any]) -> None:
    request = submit(world, hours=Decimal(2))
    response = client_of("erin").post(
        f"/staff/requests/{request.pk}/",
        {
            **lines_post({"core_area": "skill_development", "subject": "firearms", "hours": "2"}),
            "delivery": "computer_based",
            "preview": "1",
        },
    )
    assert response.status_code == 200
    effect = response.context["effect"]
    assert effect.periods[0].after_text == "Deficient, 22 hours short"
    assert not TrainingRecord.objects.exists()
    assert CreditRequest.objects.get(pk=request.pk).status == CreditRequest.Status.SUBMITTED


def test_approving_credit_that_will_not_count_needs_a_reason_and_the_officer_is_told_why(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    college_credit(world)  # 8 hours of college credit: the cap is full
    request = submit(world, kind="college", title="Forensic science", hours=None, semester_hours=Decimal(2))
    page = client_of("erin").post(
        f"/staff/requests/{request.pk}/",
        {**lines_post({"core_area": "technical_studies", "hours": "4"}), "delivery": "live", "preview": "1"},
    )
    assert not page.context["effect"].counts_fully
    assert "no more than 8 hours of college credit count in a reporting period" in page.content.decode()

    refused = approve(world, request)
    assert refused.status_code == 200
    errors = refused.context["form"].errors["reason"]
    assert "These 4 hours do not count toward the officer's 2023 requirement" in errors[0]
    assert "Give the reason for approving it anyway" in errors[0]
    assert CreditRequest.objects.get(pk=request.pk).status == CreditRequest.Status.SUBMITTED
    assert TrainingRecord.objects.filter(officer=world["officer"]).count() == 1  # nothing written

    with django_capture_on_commit_callbacks(execute=True):
        done = approve(world, request, reason="The transcript is genuine; the officer asked for it on file.")
    assert done.status_code == 302
    decided = CreditRequest.objects.get(pk=request.pk)
    assert (decided.status, decided.counts) == ("approved", "none")
    assert decided.effect_note == (
        "These 4 hours do not count toward your 2023 requirement: no more than 8 hours of college "
        "credit count in a reporting period."
    )

    officer = client_of("alice")
    detail = officer.get(f"/officer/requests/{request.pk}/").content.decode()
    assert "but it does not count" in detail
    assert decided.effect_note in detail
    listing = officer.get("/officer/requests/").content.decode()
    assert ">Approved, does not count</span>" in listing
    assert ">Approved</span>" not in listing
    transcript = officer.get("/officer/transcript/").content.decode()
    assert ">Accepted</span>" not in transcript.split("Forensic science")[1].split("</tr>")[0]


def test_what_the_preview_of_an_approval_says_is_what_approving_does(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    request = submit(world)
    client = client_of("erin")
    previewed = client.post(
        f"/staff/requests/{request.pk}/",
        {**lines_post({"core_area": "legal_studies", "hours": "8"}), "delivery": "live", "preview": "1"},
    ).context["effect"]
    with django_capture_on_commit_callbacks(execute=True):
        approve(world, request, core_area="legal_studies", hours="8")
    run_worker()
    after = previewed.period(2023).after
    result = stored(world["officer"], 2023)
    assert (result.status, float(result.additional_hours_needed)) == (
        after.status,
        after.additional_hours_needed,
    )
    assert result.still_needed["sentence"] == after.needs.sentence


@pytest.fixture
def makeup(world: dict[str, Any]) -> dict[str, Any]:
    """Dan is 14 hours short for 2023 (``build_state``); he has three later records: April and
    September 2024 (the 2024 period is on file) and January 2025 (no 2025 period on file)."""
    state = build_state(world)
    ensure_period(2024)
    added = training_records_add(
        entries=[
            record(state["dan"], lines(total=14, firearms=2), dt.date(2024, 4, 10)),
            record(state["dan"], lines(total=24, firearms=2), dt.date(2024, 9, 1)),
            record(state["dan"], lines(total=18, firearms=2), dt.date(2025, 1, 20)),
        ],
        actor=state["erin"],
    )
    state["later"] = list(TrainingRecord.objects.filter(pk__in=added.record_ids).order_by("completed_on"))
    compliance_recompute(period=ensure_period(2024), officer_ids=[state["dan"].pk])
    return state


def test_the_make_up_preview_is_what_applying_does_for_every_choice_of_records(
    makeup: dict[str, Any], django_capture_on_commit_callbacks: Any, settings: Any, run_worker: Any
) -> None:
    settings.CLEE_JURISDICTION = "MO"
    dan, period = makeup["dan"], makeup["period"]
    for size in (1, 2, 3):
        for chosen in itertools.combinations(makeup["later"], size):
            previewed = makeup_preview(dan, period, chosen, acting_user=makeup["erin"], reason="check")
            with transaction.atomic():
                with django_capture_on_commit_callbacks(execute=True):
                    training_apply_to_period(
                        officer=dan,
                        period=period,
                        record_ids=[r.pk for r in chosen],
                        reason="check",
                        acting_user=makeup["erin"],
                    )
                run_worker()
                for change in previewed.periods:
                    if change.after is None:  # 2025: no period on file, no result either way
                        assert not ComplianceResult.objects.filter(officer=dan, period__year=change.year)
                        continue
                    result = stored(dan, change.year)
                    assert (result.status, float(result.additional_hours_needed)) == (
                        change.after.status,
                        change.after.additional_hours_needed,
                    ), (change.year, [r.completed_on for r in chosen])
                transaction.set_rollback(True)
    # The January 2025 record alone (its year has no period on file) makes 2023 compliant in
    # the preview as it does once applied: 18 hours, firearms among them.
    alone = makeup_preview(dan, period, [makeup["later"][2]], acting_user=makeup["erin"], reason="check")
    assert (alone.periods[0].year, alone.periods[0].before_text, alone.periods[0].after_text) == (
        2023,
        "Deficient, 14 hours short",
        "Compliant",
    )


def test_the_make_up_page_previews_the_move_it_applies(makeup: dict[str, Any]) -> None:
    url = f"/staff/makeup/2023/{makeup['dan'].pk}/"
    response = client_of("erin").post(
        url, {"records": [makeup["later"][2].pk], "reason": "Shown in January 2025", "preview": "1"}
    )
    html = response.content.decode()
    assert "What applying does" in html
    assert "Deficient, 14 hours short" in html
    assert "<td>Compliant" in html


def test_the_extensions_page_says_what_granting_a_request_changes(world: dict[str, Any]) -> None:
    Extension.objects.create(
        officer=world["officer"],
        period=world["period"],
        kind=Extension.Kind.EXTENSION,
        reason=Extension.Reason.MEDICAL,
        explanation="Surgery in November",
        requested_by=world["alice"],
    )
    compliance_recompute(period=world["period"], officer_ids=[world["officer"].pk])
    html = client_of("erin").get("/staff/extensions/").content.decode()
    assert "Deficient, 24 hours short, due by the grace deadline, March 15, 2024" in html
    assert "the same hours, due by the new deadline instead" in html


def test_the_course_review_page_says_online_firearms_hours_do_not_count_toward_firearms(
    world: dict[str, Any],
) -> None:
    course = Course.objects.create(
        provider=world["provider"],
        number="SIM-9",
        title="Firearms simulator, online",
        hours=Decimal(2),
        delivery="computer_based",
        status=Course.Status.PENDING,
    )
    CoursePortion.objects.create(
        course=course, core_area="skill_development", subject="firearms", hours=Decimal(2)
    )
    html = client_of("erin").get(f"/staff/courses/{course.pk}/").content.decode()
    assert "What approving does" in html
    assert "not toward Skill Development – Firearms (only live hours count toward it)" in html
    assert "Some of these hours will not count toward the requirement their line is for" in html
    assert "within the 22-hour limit on computer-based hours" in html


def test_the_agency_drill_down_never_shows_a_plain_accepted_for_training_that_does_not_count(
    world: dict[str, Any],
) -> None:
    training_records_add(
        entries=[
            RecordEntry(
                officer_id=world["officer"].pk,
                completed_on=dt.date(2023, 6, 1),
                hours=Decimal(4),
                source="out_of_state",
                credit_class="approved",
                delivery="live",
                lines=(LineSpec(core_area="legal_studies", hours=Decimal(4)),),
                description="Search and seizure (Kansas)",
                state="KS",
            )
        ],
        actor=world["erin"],
    )
    html = client_of("bob").get(f"/agency/officers/{world['officer'].pk}/").content.decode()
    assert ">Accepted, does not count</span>" in html
    assert "KS was not a recognized out-of-state source on June 1, 2023." in html
    assert ">Accepted</span>" not in html


def test_an_out_of_state_course_of_a_year_without_a_period_on_file_is_not_approved_silently(
    world: dict[str, Any],
) -> None:
    # Recognized on its date (Minnesota, 2022), but no 2022 period is on file: no result counts it.
    request = submit(world, completed_on=dt.date(2022, 5, 1))
    refused = approve(world, request)
    assert refused.status_code == 200
    assert "there is no 2022 reporting period on file" in refused.context["form"].errors["reason"][0]
    assert CreditRequest.objects.get(pk=request.pk).status == CreditRequest.Status.SUBMITTED
