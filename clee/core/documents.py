"""Storing uploaded documents: PDF, PNG or JPEG only, size-limited, and proved by being read.

The first bytes only say what a file claims to be (``%PDF-`` followed by a web page or a
program is no PDF). A document is opened by a real reader (pypdf for a PDF, Pillow for an
image) and written anew from what the reader understood: a PDF keeps its pages (their
scripts, launch actions and embedded files left behind), an image its pixels (its metadata,
such as where a photo was taken, left behind). What cannot be read that way is refused with
the reason; what is kept is the document written anew.
"""

from __future__ import annotations

import hashlib
import io
import logging
import warnings
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.errors import ServiceError
from clee.core.models import Document

logger = logging.getLogger(__name__)

# Leading bytes of each accepted kind; the name and the browser's content type are not trusted.
SIGNATURES = (
    (b"%PDF-", Document.Kind.PDF),
    (b"\x89PNG\r\n\x1a\n", Document.Kind.PNG),
    (b"\xff\xd8\xff", Document.Kind.JPEG),
)
# A certificate, a transcript, an agenda: a few pages; a scan at 600 dpi of a letter page is
# about 34 million pixels.
MAX_PAGES = 500
MAX_PIXELS = 60_000_000
# Actions a PDF page or annotation may carry that run something or send something somewhere.
UNSAFE_ACTIONS = {
    "/JavaScript",
    "/Launch",
    "/SubmitForm",
    "/ImportData",
    "/ResetForm",
    "/Rendition",
    "/GoToR",
}


def sniff_kind(content: bytes) -> Document.Kind | None:
    for signature, kind in SIGNATURES:
        if content.startswith(signature):
            return kind
    return None


@dataclass(frozen=True)
class Checked:
    kind: Document.Kind
    content: bytes  # the document as written anew


def document_check(content: bytes, original_name: str) -> Checked:
    """The document read and written anew, or ``ServiceError`` saying why it is refused."""
    limit = settings.DOCUMENT_MAX_BYTES
    if not content:
        raise ServiceError(f"{original_name}: the file is empty", field="file")
    if len(content) > limit:
        raise ServiceError(
            f"{original_name}: {len(content) / 1e6:.1f} MB is over the {limit / 1e6:.0f} MB limit",
            field="file",
        )
    kind = sniff_kind(content)
    if kind is None:
        raise ServiceError(f"{original_name}: only PDF, PNG and JPEG documents are accepted", field="file")
    rewrite = _pdf if kind == Document.Kind.PDF else _image
    return Checked(kind, rewrite(content, kind, original_name))


def _refused(original_name: str, kind: Document.Kind, reason: str) -> ServiceError:
    return ServiceError(
        f"{original_name}: this is not a readable {kind.label} ({reason}); save or scan it again and "
        "upload that file",
        field="file",
    )


def _pdf(content: bytes, kind: Document.Kind, original_name: str) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import NameObject

    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            raise _refused(original_name, kind, "it is password-protected, so reviewers could not open it")
        pages = len(reader.pages)
        if pages == 0:
            raise _refused(original_name, kind, "it has no pages")
        if pages > MAX_PAGES:
            raise _refused(original_name, kind, f"it has {pages:,} pages; at most {MAX_PAGES} are accepted")
        writer = PdfWriter()
        for page in reader.pages:
            page.mediabox  # noqa: B018 (read: a page without a readable size is no page)
            page.get_contents()
            added = writer.add_page(page)
            added.pop(NameObject("/AA"), None)
            for annotation in added.get("/Annots") or []:
                _disarm(annotation.get_object())
        writer.pdf_header = reader.pdf_header
        out = io.BytesIO()
        writer.write(out)
    except ServiceError:
        raise
    except Exception as error:  # pypdf raises many kinds on a malformed file
        logger.info("unreadable PDF %r: %r", original_name, error)
        raise _refused(original_name, kind, "its structure cannot be read") from None
    return out.getvalue()


def _disarm(annotation: Any) -> None:
    """Take from an annotation (a link, a form field) any action that runs or sends something."""
    from pypdf.generic import NameObject

    if not hasattr(annotation, "get"):
        return
    annotation.pop(NameObject("/AA"), None)
    action = annotation.get("/A")
    if action is not None and str(action.get_object().get("/S")) in UNSAFE_ACTIONS:
        annotation.pop(NameObject("/A"), None)


def _image(content: bytes, kind: Document.Kind, original_name: str) -> bytes:
    from PIL import Image, ImageOps, UnidentifiedImageError

    expected = "PNG" if kind == Document.Kind.PNG else "JPEG"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content), formats=[expected]) as probe:
                if probe.width * probe.height > MAX_PIXELS:
                    raise _refused(
                        original_name,
                        kind,
                        f"{probe.width}×{probe.height} pixels is larger than a scanned page",
                    )
                probe.verify()
            with Image.open(io.BytesIO(content), formats=[expected]) as image:
                image.load()
                upright = ImageOps.exif_transpose(image) or image
                out = io.BytesIO()
                if kind == Document.Kind.PNG:
                    upright.save(out, format="PNG")
                else:
                    if upright.mode not in ("RGB", "L"):
                        upright = upright.convert("RGB")
                    upright.save(out, format="JPEG", quality=92)
    except ServiceError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
        logger.info("unreadable image %r: %r", original_name, error)
        raise _refused(original_name, kind, "it cannot be decoded as an image") from None
    except Exception as error:  # Pillow raises OSError, SyntaxError, ValueError ... on a bad file
        logger.info("unreadable image %r: %r", original_name, error)
        raise _refused(original_name, kind, "it cannot be decoded as an image") from None
    return out.getvalue()


@transaction.atomic
def document_store(*, content: bytes, original_name: str, actor: Any) -> Document:
    """Keep one uploaded document, read and written anew (``document_check``); refuse anything
    but a readable PDF, PNG or JPEG and anything too large."""
    checked = document_check(content, original_name)
    stored = checked.content
    digest = hashlib.sha256(stored).hexdigest()
    document = Document(
        original_name=original_name[:255],
        content_type=checked.kind,
        size=len(stored),
        sha256=digest,
        uploaded_by=actor,
    )
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}[str(checked.kind)]
    # Files are named by content: a rolled-back transaction can leave an unreferenced file
    # behind, never a record without its file.
    document.file.save(f"{digest[:24]}.{extension}", ContentFile(stored), save=False)
    document.save()
    record_event(
        actor=actor,
        action=AuditAction.DOCUMENT_STORE,
        target=document,
        summary=f"stored {original_name}",
        data={"uploaded_bytes": len(content), "stored_bytes": len(stored), "kind": str(checked.kind)},
    )
    return document
