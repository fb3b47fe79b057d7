"""Reporting in-service training: one session on a form, or a roster file previewed (every
error by row and column) and then confirmed, all or nothing; the same roster twice adds
nothing. An approved in-service course may name officers of any agency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from clee.compliance.models import ComplianceResult
from clee.core.models import AuditEvent
from clee.officers.models import Officer
from clee.providers.courses import PortionSpec
from clee.providers.models import Course, Provider
from clee.training.models import ImportBatch, TrainingRecord
from tests import factories
from tests.conftest import PASSWORD
from tests.imports.files import csv_file, xlsx_file
from tests.portals.test_agency_roster import commissioned
from tests.portals.test_provider_support import split_rows, text

pytestmark = pytest.mark.django_db

AD_HOC = (
    "license_number",
    "title",
    "completion_date",
    "hours",
    "legal_studies",
    "interpersonal_perspectives",
)
BY_NUMBER = ("license_number", "course_number", "completion_date")


def client_of(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.fixture
def bert(world: dict[str, Any]) -> Officer:
    """An officer of agency B (carol's)."""
    return commissioned(world["agency_b"], "P1000002", "Brown", "Bert")


@pytest.fixture
def in_service(world: dict[str, Any]) -> Course:
    """Agency A's in-service provider and its approved 2-hour firearms course IS-7."""
    provider = factories.provider(
        number="IS-MO0950000",
        name="Riverton Police Department in-service training",
        kind=Provider.Kind.IN_SERVICE,
        agency=world["agency_a"],
        approved_from=dt.date(2018, 1, 1),
    )
    return factories.course(
        provider=provider,
        number="IS-7",
        title="Firearms qualification",
        hours=2,
        split=[PortionSpec(core_area="skill_development", subject="firearms", hours=Decimal(2))],
        approved_from=dt.date(2018, 1, 1),
    )


def session(**values: Any) -> dict[str, Any]:
    """The session form's fields, an ad-hoc 2-hour session for alice unless told otherwise: 1
    hour of Legal Studies and 1 of Interpersonal Perspectives on implicit bias. Split rows given
    in ``values`` (``split_rows``) replace these."""
    data = {
        "course": "",
        "completed_on": "2023-06-01",
        "license_numbers": "P1000001",
        "title": "Roll-call: report writing and bias",
        "hours": "2",
        "delivery": "live",
        **split_rows(
            {"core_area": "legal_studies", "hours": "1"},
            {"core_area": "interpersonal_perspectives", "hours": "1", "implicit_bias_hours": "1"},
        ),
    }
    if any(key.startswith("portions-") for key in values):
        data = {key: value for key, value in data.items() if not key.startswith("portions-")}
    data.update(values)
    return data


def test_the_training_page_offers_the_session_form_the_upload_and_the_samples(world: dict[str, Any]) -> None:
    page = client_of("bob").get("/agency/training/").content.decode()
    assert "<h1>Report in-service training</h1>" in page
    assert 'name="license_numbers"' in page
    assert 'type="file" name="file"' in page
    assert "/agency/training/samples/in_service_roster.csv" in page


def test_an_ad_hoc_session_is_recorded_with_its_split_and_topics(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    client = client_of("bob")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/agency/training/", session())
    run_worker()
    assert response.status_code == 302
    record = TrainingRecord.objects.get()
    assert (record.officer, record.description, record.hours, record.credit_class) == (
        world["officer"],
        "Roll-call: report writing and bias",
        Decimal(2),
        "licensed",
    )
    assert sorted((line.core_area, line.hours, line.topics) for line in record.lines.all()) == [
        ("interpersonal_perspectives", Decimal("1.00"), {"implicit_bias": 1.0}),
        ("legal_studies", Decimal("1.00"), {}),
    ]
    batch = ImportBatch.objects.get()
    assert (batch.agency, batch.submitted_by, batch.added) == (world["agency_a"], world["bob"], 1)
    event = AuditEvent.objects.get(action="agency.training_session")
    assert event.actor == world["bob"]
    assert AuditEvent.objects.filter(action="training.record_add", actor=world["bob"]).count() == 1
    # Agency training counts only through a course POST approved in advance: held for review.
    assert (record.status, record.course) == ("pending", None)
    assert "held for POST's review" in record.review_note
    result = ComplianceResult.objects.get(officer=world["officer"], period=world["period"])
    assert result.counted_hours == Decimal(0)
    page = client.get("/agency/training/").content.decode()
    assert "The session is recorded: 1 record added." in page
    assert "Training described by its title is held for POST&#x27;s review" in page


def test_the_same_session_sent_twice_adds_nothing(world: dict[str, Any]) -> None:
    client = client_of("bob")
    client.post("/agency/training/", session())
    response = client.post("/agency/training/", session(), follow=True)
    assert TrainingRecord.objects.count() == 1
    assert "1 already on file (not added again)" in response.content.decode()


def test_an_ad_hoc_session_names_only_officers_the_agency_commissioned_that_day(
    world: dict[str, Any], bert: Officer
) -> None:
    response = client_of("bob").post(
        "/agency/training/", session(license_numbers="P1000001\nP1000002, P9999999")
    )
    assert response.status_code == 200
    assert response.context["session_form"].errors["license_numbers"] == [
        "P1000002 was not commissioned by MO0950000 on June 1, 2023.",
        "No officer has license number P9999999.",
    ]
    assert not TrainingRecord.objects.exists()  # all or nothing: alice's row is not written either


def test_an_approved_in_service_course_may_name_officers_of_any_agency(
    world: dict[str, Any], bert: Officer, in_service: Course
) -> None:
    data = session(
        course=in_service.pk, title="", hours="", license_numbers="P1000001 P1000002", **split_rows()
    )
    response = client_of("bob").post("/agency/training/", data)
    assert response.status_code == 302
    records = TrainingRecord.objects.order_by("officer__license_number")
    assert [(r.officer.license_number, r.course, r.hours) for r in records] == [
        ("P1000001", in_service, Decimal(2)),
        ("P1000002", in_service, Decimal(2)),
    ]
    assert ImportBatch.objects.get().provider == in_service.provider


def test_the_session_form_lists_only_the_agencys_approved_in_service_courses(
    world: dict[str, Any], in_service: Course
) -> None:
    Course.objects.create(
        provider=in_service.provider,
        number="IS-8",
        title="Pending course",
        hours=Decimal(1),
        status="pending",
    )
    bob_form = client_of("bob").get("/agency/training/").context["session_form"]
    assert list(bob_form.fields["course"].queryset) == [in_service]
    carol_form = client_of("carol").get("/agency/training/").context["session_form"]
    assert list(carol_form.fields["course"].queryset) == []
    # carol cannot report bob's course by posting its id.
    response = client_of("carol").post("/agency/training/", session(course=in_service.pk, title=""))
    assert "course" in response.context["session_form"].errors
    assert not TrainingRecord.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"license_numbers": " "}, "license_numbers", "Enter the license number of at least one officer."),
        ({"license_numbers": "P1000001\np1000001"}, "license_numbers", "Listed more than once: P1000001."),
        ({"title": ""}, "title", "Give the training's title, or choose an approved course."),
        ({"hours": ""}, "hours", "Give the training's hours."),
        ({"hours": "1.555"}, "hours", "Give hours to the hundredth at most, such as 1.25."),
        ({"completed_on": "2023-02-30"}, "completed_on", "Enter a valid date."),
    ],
)
def test_the_session_form_says_what_is_wrong_next_to_the_field(
    world: dict[str, Any], changes: dict[str, str], field: str, message: str
) -> None:
    response = client_of("bob").post("/agency/training/", session(**changes))
    assert response.status_code == 200
    assert response.context["session_form"].errors[field] == [message]
    page = response.content.decode()
    assert "The session was not recorded" in page
    assert f'id="id_{field}_error"' in page
    assert not TrainingRecord.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"hours": "3"},
            "The core-area hours add up to 2, not the training's 3: the split must account for every hour.",
        ),
        (
            split_rows(),
            "Split the training's hours over the core areas: give each core area's hours on a row.",
        ),
    ],
)
def test_a_described_training_whose_split_does_not_account_for_its_hours_is_refused_atop_the_rows(
    world: dict[str, Any], changes: dict[str, str], message: str
) -> None:
    response = client_of("bob").post("/agency/training/", session(**changes))
    assert response.status_code == 200
    assert response.context["split"].non_form_errors() == [message]
    page = text(response)
    assert "The session was not recorded" in page
    assert f'<a href="#split">{message}</a>' in page
    assert not TrainingRecord.objects.exists()


