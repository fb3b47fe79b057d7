"""Storing uploaded documents: PDF, PNG or JPEG only, judged by content, size-limited."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from clee.core.audit import record_event
from clee.core.errors import ServiceError
from clee.core.models import Document

# Leading bytes of each accepted kind; the name and the browser's content type are not trusted.
SIGNATURES = (
    (b"%PDF-", Document.Kind.PDF),
    (b"\x89PNG\r\n\x1a\n", Document.Kind.PNG),
    (b"\xff\xd8\xff", Document.Kind.JPEG),
)


def sniff_kind(content: bytes) -> Document.Kind | None:
    for signature, kind in SIGNATURES:
        if content.startswith(signature):
            return kind
    return None


@transaction.atomic
def document_store(*, content: bytes, original_name: str, actor: Any) -> Document:
    """Keep one uploaded document; refuse anything but PDF/PNG/JPEG and anything too large."""
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
    digest = hashlib.sha256(content).hexdigest()
    document = Document(
        original_name=original_name[:255],
        content_type=kind,
        size=len(content),
        sha256=digest,
        uploaded_by=actor,
    )
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}[str(kind)]
    # Files are named by content: a rolled-back transaction can leave an unreferenced file
    # behind, never a record without its file.
    document.file.save(f"{digest[:24]}.{extension}", ContentFile(content), save=False)
    document.save()
    record_event(actor=actor, action="document.store", target=document, summary=f"stored {original_name}")
    return document
