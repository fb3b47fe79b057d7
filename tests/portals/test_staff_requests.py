"""POST staff review officers' credit requests: the queue oldest first, the documents shown in
place, the lines pre-filled from the catalog (scaled) or from the college rate, approval that
records the training and recomputes the officer, denial with a reason, no second decision."""

from __future__ import annotations

import datetime as dt
import struct
import zlib
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from clee.compliance.models import ComplianceResult
from clee.compliance.recompute import compliance_recompute
from clee.core.audit import events_for
from clee.core.documents import document_store
from clee.demo.pdf import tiny_pdf
from clee.portals.staff.selectors import scaled_split
from clee.providers.catalog import recognized_course_save
from clee.providers.courses import PortionSpec
from clee.providers.models import RecognizedCourse
from clee.training.models import CreditLine, CreditRequest, TrainingRecord
from clee.workflows.credit_requests import REQUIRED_DOCUMENTS, credit_request_submit
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def png(width: int = 360, height: int = 240) -> bytes:
    """A valid grayscale PNG that looks like a certificate: a frame and a few lines of "text"."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    def shade(x: int, y: int) -> int:
        if min(x, y, width - 1 - x, height - 1 - y) < 6:
            return 60
        if y % 30 in range(20, 26) and 40 <= x <= width - 40 and 50 <= y <= height - 40:
            return 120
        return 250

    rows = b"".join(b"\x00" + bytes(shade(x, y) for x in range(width)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def staff(world: dict[str, Any]) -> Client:
    client = Client()
    assert client.login(username=world["erin"].username, password=PASSWORD)
    return client


def submit(
    world: dict[str, Any],
    *,
    kind: str = "out_of_state",
    title: str = "Crisis Intervention Team Training",
    hours: Decimal | None = Decimal(8),
    semester_hours: Decimal | None = None,
    state: str = "MN",
    completed_on: dt.date = dt.date(2023, 5, 1),
) -> CreditRequest:
    """A credit request of alice with the documents its kind needs (the certificate an image)."""
    needed = REQUIRED_DOCUMENTS[kind]
    documents = [
        (
            kind_of_document,
            document_store(
                content=png() if kind_of_document == "certificate" else tiny_pdf(kind_of_document),
                original_name=f"{kind_of_document}.{'png' if kind_of_document == 'certificate' else 'pdf'}",
                actor=world["alice"],
            ),
        )
        for kind_of_document in needed
    ]
    return credit_request_submit(
        officer=world["officer"],
        kind=kind,
        title=title,
        completed_on=completed_on,
        hours=hours,
        semester_hours=semester_hours,
        state=state if kind == "out_of_state" else "",
        provider_name="North Star Regional Academy",
        documents=documents,
        acting_user=world["alice"],
    )


def catalog_entry(
    world: dict[str, Any], *, title: str, source: str = "MN", hours: Decimal, split: list[PortionSpec]
) -> RecognizedCourse:
    return recognized_course_save(
        entry=RecognizedCourse(
            source=source,
            provider_name="North Star Regional Academy",
            title=title,
            hours=hours,
            recognized_from=dt.date(2021, 1, 1),
            recognized_until=dt.date(2023, 12, 31),
        ),
        split=split,
        acting_user=world["erin"],
    )


def management(prefix: str, total: int, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "30",
    }


def lines_post(*lines: dict[str, str], spare: int = 1, prefix: str = "lines") -> dict[str, str]:
    """The lines part of a decision form: the given lines, then empty spare rows."""
    data = management(prefix, len(lines) + spare)
    for number, line in enumerate(lines):
        for name, value in line.items():
            data[f"{prefix}-{number}-{name}"] = value
    return data


def prefilled(response: Any, prefix: str = "lines") -> list[dict[str, Any]]:
    """The initial values of the non-empty lines of a rendered decision form."""
    formset = response.context[prefix]
    return [
        {key: value for key, value in form.initial.items() if value not in ("", None)}
        for form in formset.forms
        if form.initial
    ]


# The queue ---------------------------------------------------------------------------------


def test_the_queue_lists_waiting_requests_oldest_first_with_their_age(world: dict[str, Any]) -> None:
    newer = submit(world, title="Newer course")
    older = submit(world, title="Older course")
    CreditRequest.objects.filter(pk=older.pk).update(created_at=timezone.now() - dt.timedelta(days=12))
    decided = submit(world, title="Already decided")
    CreditRequest.objects.filter(pk=decided.pk).update(status=CreditRequest.Status.DENIED)

    response = staff(world).get("/staff/requests/")

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row.item.title for row in rows] == ["Older course", "Newer course"]
    assert [row.age_days for row in rows] == [12, 0]
    assert rows[0].item.document_count == 3
    page = response.content.decode()
    assert "12 days" in page
    assert f"/staff/requests/{newer.pk}/" in page
    assert "Already decided" not in page


def test_the_queue_filters_by_kind_and_shows_decided_requests_on_asking(world: dict[str, Any]) -> None:
    submit(world, title="Out-of-state course")
    submit(world, kind="college", title="Criminology 210", hours=None, semester_hours=Decimal(3))
    denied = submit(world, title="Denied course")
    CreditRequest.objects.filter(pk=denied.pk).update(status=CreditRequest.Status.DENIED)
    client = staff(world)

    college = client.get("/staff/requests/", {"kind": "college"})
    assert [row.item.title for row in college.context["rows"]] == ["Criminology 210"]
    assert "3 semester h" in college.content.decode()

    decided = client.get("/staff/requests/", {"status": "denied"})
    assert [row.item.title for row in decided.context["rows"]] == ["Denied course"]

    nonsense = client.get("/staff/requests/", {"kind": "astrology"})
    assert nonsense.status_code == 200
    assert len(nonsense.context["rows"]) == 2


# The review page ---------------------------------------------------------------------------------


def test_the_review_page_shows_every_document_inline_with_a_download_link(world: dict[str, Any]) -> None:
    request = submit(world)
    links = {link.kind: link.document.pk for link in request.documents.select_related("document")}

    response = staff(world).get(f"/staff/requests/{request.pk}/")

    page = response.content.decode()
    assert response.status_code == 200
    agenda = links["agenda"]
    assert f'<iframe class="site-staff-document__frame" src="/documents/{agenda}/?inline=1#' in page
    assert (
        f'<img class="site-staff-document__image" src="/documents/{links["certificate"]}/?inline=1"' in page
    )
    for document_id in links.values():
        assert f'href="/documents/{document_id}/"' in page
    assert "Certificate of completion" in page
    assert ">on the recognized list</span>" in page  # MN is recognized on May 1, 2023 (seed 000)


def test_a_document_shown_in_place_may_be_framed_by_the_same_site_only(world: dict[str, Any]) -> None:
    request = submit(world)
    agenda = request.documents.get(kind="agenda").document
    client = staff(world)

    framed = client.get(f"/documents/{agenda.pk}/?inline=1")
    assert framed.status_code == 200
    assert framed["X-Frame-Options"] == "SAMEORIGIN"
    assert framed["Content-Disposition"].startswith("inline")
    assert b"".join(framed.streaming_content) == agenda.file.open("rb").read()  # type: ignore[attr-defined]
    assert client.get("/documents/999999/?inline=1").status_code == 404


def test_the_lines_start_from_the_catalog_entry_whose_title_matches_scaled_to_the_hours(
    world: dict[str, Any],
) -> None:
    catalog_entry(
        world,
        title="Crisis Intervention Team Training",
        hours=Decimal(16),
        split=[
            PortionSpec(
                core_area="interpersonal_perspectives",
                hours=Decimal(12),
                topics={"de_escalation": Decimal(4)},
            ),
            PortionSpec(core_area="legal_studies", hours=Decimal(4)),
        ],
    )
    # Same title in another state, and an unrelated title of the same state: neither matches.
    catalog_entry(
        world,
        title="Crisis Intervention Team Training",
        source="TX",
        hours=Decimal(2),
        split=[PortionSpec(core_area="technical_studies", hours=Decimal(2))],
    )
    catalog_entry(
        world,
        title="Boat Patrol",
        hours=Decimal(2),
        split=[PortionSpec(core_area="technical_studies", hours=Decimal(2))],
    )
    request = submit(world, title="crisis intervention team training", hours=Decimal(8))

    response = staff(world).get(f"/staff/requests/{request.pk}/")

    assert [entry.source for entry in response.context["matches"]] == ["MN"]
    assert prefilled(response) == [
        {"core_area": "interpersonal_perspectives", "hours": Decimal(6), "de_escalation_hours": Decimal(2)},
        {"core_area": "legal_studies", "hours": Decimal(2)},
    ]
    assert "scaled from 16 to 8 hours" in response.content.decode()


def test_the_reviewer_chooses_among_several_matching_entries_or_none(world: dict[str, Any]) -> None:
    catalog_entry(
        world,
        title="Crisis Intervention",
        hours=Decimal(8),
        split=[PortionSpec(core_area="interpersonal_perspectives", hours=Decimal(8))],
    )
    advanced = catalog_entry(
        world,
        title="Crisis Intervention Advanced",
        hours=Decimal(8),
        split=[PortionSpec(core_area="skill_development", hours=Decimal(8))],
    )
    request = submit(world, title="Crisis Intervention", hours=Decimal(8))
    client = staff(world)

    exact = client.get(f"/staff/requests/{request.pk}/")
    assert len(exact.context["matches"]) == 2
    assert prefilled(exact)[0]["core_area"] == "interpersonal_perspectives"  # the exact title first

    chosen = client.get(f"/staff/requests/{request.pk}/", {"entry": advanced.pk})
    assert prefilled(chosen)[0]["core_area"] == "skill_development"

    by_hand = client.get(f"/staff/requests/{request.pk}/", {"entry": "none"})
    assert prefilled(by_hand) == [{"hours": Decimal(8)}]


def test_an_entry_not_recognized_on_the_completion_date_is_not_offered(world: dict[str, Any]) -> None:
    entry = catalog_entry(
        world,
        title="Crisis Intervention",
        hours=Decimal(8),
        split=[PortionSpec(core_area="interpersonal_perspectives", hours=Decimal(8))],
    )
    RecognizedCourse.objects.filter(pk=entry.pk).update(recognized_until=dt.date(2022, 12, 31))
    request = submit(world, title="Crisis Intervention", hours=Decimal(8))

    response = staff(world).get(f"/staff/requests/{request.pk}/")

    assert response.context["matches"] == []
    assert "No catalog entry of MN" in response.content.decode()


def test_a_college_request_starts_with_two_hours_per_semester_hour(world: dict[str, Any]) -> None:
    request = submit(world, kind="college", title="Criminology 210", hours=None, semester_hours=Decimal(3))

    response = staff(world).get(f"/staff/requests/{request.pk}/")

    assert prefilled(response) == [{"hours": Decimal("6.00")}]
    assert "3 semester hours give 6 hours" in response.content.decode()


# Deciding -------------------------------------------------------------------------------------


def decide(client: Client, request: CreditRequest, data: dict[str, str], **extra: str) -> Any:
    return client.post(f"/staff/requests/{request.pk}/", {**data, **extra})


def test_approving_records_the_lines_and_recomputes_the_officer(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    period = world["period"]
    compliance_recompute(period=period, officer_ids=[world["officer"].pk])
    before = ComplianceResult.objects.get(officer=world["officer"], period=period)
    assert before.status == "deficient"
    request = submit(world)

    with django_capture_on_commit_callbacks(execute=True):
        response = decide(
            staff(world),
            request,
            lines_post(
                {
                    "core_area": "interpersonal_perspectives",
                    "hours": "6",
                    "de_escalation_hours": "2",
                    "implicit_bias_hours": "1",
                },
                {"core_area": "legal_studies", "hours": "2"},
            ),
            decision="approve",
            delivery="live",
            reason="Agenda shows four hours of scenario training.",
        )
    run_worker()

    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == CreditRequest.Status.APPROVED
    assert request.decision_reason == "Agenda shows four hours of scenario training."
    record = TrainingRecord.objects.get(pk=request.record_id)
    assert (record.hours, record.source, record.credit_class, record.state) == (
        Decimal(8),
        "out_of_state",
        "approved",
        "MN",
    )
    lines = list(
        CreditLine.objects.filter(record=record).order_by("id").values("core_area", "hours", "topics")
    )
    assert lines == [
        {
            "core_area": "interpersonal_perspectives",
            "hours": Decimal(6),
            "topics": {"de_escalation": 2.0, "implicit_bias": 1.0},
        },
        {"core_area": "legal_studies", "hours": Decimal(2), "topics": {}},
    ]
    after = ComplianceResult.objects.get(officer=world["officer"], period=period)
    assert after.counted_hours == before.counted_hours + 8
    assert after.additional_hours_needed < before.additional_hours_needed
    assert events_for(request).filter(action="training.credit_request_decide", actor=world["erin"]).exists()


def test_after_a_decision_the_next_request_of_the_queue_opens(world: dict[str, Any]) -> None:
    first = submit(world, title="First")
    second = submit(world, title="Second", kind="military", hours=Decimal(4))
    third = submit(world, title="Third")
    client = staff(world)

    response = decide(
        client,
        first,
        lines_post({"core_area": "technical_studies", "hours": "8"}),
        decision="approve",
        delivery="live",
        queue="kind=out_of_state",
    )

    # The queue was filtered to out-of-state requests: the military one is skipped.
    assert response["Location"] == f"/staff/requests/{third.pk}/?queue=kind%3Dout_of_state"
    last = decide(
        client,
        third,
        lines_post(),
        decision="deny",
        delivery="live",
        reason="No affirmation.",
        queue="kind=out_of_state",
    )
    assert last["Location"] == "/staff/requests/?kind=out_of_state"
    follow = client.get(last["Location"])
    assert "No more credit requests are waiting" in follow.content.decode()
    assert second.pk in [row.item.pk for row in client.get("/staff/requests/").context["rows"]]


def test_a_denial_needs_a_reason_the_officer_will_see(world: dict[str, Any]) -> None:
    request = submit(world)
    client = staff(world)

    refused = decide(client, request, lines_post(), decision="deny", delivery="live", reason="  ")

    assert refused.status_code == 200
    assert "Give the reason for the denial" in refused.content.decode()
    request.refresh_from_db()
    assert request.status == CreditRequest.Status.SUBMITTED

    denied = decide(
        client,
        request,
        lines_post(),
        decision="deny",
        delivery="live",
        reason="The course is not recognized by MN POST.",
    )
    assert denied.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decision_reason) == ("denied", "The course is not recognized by MN POST.")
    assert request.record_id is None


def test_an_approval_without_lines_or_with_a_wrong_line_is_refused_with_its_reason(
    world: dict[str, Any],
) -> None:
    request = submit(world)
    client = staff(world)

    empty = decide(client, request, lines_post(spare=2), decision="approve", delivery="live")
    assert "Add at least one line" in empty.content.decode()

    firearms = decide(
        client,
        request,
        lines_post({"core_area": "legal_studies", "subject": "firearms", "hours": "2"}),
        decision="approve",
        delivery="live",
    )
    assert "Firearms is a subject of Skill Development only" in firearms.content.decode()

    topics = decide(
        client,
        request,
        lines_post({"core_area": "legal_studies", "hours": "1", "racial_profiling_hours": "2"}),
        decision="approve",
        delivery="live",
    )
    assert "topic hours are part of a portion" in topics.content.decode()

    no_area = decide(client, request, lines_post({"hours": "3"}), decision="approve", delivery="live")
    assert "Choose the core area of these hours." in no_area.content.decode()
    request.refresh_from_db()
    assert request.status == CreditRequest.Status.SUBMITTED
    assert not TrainingRecord.objects.exists()


def test_deciding_twice_is_refused_and_shown(world: dict[str, Any]) -> None:
    request = submit(world)
    client = staff(world)
    approve = lines_post({"core_area": "technical_studies", "hours": "8"})
    decide(client, request, approve, decision="approve", delivery="live")

    again = decide(client, request, approve, decision="approve", delivery="live")

    assert again.status_code == 200
    page = again.content.decode()
    assert "This request was already approved" in page
    assert "Record the decision" not in page  # the decided request shows its decision, no form
    assert TrainingRecord.objects.count() == 1


def test_hours_taught_take_the_credit_class_the_reviewer_chooses(world: dict[str, Any]) -> None:
    request = submit(world, kind="instruction", title="Taught: Report Writing", hours=Decimal(3))

    decide(
        staff(world),
        request,
        lines_post({"core_area": "technical_studies", "hours": "3"}),
        decision="approve",
        delivery="live",
        credit_class="approved",
    )

    record = CreditRequest.objects.get(pk=request.pk).record
    assert record is not None
    assert (record.source, record.credit_class) == ("instruction", "approved")


def test_a_decided_request_shows_its_decision_and_record(world: dict[str, Any]) -> None:
    request = submit(world)
    client = staff(world)
    decide(
        client,
        request,
        lines_post({"core_area": "skill_development", "subject": "firearms", "hours": "8"}),
        decision="approve",
        delivery="live",
        reason="Live-fire qualification.",
    )

    page = client.get(f"/staff/requests/{request.pk}/").content.decode()

    assert "Approved on" in page
    assert "Skill Development, Firearms: 8 h" in page
    assert "“Live-fire qualification.”" in page


def test_a_scaled_split_adds_up_to_the_hours_claimed_to_the_hundredth() -> None:
    split = [
        PortionSpec(core_area="legal_studies", hours=Decimal(5)),
        PortionSpec(core_area="technical_studies", hours=Decimal(5)),
        PortionSpec(
            core_area="interpersonal_perspectives",
            hours=Decimal(6),
            topics={"implicit_bias": Decimal(6)},
        ),
    ]

    scaled = scaled_split(split, from_hours=Decimal(16), to_hours=Decimal(10))

    assert sum(part.hours for part in scaled) == Decimal(10)
    # 3.125 rounds up twice; the extra hundredth comes off the largest portion.
    assert [part.hours for part in scaled] == [Decimal("3.13"), Decimal("3.13"), Decimal("3.74")]
    # Topic hours stay inside their portion's hours after rounding.
    assert scaled[2].topics == {"implicit_bias": Decimal("3.74")}