def test_a_split_row_of_the_session_is_refused_next_to_its_field(world: dict[str, Any]) -> None:
    rows = split_rows(
        {"core_area": "legal_studies", "hours": "1"},
        {"core_area": "interpersonal_perspectives", "hours": "1", "de_escalation_hours": "2"},
    )
    response = client_of("bob").post("/agency/training/", session(**rows))
    assert response.status_code == 200
    message = (
        "The topic hours (2) are more than the portion's 1 hours: topic hours are part of a portion's "
        "hours, not extra."
    )
    assert response.context["split"].forms[1].errors["hours"] == [message]
    page = text(response)
    assert f'<a href="#id_portions-1-hours">Split row 2, Hours: {message}</a>' in page
    assert 'id="id_portions-1-hours_error"' in page
    assert not TrainingRecord.objects.exists()


def test_topic_hours_of_a_described_training_are_placed_as_a_roster_places_them(
    world: dict[str, Any],
) -> None:
    """A session is written as a roster's row, whose topic columns hold each topic's hours in
    all: they go on Interpersonal Perspectives first, whichever row they were given on."""
    rows = split_rows(
        {"core_area": "legal_studies", "hours": "1", "implicit_bias_hours": "1"},
        {"core_area": "interpersonal_perspectives", "hours": "0.5"},
        {"core_area": "interpersonal_perspectives", "hours": "0.5"},
    )
    response = client_of("bob").post("/agency/training/", session(**rows))
    assert response.status_code == 302
    record = TrainingRecord.objects.get()
    assert sorted((line.core_area, line.hours, line.topics) for line in record.lines.all()) == [
        ("interpersonal_perspectives", Decimal("1.00"), {"implicit_bias": 1.0}),
        ("legal_studies", Decimal("1.00"), {}),
    ]


