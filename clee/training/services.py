"""Training records' building blocks: the entries and credit lines a write takes, a course's
credit lines, and certificate codes.

The writes that change compliance results live above this app (issue 15: training knows nothing
of compliance): recording and reversing in ``clee.compliance.records``, issuing a certificate in
``clee.compliance.certificates``, credit requests in ``clee.workflows.credit_requests``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from clee.core.errors import ServiceError
from clee.providers.models import Course
from clee.training.models import TrainingRecord


@dataclass(frozen=True)
class LineSpec:
    core_area: str
    hours: Decimal
    subject: str = ""
    topics: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordEntry:
    """One completion to record. ``lines`` default to the course's portions."""

    officer_id: int
    completed_on: dt.date
    hours: Decimal
    source: str
    credit_class: str
    delivery: str
    lines: tuple[LineSpec, ...]
    course_id: int | None = None
    offering_id: int | None = None
    description: str = ""
    state: str = ""
    semester_hours: Decimal | None = None
    status: str = TrainingRecord.Status.ACCEPTED
    # POST's reason for recognizing an out-of-state course not on the list for its date.
    recognized_by: str = ""
    review_note: str = ""  # why a record is held for POST's review


def course_lines(course: Course, hours: Decimal | None = None) -> tuple[LineSpec, ...]:
    """The credit lines of ``hours`` of ``course`` (all of it by default), scaled by portion."""
    portions = list(course.portions.all())
    if not portions:
        raise ServiceError(f"course {course.number} has no split of its hours over core areas")
    scale = Decimal(1) if hours is None or hours == course.hours else hours / course.hours
    return tuple(
        LineSpec(
            core_area=p.core_area,
            subject=p.subject,
            hours=(p.hours * scale).quantize(Decimal("0.01")),
            topics={k: float(Decimal(str(v)) * scale) for k, v in p.topics.items()},
        )
        for p in portions
    )


# Certificates -----------------------------------------------------------------------------

# Crockford's base 32: no I, L, O or U, so a code read aloud or retyped is not misread.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12  # 60 random bits: guessing a valid code is hopeless


def certificate_code_normalize(text: str) -> str:
    """A typed code in its stored form: capitals, no spaces or dashes, O read as 0 and I, L as 1."""
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    return cleaned.translate(str.maketrans("OIL", "011"))


def certificate_code_new() -> str:
    """A new random certificate code."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
