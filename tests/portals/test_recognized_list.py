"""The recognized out-of-state list POST keeps, and out-of-state requests that are never
silently dropped: a source staff add to the list counts from its date; a source not on it
reaches staff marked with the reason, and a person decides (11 CSR 75-15.050; seed 000)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from clee.compliance.models import ComplianceResult, RecognizedSource
from clee.compliance.recompute import compliance_recompute
from clee.compliance.services import ensure_period
from clee.core.audit import events_for
from clee.training.models import CreditRequest, TrainingRecord
from tests.portals.test_oversight_statewide import client_of
from tests.portals.test_staff_requests import decide, lines_post, submit

pytestmark = pytest.mark.django_db

LIST = "/state/packs/recognized/"
FIREARMS_LINE = {"core_area": "skill_development", "subject": "firearms", "hours": "8"}


def add_source(client: Any, **values: str) -> Any:
    data = {
        "code": "MN",
        "recognized_from": "2024-01-01",
        "recognized_until": "",
        "reference": "POST memo 24-03",
    }
    return client.post(LIST, {**data, **values})


def result_2025(world: dict[str, Any]) -> ComplianceResult:
    return ComplianceResult.objects.get(officer=world["officer"], period__year=2025)


def test_the_list_shows_the_seed_sources_with_their_dates_and_citation(world: dict[str, Any]) -> None:
    page = client_of("frank").get(LIST).content.decode()
    assert "Minnesota" in page
    assert "IADLEST-approved courses" in page
    assert "Jan 1, 2021 to Dec 31, 2023" in page
    assert "seed 000 (Approved Out-of-State Continuing Education Providers" in page
    assert "No out-of-state source is recognized today" in page
    assert 'name="reference"' not in page  # the Director reads; POST staff keep the list
    assert RecognizedSource.objects.filter(recognized_until=dt.date(2023, 12, 31)).count() == 15


def test_a_2025_request_from_a_state_staff_add_to_the_list_counts(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    period = ensure_period(2025)
    compliance_recompute(period=period, officer_ids=[world["officer"].pk])
    request = submit(world, completed_on=dt.date(2025, 5, 10))
    # Sent in while Minnesota was not on the list for 2025: marked for staff, not refused.
    assert request.recognition_issue.startswith("MN is not on the recognized list for May 10, 2025")
    erin = client_of("erin")
    queue = erin.get("/staff/requests/").content.decode()
    assert "not on the recognized list for that date" in queue

    with django_capture_on_commit_callbacks(execute=True):
        response = add_source(erin)
    run_worker()
    assert response.status_code == 302
    entry = RecognizedSource.objects.get(code="MN", recognized_from=dt.date(2024, 1, 1))
    assert (entry.name, entry.recognized_until, entry.added_by) == ("Minnesota", None, world["erin"])
    event = events_for(entry).get()
    assert (event.action, event.actor) == ("rules.recognized_add", world["erin"])
    assert "until further notice: POST memo 24-03" in event.summary

    review = erin.get(f"/staff/requests/{request.pk}/").content.decode()
    assert ">on the recognized list</span>" in review
    assert "Not on the recognized list for that date" not in review
    with django_capture_on_commit_callbacks(execute=True):
        decided = decide(erin, request, lines_post(FIREARMS_LINE), decision="approve", delivery="live")
    run_worker()
    assert decided.status_code == 302
    record = TrainingRecord.objects.get(credit_request=request)
    assert (record.state, record.recognized_by) == ("MN", "")
    result = result_2025(world)
    firearms = next(r for r in result.requirements if r["key"] == "firearms")
    approved = next(r for r in result.requirements if r["key"] == "approved_provider")
    # Both minimums met by the 8 approved, live firearms hours (the table counts up to each minimum).
    assert (firearms["short"], approved["short"], approved["counted"]) == (0.0, 0.0, 8.0)
    assert result.counted_hours == Decimal(8)


def test_a_state_not_on_the_list_reaches_staff_with_the_reason_and_a_person_decides(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    ensure_period(2025)
    request = submit(world, state="KS", completed_on=dt.date(2025, 5, 10))
    erin = client_of("erin")
    review = erin.get(f"/staff/requests/{request.pk}/").content.decode()
    assert "Not on the recognized list for that date" in review
    assert "KS is not on the recognized list for May 10, 2025" in review
    assert "As the list stands, this course would not count" in review

    refused = decide(erin, request, lines_post(FIREARMS_LINE), decision="approve", delivery="live")
    assert refused.status_code == 200
    refusal = refused.content.decode()
    assert (
        "These 8 hours do not count toward the officer&#x27;s 2025 requirement: KS is not on the" in refusal
    )
    assert "Or give the reason POST recognizes the course though KS is not on the list" in refusal
    request.refresh_from_db()
    assert request.status == CreditRequest.Status.SUBMITTED
    assert not TrainingRecord.objects.exists()

    reason = "Kansas CPOST approved the course; certificate and affirmation checked."
    with django_capture_on_commit_callbacks(execute=True):
        approved = decide(
            erin,
            request,
            lines_post(FIREARMS_LINE),
            decision="approve",
            delivery="live",
            recognition_reason=reason,
        )
    run_worker()
    assert approved.status_code == 302
    record = TrainingRecord.objects.get(credit_request=request)
    assert record.recognized_by == reason
    event = events_for(request).get(action="training.credit_request_decide")
    assert f"recognized by POST's decision: {reason}" in event.summary
    assert event.data["recognition_issue"].startswith("KS is not on the recognized list")
    # The engine counts it: POST's own recognition (the contract's ``recognized_by``).
    firearms = next(r for r in result_2025(world).requirements if r["key"] == "firearms")
    assert (firearms["counted"], firearms["short"]) == (2.0, 0.0)


def test_a_denied_unlisted_course_keeps_the_reason_the_officer_reads(world: dict[str, Any]) -> None:
    ensure_period(2025)
    request = submit(world, state="KS", completed_on=dt.date(2025, 5, 10))
    denied = decide(
        client_of("erin"),
        request,
        lines_post(),
        decision="deny",
        delivery="live",
        reason="Kansas does not recognize this course for continuing education.",
    )
    assert denied.status_code == 302
    page = client_of("alice").get(f"/officer/requests/{request.pk}/").content.decode()
    assert "Kansas does not recognize this course for continuing education." in page


def test_ending_a_recognition_stops_later_courses_counting_and_is_audited(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    erin = client_of("erin")
    add_source(erin)
    entry = RecognizedSource.objects.get(code="MN", recognized_from=dt.date(2024, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        response = erin.post(
            f"/state/packs/recognized/{entry.pk}/end/",
            {"last_day": "2025-06-30", "reason": "Reciprocity agreement lapsed"},
        )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.recognized_until, entry.end_reason, entry.ended_by) == (
        dt.date(2025, 6, 30),
        "Reciprocity agreement lapsed",
        world["erin"],
    )
    assert events_for(entry).filter(action="rules.recognized_end", actor=world["erin"]).exists()
    ensure_period(2025)
    assert not submit(world, completed_on=dt.date(2025, 6, 30)).recognition_issue
    assert submit(world, completed_on=dt.date(2025, 7, 1), title="Later course").recognition_issue


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"code": "M1"}, "Give a two-letter state code (such as MN) or IADLEST"),
        ({"code": "MO"}, "MO is this program&#x27;s own state"),
        ({"reference": " "}, "Citation is required."),
        ({"recognized_from": "2021-06-01"}, "MN is already recognized from 2021-01-01 to 2023-12-31"),
        (
            {"recognized_until": "2023-12-31"},
            "The recognition ends (2023-12-31) before it starts (2024-01-01)",
        ),
    ],
)
def test_a_bad_entry_is_refused_with_the_reason_and_nothing_written(
    world: dict[str, Any], values: dict[str, str], message: str
) -> None:
    before = RecognizedSource.objects.count()
    response = add_source(client_of("erin"), **values)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert RecognizedSource.objects.count() == before


@pytest.mark.parametrize("username", ["alice", "bob", "dave"])
def test_only_post_sees_the_list(world: dict[str, Any], username: str) -> None:
    assert client_of(username).get(LIST).status_code == 404


def test_the_director_reads_the_list_but_does_not_change_it(world: dict[str, Any]) -> None:
    before = RecognizedSource.objects.count()
    assert add_source(client_of("frank")).status_code == 404
    entry = RecognizedSource.objects.first()
    assert entry is not None
    ended = client_of("frank").post(
        f"/state/packs/recognized/{entry.pk}/end/", {"last_day": "2022-01-01", "reason": "x"}
    )
    assert ended.status_code == 404
    assert RecognizedSource.objects.count() == before
    entry.refresh_from_db()
    assert entry.recognized_until == dt.date(2023, 12, 31)