def test_another_split_row_without_javascript_keeps_what_was_typed(world: dict[str, Any]) -> None:
    response = client_of("bob").post("/agency/training/", session(add_row="1"))
    assert response.status_code == 200
    page = text(response)
    assert 'name="portions-TOTAL_FORMS" value="4"' in page
    assert "A row was added." in page
    assert 'value="Roll-call: report writing and bias"' in page
    assert response.context["split"].forms[1].initial["implicit_bias_hours"] == "1"
    assert response.context["session_form"].errors == {}
    assert not TrainingRecord.objects.exists()


def test_a_session_cannot_be_in_the_future(world: dict[str, Any]) -> None:
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = client_of("bob").post("/agency/training/", session(completed_on=tomorrow))
    assert response.context["session_form"].errors["completed_on"] == [
        "The date of the session cannot be in the future."
    ]


def test_a_course_and_a_described_training_together_are_refused(
    world: dict[str, Any], in_service: Course
) -> None:
    response = client_of("bob").post("/agency/training/", session(course=in_service.pk))
    assert (
        response.context["session_form"]
        .errors["course"][0]
        .startswith("Choose an approved course or describe the training, not both")
    )
    # A split without a title is a description too: the course has its own split.
    response = client_of("bob").post("/agency/training/", session(course=in_service.pk, title="", hours=""))
    assert response.context["session_form"].errors["course"] == [
        "Choose an approved course or describe the training, not both: its split is the course's."
    ]
    assert not TrainingRecord.objects.exists()


# Roster files ----------------------------------------------------------------------------


def upload(client: Client, content: bytes, name: str = "roster.csv", scope: str = "agency") -> Any:
    return client.post(
        "/agency/training/roster/", {"file": SimpleUploadedFile(name, content), "scope": scope}, follow=True
    )


GOOD = csv_file(
    AD_HOC,
    ("P1000001", "Report writing", "2023-06-01", "2", "2", ""),
    ("P1000001", "Crisis talk-down", "2023-07-11", "1.5", "", "1.5"),
)


