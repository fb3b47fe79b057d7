"""A provider's completion rosters: upload, preview with every error by row and column, confirm
(all or nothing), the same roster sent again adding nothing, and the rosters sent before."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook

from clee.core.models import AuditEvent
from clee.officers.models import Officer
from clee.providers.models import Offering, RosterUpload
from clee.training.models import ImportBatch, TrainingRecord
from tests.portals.test_provider_support import PDF, client_of, instructor, roster, text, upload

pytestmark = pytest.mark.django_db
__all__ = ["instructor"]  # a fixture, used by name

GOOD = "P1000001,Avery,CMA-101,2023-03-14,"
UNKNOWN = "P9999999,Nobody,CMA-101,2023-03-14,"


def send(client: Client, content: bytes, name: str = "march.csv") -> RosterUpload:
    """Upload a roster; returns the stored upload the page redirected to."""
    response = client.post("/provider/rosters/", {"file": upload(name, content, "text/csv")})
    assert response.status_code == 302, text(response)
    stored = RosterUpload.objects.latest("id")
    assert response["Location"] == f"/provider/rosters/uploads/{stored.pk}/"
    return stored


def confirm(client: Client, stored: RosterUpload, sha256: str | None = None) -> Any:
    return client.post(f"/provider/rosters/uploads/{stored.pk}/confirm/", {"sha256": sha256 or stored.sha256})


def test_the_rosters_page_offers_a_sample_and_lists_the_rosters_sent(world: dict[str, Any]) -> None:
    ImportBatch.objects.create(
        kind="roster", file_name="february.csv", sha256="1" * 64, provider=world["provider"], rows=3, added=2
    )
    page = text(client_of("dave").get("/provider/rosters/"))
    assert 'href="/provider/rosters/sample.csv"' in page
    assert "february.csv" in page
    assert "CMA-101" in page  # the approved course numbers a roster may name


def test_the_sample_roster_is_the_documented_sample(world: dict[str, Any]) -> None:
    response = client_of("dave").get("/provider/rosters/sample.csv")
    assert response["Content-Disposition"] == 'attachment; filename="roster-sample.csv"'
    sample = Path(__file__).resolve().parents[2] / "docs" / "samples" / "roster.csv"
    assert response.content == sample.read_bytes()


def test_the_preview_shows_every_error_by_row_and_column_and_writes_nothing(world: dict[str, Any]) -> None:
    dave = client_of("dave")
    stored = send(
        dave, roster(GOOD, UNKNOWN, "P1000001,Avery,CMA-101,2023-02-30,", "P1000001,Avery,NOPE,2023-03-01,")
    )
    page = text(dave.get(f"/provider/rosters/uploads/{stored.pk}/"))
    assert "3 errors in 3 rows: nothing can be recorded yet" in page
    assert "no officer has license number P9999999" in page
    assert "'2023-02-30' is not a date on the calendar" in page
    assert "provider LP-0042 has no course numbered NOPE" in page
    assert '<th scope="row" data-label="Row" class="num">3</th>' in page
    assert "<code>license_number</code>" in page
    assert "Record the completions" not in page
    assert "Upload the corrected file" in page
    assert not TrainingRecord.objects.exists()
    # The rows to be recorded are listed too.
    rows = text(dave.get(f"/provider/rosters/uploads/{stored.pk}/?show=add"))
    # What the file says (the last name), never the name on file: a provider's preview must not
    # tell whose a license number is.
    assert "P1000001 Avery: CMA-101 Legal update and de-escalation, 2023-03-14" in rows
    assert "Alice" not in rows


def test_a_roster_with_an_error_cannot_be_confirmed(world: dict[str, Any]) -> None:
    dave = client_of("dave")
    stored = send(dave, roster(GOOD, UNKNOWN))
    response = confirm(dave, stored)
    assert response.status_code == 400
    assert "Nothing was recorded" in text(response)
    assert not TrainingRecord.objects.exists()
    assert not ImportBatch.objects.exists()
    assert RosterUpload.objects.filter(pk=stored.pk).exists()


def test_a_clean_roster_is_recorded_on_confirm(world: dict[str, Any], instructor: Officer) -> None:
    dave = client_of("dave")
    stored = send(dave, roster(GOOD, "P2000002,Brooks,CMA-101,3/14/2023,2"))
    preview = text(dave.get(f"/provider/rosters/uploads/{stored.pk}/"))
    assert "Record 2 completions" in preview
    response = confirm(dave, stored)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/provider/rosters/{batch.pk}/"
    assert (batch.provider, batch.submitted_by, batch.rows, batch.added) == (
        world["provider"],
        world["dave"],
        2,
        2,
    )
    records = TrainingRecord.objects.filter(import_batch=batch).order_by("officer__license_number")
    assert [(r.officer.license_number, r.hours, r.course) for r in records] == [
        ("P1000001", 4, world["course"]),
        ("P2000002", 2, world["course"]),
    ]
    assert AuditEvent.objects.get(action="imports.roster_apply").actor == world["dave"]
    assert not RosterUpload.objects.exists()
    page = text(dave.get(response["Location"]))
    assert "march.csv: 2 completions recorded, 0 already on file." in page
    assert "Alice Avery" in page
    assert "Grace Brooks" in page


def test_sending_the_same_roster_again_adds_nothing(world: dict[str, Any]) -> None:
    dave = client_of("dave")
    confirm(dave, send(dave, roster(GOOD)))
    again = send(dave, roster(GOOD))
    page = text(dave.get(f"/provider/rosters/uploads/{again.pk}/"))
    assert "This very file was recorded on" in page
    assert "Nothing new to record" in page
    confirm(dave, again)
    assert TrainingRecord.objects.count() == 1
    assert list(ImportBatch.objects.order_by("id").values_list("added", "already_present")) == [
        (1, 0),
        (0, 1),
    ]


def test_a_confirm_of_a_changed_file_is_refused(world: dict[str, Any]) -> None:
    dave = client_of("dave")
    stored = send(dave, roster(GOOD))
    response = confirm(dave, stored, sha256="f" * 64)
    assert "the file is not the one you previewed" in text(dave.get(response["Location"]))
    # The stored bytes changed behind the preview's back: refused too.
    RosterUpload.objects.filter(pk=stored.pk).update(content=roster(GOOD, UNKNOWN))
    response = confirm(dave, stored)
    assert "the file is not the one you previewed" in text(dave.get(response["Location"]))
    assert not TrainingRecord.objects.exists()


def test_a_confirmed_roster_cannot_be_confirmed_twice(world: dict[str, Any]) -> None:
    dave = client_of("dave")
    stored = send(dave, roster(GOOD))
    confirm(dave, stored)
    assert confirm(dave, stored).status_code == 404
    assert ImportBatch.objects.count() == 1


def test_a_workbook_roster_is_read_too(world: dict[str, Any]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["License Number", "Course Number", "Completion Date"])
    sheet.append(["P1000001", "CMA-101", dt.date(2023, 3, 14)])
    content = io.BytesIO()
    workbook.save(content)
    dave = client_of("dave")
    stored = send(dave, content.getvalue(), name="march.xlsx")
    assert "Record 1 completion" in text(dave.get(f"/provider/rosters/uploads/{stored.pk}/"))
    confirm(dave, stored)
    assert TrainingRecord.objects.filter(officer=world["officer"], completed_on=dt.date(2023, 3, 14)).exists()


def test_a_file_that_is_not_a_table_is_reported(world: dict[str, Any]) -> None:
    dave = client_of("dave")
    stored = send(dave, PDF, name="roster.pdf")
    assert "this is a PDF, not a CSV or XLSX file" in text(
        dave.get(f"/provider/rosters/uploads/{stored.pk}/")
    )


def test_an_empty_upload_is_refused_at_once(world: dict[str, Any]) -> None:
    response = client_of("dave").post(
        "/provider/rosters/", {"file": upload("empty.csv", b"   \n", "text/csv")}
    )
    assert response.status_code == 400
    assert "empty.csv: the file is empty" in text(response)
    assert not RosterUpload.objects.exists()


def test_the_preview_of_hundreds_of_errors_comes_in_pages(world: dict[str, Any]) -> None:
    dave = client_of("dave")
    stored = send(dave, roster(*(f"P9{n:06d},X,CMA-101,2023-03-14," for n in range(250))))
    first = text(dave.get(f"/provider/rosters/uploads/{stored.pk}/"))
    assert "250 errors in 250 rows" in first
    assert "(page 1 of 3)" in first
    assert "no officer has license number P9000000" in first
    assert "no officer has license number P9000100" not in first
    second = text(dave.get(f"/provider/rosters/uploads/{stored.pk}/?show=errors&page=2"))
    assert "no officer has license number P9000100" in second


def test_an_upload_not_confirmed_within_a_day_is_gone(world: dict[str, Any]) -> None:
    dave = client_of("dave")
    stored = send(dave, roster(GOOD))
    RosterUpload.objects.filter(pk=stored.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    assert dave.get(f"/provider/rosters/uploads/{stored.pk}/").status_code == 404
    assert confirm(dave, stored).status_code == 404
    send(dave, roster(GOOD))  # a new upload clears the old one out
    assert not RosterUpload.objects.filter(pk=stored.pk).exists()


def test_a_roster_naming_an_offering_checks_its_dates(world: dict[str, Any]) -> None:
    offering = Offering.objects.create(
        course=world["course"], starts_on=dt.date(2023, 3, 1), ends_on=dt.date(2023, 3, 2), location="Hall"
    )
    content = (
        f"License Number,Course Number,Completion Date,Offering\nP1000001,CMA-101,2023-03-14,{offering.pk}\n"
    ).encode()
    dave = client_of("dave")
    stored = send(dave, content)
    assert f"offering {offering.pk} ran from March 1, 2023 to March 2, 2023" in text(
        dave.get(f"/provider/rosters/uploads/{stored.pk}/")
    )
