"""The pages of issue 16 through HTTP, persona by persona: an officer's credentials are theirs
alone, a provider's attendance session its own, credit reversal is POST staff's, the attendance
page an officer's; the public verification page reads pasted, uploaded and QR-packed credentials."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from clee.attendance.services import session_start
from clee.compliance.records import training_records_add
from clee.credentials.keys import signing_key_generate
from clee.credentials.services import course_credential_issue
from clee.credentials.sharing import pack
from clee.providers.models import Offering, Provider
from clee.training.models import TrainingRecord
from clee.training.services import RecordEntry, course_lines

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(world: dict[str, Any], settings: Any, tmp_path: Path) -> Any:
    settings.CLEE_CREDENTIAL_KEYS_DIR = tmp_path / "keys"
    signing_key_generate()
    course = world["course"]
    outcome = training_records_add(
        entries=[
            RecordEntry(
                officer_id=world["officer"].pk,
                course_id=course.pk,
                completed_on=dt.date(2023, 3, 1),
                hours=course.hours,
                source="course",
                credit_class="approved",
                delivery="live",
                lines=course_lines(course),
            )
        ],
        actor=world["dave"],
    )
    return course_credential_issue(record=outcome.added[0], acting_user=world["alice"])


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_officers_credential_is_hers_alone(world: dict[str, Any], issued: Any) -> None:
    base = f"/officer/credentials/{issued.credential_id}/"
    alice = as_user(world["alice"])
    assert alice.get(base).status_code == 200
    download = alice.get(base + "json/")
    assert download.status_code == 200
    assert download.content.decode() == issued.document
    pdf = alice.get(base + "pdf/")
    assert pdf.content.startswith(b"%PDF")
    for persona in ("bob", "carol", "dave", "erin", "frank"):
        for suffix in ("", "json/", "pdf/"):
            assert as_user(world[persona]).get(base + suffix).status_code == 404, (persona, suffix)
    record = TrainingRecord.objects.get()
    assert as_user(world["bob"]).post(f"/officer/credentials/record/{record.pk}/").status_code == 404


def test_attendance_and_reversal_pages_refuse_those_they_are_not_for(
    world: dict[str, Any], issued: Any
) -> None:
    today = dt.date.today()
    offering = Offering.objects.create(
        course=world["course"], starts_on=today, ends_on=today, location="Hall"
    )
    session = session_start(offering=offering, acting_user=world["dave"])
    url = f"/provider/offerings/{offering.pk}/attendance/{session.pk}/"
    assert as_user(world["dave"]).get(url).status_code == 200
    other = Provider.objects.create(
        number="LP-0099",
        name="Other Academy",
        kind="licensed",
        credit_class="approved",
        approved_from=dt.date(2015, 1, 1),
    )
    from clee.accounts.models import User

    stranger = User.objects.create_user(username="otto", password="x" * 20, role="provider", provider=other)
    for user in (stranger, world["alice"], world["erin"]):
        assert as_user(user).get(url).status_code == 404
        assert as_user(user).get(url + "code/").status_code == 404
    assert as_user(world["dave"]).get(f"/attend/{offering.pk}/?code=x").status_code == 404
    assert (
        "not a CLEE attendance code"
        in as_user(world["alice"]).get(f"/attend/{offering.pk}/?code=x").content.decode()
    )
    record = TrainingRecord.objects.get()
    reverse = f"/staff/records/{record.pk}/reverse/"
    for persona in ("alice", "bob", "dave", "frank"):
        assert as_user(world[persona]).post(reverse, {"reason": "no"}).status_code == 404
    refused = as_user(world["erin"]).post(reverse, {"reason": "  "})
    assert refused.status_code == 400
    assert "Say why the credit is reversed" in refused.content.decode()
    done = as_user(world["erin"]).post(reverse, {"reason": "duplicate of another roster"})
    assert done.status_code == 302
    issued.refresh_from_db()
    assert issued.revoked


def test_the_verification_page_reads_pasted_uploaded_and_packed_credentials(
    client: Client, world: dict[str, Any], issued: Any
) -> None:
    url = "/verify/credential/"
    assert client.get(url).status_code == 200
    pasted = client.post(url, {"credential": issued.document})
    assert "Valid credential" in pasted.content.decode()
    uploaded = client.post(url, {"file": SimpleUploadedFile("c.json", issued.document.encode())})
    assert "Valid credential" in uploaded.content.decode()
    packed = client.post(url, {"packed": pack(issued.document)})
    assert "Alice Avery, license P1000001" in packed.content.decode()
    garbage = client.post(url, {"packed": "not-a-credential"})
    assert garbage.status_code == 400
    assert "does not hold a CLEE credential" in garbage.content.decode()
    empty = client.post(url, {"credential": ""})
    assert empty.status_code == 400
    assert client.post(url, {"credential": "{nope"}).status_code == 400