def test_an_uploaded_roster_is_previewed_with_every_error_by_row_and_nothing_written(
    world: dict[str, Any], bert: Officer
) -> None:
    content = csv_file(
        AD_HOC,
        ("P1000001", "Report writing", "2023-06-01", "2", "2", ""),
        ("P9999999", "Report writing", "2023-06-01", "2", "2", ""),
        ("P1000002", "Report writing", "2023-06-01", "2", "1", ""),
    )
    response = upload(client_of("bob"), content, "june.csv")
    assert response.redirect_chain == [("/agency/training/roster/preview/", 302)]
    report = response.context["report"]
    assert [str(e) for e in report.errors] == [
        "row 3, license_number: no officer has license number P9999999",
        "row 4, license_number: P1000002 was not commissioned by MO0950000 on June 1, 2023",
        "row 4, hours: the core-area hours add up to 1.00, not 2.00",
    ]
    page = response.content.decode()
    assert "Nothing can be written until every error is fixed" in page
    assert "No officer has license number P9999999" in page
    assert "Confirm and add" not in page
    assert not TrainingRecord.objects.exists()


def test_a_valid_roster_is_confirmed_and_applied_all_at_once(world: dict[str, Any]) -> None:
    client = client_of("bob")
    preview = upload(client, GOOD)
    assert [row.row for row in preview.context["report"].to_add] == [2, 3]
    assert "Confirm and add 2 records" in preview.content.decode()
    sha256 = preview.context["draft"].sha256
    response = client.post("/agency/training/roster/preview/", {"sha256": sha256}, follow=True)
    assert response.redirect_chain == [("/agency/training/", 302)]
    assert "roster.csv is applied: 2 records added." in response.content.decode()
    assert TrainingRecord.objects.filter(officer=world["officer"]).count() == 2
    batch = ImportBatch.objects.get()
    assert (batch.file_name, batch.agency, batch.rows, batch.added) == ("roster.csv", world["agency_a"], 2, 2)
    assert AuditEvent.objects.filter(action="imports.roster_apply", actor=world["bob"]).exists()
    # The draft is gone: confirming again has nothing to apply.
    again = client.post("/agency/training/roster/preview/", {"sha256": sha256}, follow=True)
    assert "There is no roster waiting to be confirmed" in again.content.decode()
    assert TrainingRecord.objects.count() == 2


def test_the_same_roster_uploaded_again_adds_nothing(world: dict[str, Any]) -> None:
    client = client_of("bob")
    first = upload(client, GOOD)
    client.post("/agency/training/roster/preview/", {"sha256": first.context["draft"].sha256})
    second = upload(client, GOOD)
    report = second.context["report"]
    assert (len(report.to_add), len(report.already_present), report.errors) == (0, 2, [])
    page = second.content.decode()
    assert "This very file was applied before" in page
    assert "Everything on it is already on file" in page
    client.post("/agency/training/roster/preview/", {"sha256": second.context["draft"].sha256})
    assert TrainingRecord.objects.count() == 2
    assert ImportBatch.objects.order_by("id").last().added == 0  # type: ignore[union-attr]


def test_an_xlsx_roster_is_read_too(world: dict[str, Any]) -> None:
    content = xlsx_file(AD_HOC, ("P1000001", "Report writing", dt.date(2023, 6, 1), 2, 2, None))
    response = upload(client_of("bob"), content, "june.xlsx")
    assert [row.row for row in response.context["report"].to_add] == [2]


def test_a_file_that_is_not_a_table_is_refused_in_the_preview(world: dict[str, Any]) -> None:
    response = upload(client_of("bob"), b"%PDF-1.4\n%%EOF\n", "roster.csv")
    assert [str(e) for e in response.context["report"].errors] == [
        "file: this is a PDF, not a CSV or XLSX file"
    ]


def test_an_upload_without_a_file_is_refused_on_the_training_page(world: dict[str, Any]) -> None:
    response = client_of("bob").post("/agency/training/roster/", {"scope": "agency"})
    assert response.status_code == 200
    assert response.context["upload_form"].errors["file"] == ["Choose the roster file to upload."]


def test_an_approved_in_service_course_roster_names_officers_of_any_agency(
    world: dict[str, Any], bert: Officer, in_service: Course
) -> None:
    content = csv_file(BY_NUMBER, ("P1000002", "IS-7", "2023-05-05"))
    client = client_of("bob")
    as_agency = upload(client, content, scope="agency")
    assert [str(e) for e in as_agency.context["report"].errors] == [
        "row 2, license_number: P1000002 was not commissioned by MO0950000 on May 5, 2023"
    ]
    as_course = upload(client, content, scope="course")
    assert as_course.context["report"].errors == []
    client.post("/agency/training/roster/preview/", {"sha256": as_course.context["draft"].sha256})
    assert TrainingRecord.objects.get().officer == bert


