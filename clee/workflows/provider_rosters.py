"""A provider's completion rosters sent through the portal: upload, preview, confirm.

The uploaded file waits in a ``RosterUpload`` row between the preview and the confirm (for
``clee.providers.rosters.UPLOAD_KEPT``; any web process can confirm it: nothing lives in one
process's memory or on one server's disk). The confirm names the SHA-256 of the file that was
previewed; a stored file that is not that one is refused. Applying goes through
``clee.imports.services.import_apply`` (all or nothing; a re-sent roster adds nothing), then
brings the credit of the instructors of the offerings concerned in line, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from typing import TYPE_CHECKING

from django.db import transaction

from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.errors import ServiceError
from clee.imports.report import ImportReport
from clee.imports.services import import_apply
from clee.imports.tables import MAX_BYTES, Table, table_from_upload
from clee.providers.models import Offering, Provider, RosterUpload
from clee.providers.rosters import uploads_kept_since
from clee.training.models import ImportBatch, TrainingRecord
from clee.workflows.instructor_credit import offering_instructors_credit

if TYPE_CHECKING:
    from clee.accounts.models import User


@transaction.atomic
def roster_upload_store(
    *, provider: Provider, file_name: str, content: bytes, acting_user: User
) -> RosterUpload:
    """Keep an uploaded roster for its preview and confirm; returns the stored upload.

    Refuses an empty or oversized file and an account that does not send this provider's
    rosters; what the file holds is the preview's business. Uploads left unconfirmed for a
    day are dropped here.
    """
    statewide = bool(getattr(acting_user, "is_statewide", False))
    if not statewide and getattr(acting_user, "provider_id", None) != provider.pk:
        raise ServiceError("this account may not report completions for this provider", field="file")
    if not content.strip():
        raise ServiceError(f"{file_name}: the file is empty", field="file")
    if len(content) > MAX_BYTES:
        raise ServiceError(
            f"{file_name}: {len(content) / 1e6:.1f} MB is over the {MAX_BYTES // (1024 * 1024)} MB limit",
            field="file",
        )
    RosterUpload.objects.filter(created_at__lt=uploads_kept_since()).delete()
    upload = RosterUpload.objects.create(
        provider=provider,
        uploaded_by=acting_user,
        file_name=file_name[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        size=len(content),
    )
    record_event(
        actor=acting_user,
        action=AuditAction.ROSTER_UPLOAD,
        target=upload,
        summary=f"uploaded {upload.file_name} for preview",
        data={"sha256": upload.sha256, "size": upload.size},
    )
    return upload


def roster_upload_table(upload: RosterUpload) -> Table:
    """The stored file's table (kept as bytes; read as CSV or XLSX by content)."""
    return table_from_upload(bytes(upload.content), upload.file_name)


@transaction.atomic
def roster_upload_apply(*, upload: RosterUpload, sha256: str, acting_user: User | None) -> ImportReport:
    """Apply a previewed roster, all or nothing; returns the import's report (``applied`` says
    whether it was written, ``errors`` why not).

    Refused (``ServiceError``) when the upload was already applied or has expired, or when the
    stored file is not the one previewed (``sha256``). Applied, the upload is deleted and the
    instructors of the offerings whose students were recorded get their credit corrected, so
    nobody is credited twice for the same hours.
    """
    stored = (
        RosterUpload.objects.select_for_update()
        .select_related("provider")
        .filter(pk=upload.pk, created_at__gte=uploads_kept_since())
        .first()
    )
    if stored is None:
        raise ServiceError("this roster was already recorded, or waited too long: upload the file again")
    content = bytes(stored.content)
    if sha256 != stored.sha256 or hashlib.sha256(content).hexdigest() != stored.sha256:
        raise ServiceError(
            "the file is not the one you previewed: upload it again and check the new preview", field="file"
        )
    report = roster_apply(
        provider=stored.provider, table=roster_upload_table(stored), acting_user=acting_user
    )
    if report.applied:
        stored.delete()
    return report


@transaction.atomic
def roster_apply(*, provider: Provider, table: Table, acting_user: User | None) -> ImportReport:
    """Record a provider's completion roster (a file's table, or rows) through the import service, all
    or nothing (a completion already on file is not added again); returns its report. Applied,
    the instructors of the offerings whose students were recorded get their credit corrected,
    so nobody is credited twice for the same hours."""
    report = import_apply(
        kind=ImportBatch.Kind.ROSTER,
        table=table,
        actor=acting_user,
        provider=provider,
    )
    if report.applied and report.batch is not None:
        for offering in _offerings_taught_by_students(report.batch):
            offering_instructors_credit(offering=offering, acting_user=acting_user)
    return report


def _offerings_taught_by_students(batch: ImportBatch) -> list[Offering]:
    """The offerings whose instructors include an officer the batch recorded as a student of
    the same course within the offering's dates."""
    days_of: dict[tuple[int, int | None], list[dt.date]] = defaultdict(list)
    for officer_id, course_id, day in TrainingRecord.objects.filter(import_batch=batch).values_list(
        "officer_id", "course_id", "completed_on"
    ):
        days_of[officer_id, course_id].append(day)
    if not days_of:
        return []
    every_day = [day for days in days_of.values() for day in days]
    candidates = (
        Offering.objects.filter(
            course_id__in={course_id for _, course_id in days_of},
            teaching__officer_id__in={officer_id for officer_id, _ in days_of},
            starts_on__lte=max(every_day),
            ends_on__gte=min(every_day),
        )
        .distinct()
        .prefetch_related("teaching")
    )
    return [
        offering
        for offering in candidates
        if any(
            offering.starts_on <= day <= offering.ends_on
            for teaching in offering.teaching.all()
            for day in days_of.get((teaching.officer_id, offering.course_id), ())
        )
    ]
