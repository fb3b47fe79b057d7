"""Documents proved by being read (security review, issue 13): a file whose first bytes say PDF
but whose body is a web page or a program is refused, as is an image that does not decode; what
is kept is written anew (a PDF's pages without its scripts, an image's pixels without its
metadata). Through the officer's credit request form, as an officer sends evidence, and through
the API's course submission."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from clee.core.models import Document
from clee.demo.pdf import tiny_pdf
from clee.training.models import CreditRequest
from tests.api.conftest import Api, error_of, provider_api
from tests.portals.test_officer_requests import NEW, out_of_state
from tests.portals.test_officer_support import PDF, client_of

pytestmark = pytest.mark.django_db
__all__ = ["provider_api"]  # a fixture, used by name


def send(certificate: bytes, name: str = "certificate.pdf") -> Any:
    form = out_of_state(certificate=[SimpleUploadedFile(name, certificate, content_type="application/pdf")])
    return client_of("alice").post(NEW, form)


def scripted_pdf() -> bytes:
    """A real PDF that runs JavaScript when opened and when its page is shown."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(tiny_pdf("Certificate"))))
    script = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
    )
    writer._root_object[NameObject("/OpenAction")] = script
    writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): script})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def jpeg_with_location() -> bytes:
    image = Image.new("RGB", (64, 48), "white")
    exif = Image.Exif()
    exif[0x8825] = {2: (38.0, 34.0, 0.0), 1: "N"}  # GPS: where the photo was taken
    exif[0x010F] = "Phone maker"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (
            b"%PDF-1.7\n<html><body><script>alert(document.cookie)</script></body></html>",
            "not a readable PDF",
        ),
        (b"%PDF-1.4\nMZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 400, "not a readable PDF"),
        (b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n", "not a readable PDF"),
        (b"\x89PNG\r\n\x1a\n" + b"<?php system($_GET['c']); ?>" * 4, "not a readable PNG image"),
        (b"\xff\xd8\xff\xe0" + b"not a picture at all" * 10, "not a readable JPEG image"),
    ],
    ids=["PDF header over a web page", "PDF header over a program", "PDF without pages", "PNG", "JPEG"],
)
def test_a_file_that_only_starts_like_a_document_is_refused(
    world: dict[str, Any], content: bytes, reason: str
) -> None:
    response = send(content)
    assert response.status_code == 200  # the form again, with the reason
    assert reason in response.content.decode()
    assert not CreditRequest.objects.exists()
    assert not Document.objects.exists()


def test_a_password_protected_pdf_is_refused_with_the_reason(world: dict[str, Any]) -> None:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(PDF)))
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    response = send(out.getvalue())
    assert response.status_code == 200
    assert "password-protected" in response.content.decode()


def test_an_image_that_decodes_to_more_pixels_than_a_scanned_page_is_refused(world: dict[str, Any]) -> None:
    out = io.BytesIO()
    Image.new("1", (12_000, 6_000)).save(out, format="PNG")  # a few KB, 72 million pixels
    response = send(out.getvalue(), "huge.png")
    assert response.status_code == 200
    assert "larger than a scanned page" in response.content.decode()


def test_a_pdf_is_kept_with_its_pages_but_without_its_scripts(world: dict[str, Any]) -> None:
    content = scripted_pdf()
    assert b"/JavaScript" in content
    assert send(content).status_code == 302
    stored = Document.objects.get(original_name="certificate.pdf").file.read()
    assert b"/JavaScript" not in stored
    assert b"/OpenAction" not in stored
    reader = PdfReader(io.BytesIO(stored))
    assert len(reader.pages) == 1
    assert "Certificate" in reader.pages[0].extract_text()


def test_a_photo_is_kept_upright_without_where_it_was_taken(world: dict[str, Any]) -> None:
    content = jpeg_with_location()
    assert Image.open(io.BytesIO(content)).getexif().get(0x8825)
    assert send(content, "certificate.jpg").status_code == 302
    document = Document.objects.get(original_name="certificate.jpg")
    kept = Image.open(document.file)
    assert (kept.format, kept.size) == ("JPEG", (64, 48))
    assert not kept.getexif(), "the photo's metadata (location, device) is not kept"
    assert document.size == document.file.size


def test_the_api_refuses_a_course_document_that_only_starts_like_a_pdf(
    world: dict[str, Any], provider_api: Api
) -> None:
    from tests.api.test_courses import submission

    body = submission()
    body["documents"][0]["content_base64"] = base64.b64encode(b"%PDF-1.4\n<html>hello</html>").decode()
    response = provider_api.post("/api/v1/courses/", body)
    assert response.status_code == 422
    assert "not a readable PDF" in error_of(response)["message"]
    assert not Document.objects.exists()
