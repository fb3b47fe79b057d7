"""Issue 16 end to end in Chromium: a provider runs an attendance session, two officers check in
by scanning its QR code on their phones, the provider confirms the list (the roster path), each
officer downloads a course credential that an independent verifier (Digital Bazaar's, from npm)
accepts, POST staff reverse one credit, and the verifier then reports that credential revoked.
The QR codes are read as a phone reads them: from the pixels shown or printed (zxing-cpp)."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from clee.accounts.models import User
from clee.compliance.services import ensure_period
from clee.officers.models import Officer
from clee.providers.models import Offering
from clee.training.models import TrainingRecord
from tests.conftest import PASSWORD
from tests.credentials.verifier import independent_verify

pytestmark = pytest.mark.django_db(transaction=True)


def read_qr(png: bytes) -> str:
    """The text of the one QR code in a picture, as a phone's camera reads it."""
    import zxingcpp
    from PIL import Image

    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    # A reader may report one code twice (seen under load, the picture taken mid-repaint); what
    # matters is that the picture holds one text.
    texts = {str(code.text) for code in found}
    assert len(texts) == 1, f"{len(found)} codes found: {texts}"
    return texts.pop()


def pdf_first_page_png(pdf: bytes) -> bytes:
    """The first page of a PDF as a PNG, as a printed page looks to a camera."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    image = document[0].render(scale=2).to_pil()
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def scene(world: dict[str, Any], settings: Any, live_server: Any, tmp_path: Path) -> dict[str, Any]:
    """Today's offering of the world's course, a second officer, and a signing key; credentials
    name the live server."""
    from clee.credentials.keys import signing_key_generate

    settings.CLEE_SITE_URL = live_server.url
    settings.CLEE_CREDENTIAL_KEYS_DIR = tmp_path / "keys"
    signing_key_generate()
    today = dt.date.today()
    ensure_period(today.year)
    offering = Offering.objects.create(
        course=world["course"], starts_on=today, ends_on=today, location="Room 4"
    )
    ben = Officer.objects.create(
        license_number="P1000002",
        first_name="Ben",
        last_name="Brandt",
        date_of_birth=dt.date(1990, 1, 1),
        licensed_on=dt.date(2014, 1, 1),
    )
    ben_user = User.objects.create_user(username="ben", password=PASSWORD, role="officer", officer=ben)
    return {"offering": offering, "ben": ben_user}


def check_in(page: Any, address: str, look: Callable[..., None], name: str) -> None:
    page.goto(address)
    expect(page.get_by_role("heading", name="Check in to Legal update and de-escalation")).to_be_visible()
    look(page, f"attendance-{name}-check-in")
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_role("heading", name="You are checked in")).to_be_visible()
    look(page, f"attendance-{name}-checked-in")


def download_course_credential(page: Any, look: Callable[..., None], name: str) -> tuple[str, bytes]:
    """From the officer's credentials page: the credential's JSON and its PDF."""
    page.goto("/officer/credentials/")  # on a phone the header's links are behind "Menu"
    page.get_by_role("button", name="Get credential").first.click()
    expect(page.get_by_role("heading", name="Legal update and de-escalation: 4 hours")).to_be_visible()
    look(page, f"credential-{name}")
    with page.expect_download() as json_download:
        page.get_by_role("link", name="Download the credential (JSON)").click()
    with page.expect_download() as pdf_download:
        page.get_by_role("link", name="Download the PDF with its QR code").click()
    return (
        Path(json_download.value.path()).read_text(encoding="utf-8"),
        Path(pdf_download.value.path()).read_bytes(),
    )


def test_a_session_two_check_ins_a_confirmed_roster_verified_credentials_and_a_revocation(
    world: dict[str, Any],
    scene: dict[str, Any],
    signed_in: Callable[..., Any],
    new_page: Callable[..., Any],
    look: Callable[..., None],
    tmp_path: Path,
) -> None:
    offering = scene["offering"]
    provider = signed_in(world["dave"])
    provider.goto(f"/provider/offerings/{offering.pk}/")
    provider.get_by_role("button", name="Start taking attendance").click()
    expect(
        provider.get_by_role("heading", name="Attendance: CMA-101 Legal update and de-escalation")
    ).to_be_visible()
    look(provider, "attendance-provider-session")
    qr = provider.locator(".site-attendance__figure svg")
    first_address = read_qr(qr.screenshot())
    assert first_address.startswith(f"{provider.url.split('/provider/')[0]}/attend/{offering.pk}/?code=")

    alice = signed_in(world["alice"], phone=True)
    check_in(alice, first_address, look, "alice")
    ben = signed_in(scene["ben"], phone=True)
    check_in(ben, read_qr(qr.screenshot()), look, "ben")
    # A code already used by an officer is refused when sent again.
    alice.goto(first_address)
    alice.get_by_role("button", name="Check out").click()
    expect(alice.get_by_text("this code was already used", exact=False)).to_be_visible()
    alice.goto("/officer/")
    pending = alice.get_by_role("region", name="Attendance pending confirmation")
    expect(pending).to_contain_text("Pending confirmation")
    look(alice, "attendance-alice-dashboard-pending")

    expect(provider.get_by_test_id("attendance-count")).to_have_text("2", timeout=40_000)
    provider.get_by_role("button", name="End check-in and review the list").click()
    look(provider, "attendance-provider-review")
    provider.get_by_role("button", name="Confirm attendance and record completions").click()
    expect(
        provider.get_by_text("Attendance confirmed: 2 completions recorded, 0 already on file.")
    ).to_be_visible()
    assert TrainingRecord.objects.filter(offering=offering, status="accepted").count() == 2

    credentials: dict[str, str] = {}
    for name, page in (("alice", alice), ("ben", ben)):
        document, pdf = download_course_credential(page, look, name)
        answer = independent_verify(document)
        assert answer == {"verified": True, "revoked": False, "error": ""}, answer
        # The PDF's QR code holds the whole signed credential, after # in the verification address.
        picture = tmp_path / f"{name}-credential-page.png"
        picture.write_bytes(pdf_first_page_png(pdf))
        address = read_qr(picture.read_bytes())
        assert address.startswith(f"{provider.url.split('/provider/')[0]}/verify/credential/#")
        credentials[name] = document

    # Anyone verifies: the QR code's address opened on a phone, and a photo of the printed page.
    verifier = new_page(phone=True)
    verifier.goto(read_qr((tmp_path / "alice-credential-page.png").read_bytes()))
    expect(verifier.get_by_role("heading", name="Valid credential")).to_be_visible()
    expect(verifier.get_by_text("Alice Avery, license P1000001")).to_be_visible()
    look(verifier, "verify-credential-valid-phone")

    staff = signed_in(world["erin"])
    staff.get_by_role("link", name="Officers", exact=True).click()
    staff.get_by_label("License number or name").fill("P1000002")
    staff.get_by_role("button", name="Search").click()
    staff.get_by_role("link", name="Ben Brandt").click()
    look(staff, "staff-officer-records")
    staff.get_by_role("link", name="Reverse").click()
    staff.get_by_label("Reason (the officer reads it)").fill(
        "Left after the first hour; the roster was wrong"
    )
    look(staff, "staff-record-reverse")
    staff.get_by_role("button", name="Reverse the credit").click()
    expect(staff.get_by_text("Credit reversed:")).to_be_visible()

    answer = independent_verify(credentials["ben"])
    assert answer["revoked"] is True, answer
    assert independent_verify(credentials["alice"])["revoked"] is False

    desk = new_page()
    desk.goto("/verify/credential/")
    look(desk, "verify-credential-form")
    desk.locator("#credential-photo").set_input_files(str(tmp_path / "ben-credential-page.png"))
    expect(desk.get_by_role("heading", name="Revoked credential")).to_be_visible()
    expect(desk.get_by_text("REVOKED by the program", exact=False)).to_be_visible()
    look(desk, "verify-credential-revoked")
    ben.goto("/officer/credentials/")
    expect(ben.get_by_text("Left after the first hour", exact=False)).to_be_visible()
    assert json.loads(credentials["ben"])["credentialSubject"]["identifier"][1]["identityHash"] == "P1000002"
