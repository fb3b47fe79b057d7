"""Writes about the catalog of recognized out-of-state courses: each entry with the split of
its hours POST recommends."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction

from clee.core.changes import refuse_invalid, snapshot
from clee.core.errors import ServiceError
from clee.core.wording import ends_before
from clee.providers.courses import PortionSpec, course_split_validate
from clee.providers.models import RecognizedCourse
from clee.providers.services import audit_save

if TYPE_CHECKING:
    from clee.accounts.models import User

RECOGNIZED_FIELDS = (
    "source",
    "provider_name",
    "number",
    "title",
    "hours",
    "delivery",
    "recommended_split",
    "recognized_from",
    "recognized_until",
    "notes",
)


def recognized_split(entry: RecognizedCourse) -> list[PortionSpec]:
    """A catalog entry's recommended split, as specs (what pre-fills a reviewer's decision)."""
    return [
        PortionSpec(
            core_area=part["core_area"],
            subject=part.get("subject", ""),
            hours=Decimal(str(part["hours"])),
            topics={topic: Decimal(str(hours)) for topic, hours in part.get("topics", {}).items()},
        )
        for part in entry.recommended_split
    ]


@transaction.atomic
def recognized_course_save(
    *, entry: RecognizedCourse, split: Sequence[PortionSpec], acting_user: User | None
) -> RecognizedCourse:
    """Add or change a catalog entry with its recommended split, which must account for every
    hour of the course."""
    created = entry.pk is None
    stored = None if created else RecognizedCourse.objects.select_for_update().get(pk=entry.pk)
    before = {} if stored is None else snapshot(stored, RECOGNIZED_FIELDS)
    entry.source = entry.source.strip().upper()
    entry.title = entry.title.strip()
    entry.provider_name = entry.provider_name.strip()
    entry.number = entry.number.strip().upper()
    if not entry.title:
        raise ServiceError("a course title is required", field="title")
    course_split_validate(hours=entry.hours, portions=split, approved=True)
    if entry.recognized_until is not None and entry.recognized_until < entry.recognized_from:
        raise ServiceError(
            ends_before("recognition", entry.recognized_from, entry.recognized_until),
            field="recognized_until",
        )
    entry.recommended_split = [p.as_dict() for p in split]
    refuse_invalid(entry)
    entry.save()
    audit_save(
        target=entry,
        kind="recognized_course",
        created=created,
        before=before,
        after=snapshot(entry, RECOGNIZED_FIELDS),
        acting_user=acting_user,
    )
    return entry