def test_the_course_scope_needs_an_in_service_provider(world: dict[str, Any]) -> None:
    response = client_of("bob").post(
        "/agency/training/roster/", {"file": SimpleUploadedFile("r.csv", GOOD), "scope": "course"}
    )
    assert response.context["upload_form"].errors["scope"] == ["Your agency has no in-service courses yet."]


def test_a_preview_is_applied_only_if_it_is_still_the_file_previewed(world: dict[str, Any]) -> None:
    client = client_of("bob")
    upload(client, GOOD)
    response = client.post("/agency/training/roster/preview/", {"sha256": "0" * 64}, follow=True)
    assert "Another file was uploaded since this preview" in response.content.decode()
    assert not TrainingRecord.objects.exists()


def test_a_new_upload_replaces_the_previous_draft(world: dict[str, Any]) -> None:
    client = client_of("bob")
    upload(client, GOOD)
    other = csv_file(AD_HOC, ("P1000001", "Radio procedure", "2023-08-01", "1", "1", ""))
    preview = upload(client, other, "august.csv")
    assert preview.context["draft"].file_name == "august.csv"
    _, files = default_storage.listdir(f"roster-drafts/{world['bob'].pk}")
    assert files == [preview.context["draft"].sha256]
    client.post("/agency/training/roster/preview/", {"sha256": preview.context["draft"].sha256})
    assert [r.description for r in TrainingRecord.objects.all()] == ["Radio procedure"]
    assert default_storage.listdir(f"roster-drafts/{world['bob'].pk}")[1] == []


def test_a_roster_can_be_discarded(world: dict[str, Any]) -> None:
    client = client_of("bob")
    preview = upload(client, GOOD)
    response = client.post("/agency/training/roster/cancel/", follow=True)
    assert "nothing was written" in response.content.decode()
    applied = client.post(
        "/agency/training/roster/preview/", {"sha256": preview.context["draft"].sha256}, follow=True
    )
    assert "There is no roster waiting to be confirmed" in applied.content.decode()
    assert not TrainingRecord.objects.exists()


def test_another_account_cannot_confirm_bobs_roster(world: dict[str, Any]) -> None:
    preview = upload(client_of("bob"), GOOD)
    sha256 = preview.context["draft"].sha256
    carol = client_of("carol").post("/agency/training/roster/preview/", {"sha256": sha256}, follow=True)
    assert "There is no roster waiting to be confirmed" in carol.content.decode()
    for username in ("alice", "dave", "erin"):
        assert (
            client_of(username).post("/agency/training/roster/preview/", {"sha256": sha256}).status_code
            == 404
        )
    assert not TrainingRecord.objects.exists()


def test_the_sample_rosters_are_the_documented_ones(world: dict[str, Any]) -> None:
    response = client_of("bob").get("/agency/training/samples/in_service_roster.csv")
    assert response["Content-Disposition"] == 'attachment; filename="in_service_roster.csv"'
    samples = Path(__file__).resolve().parents[2] / "docs" / "samples"
    assert response.content == (samples / "in_service_roster.csv").read_bytes()
    assert client_of("bob").get("/agency/training/samples/officers.csv").status_code == 404
    assert client_of("bob").get("/agency/training/samples/..%2Fimports.md").status_code == 404


def test_recent_sessions_and_rosters_are_listed_for_the_agency_only(world: dict[str, Any]) -> None:
    client_of("bob").post("/agency/training/", session())
    assert "session form: Roll-call" in client_of("bob").get("/agency/training/").content.decode()
    assert "session form: Roll-call" not in client_of("carol").get("/agency/training/").content.decode()


def test_a_session_of_an_approved_in_service_course_counts_at_once(
    world: dict[str, Any], in_service: Course, django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_of("bob").post(
            "/agency/training/",
            session(
                course=str(in_service.pk),
                title="",
                hours="",
                **split_rows(),
            ),
        )
    run_worker()
    assert response.status_code == 302
    record = TrainingRecord.objects.get()
    assert (record.status, record.course, record.review_note) == ("accepted", in_service, "")
    assert ComplianceResult.objects.get(officer=world["officer"], period=world["period"]).counted_hours == 2
