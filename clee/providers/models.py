"""Training providers, their courses (with the split of hours) and offerings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from clee.core.choices import CoreArea, Delivery, ProviderCredit, Subject
from clee.core.models import TimeStamped


def hours_field(**options: Any) -> models.DecimalField[Decimal, Decimal]:
    """Hours to the hundredth, more than zero."""
    return models.DecimalField(
        max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))], **options
    )


class Provider(TimeStamped):
    class Kind(models.TextChoices):
        LICENSED = "licensed", "Licensed training provider"
        IN_SERVICE = "in_service", "Agency in-service"
        OUT_OF_STATE = "out_of_state", "Recognized out-of-state source"
        COLLEGE = "college", "College or university"
        MILITARY = "military", "Military"

    number = models.CharField(max_length=20, unique=True, help_text="POST provider number")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The class of credit its courses earn: approved (licensed academies, out-of-state,
    # colleges) or licensed (in-service, military) unless POST decides otherwise.
    credit_class = models.CharField(max_length=10, choices=ProviderCredit.choices)
    agency = models.ForeignKey(
        "agencies.Agency",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="in_service_providers",
    )
    state = models.CharField(max_length=2, blank=True, help_text="For out-of-state sources")
    approved_from = models.DateField()
    approved_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"

    def approved_on(self, day: dt.date) -> bool:
        return self.approved_from <= day and (self.approved_until is None or day <= self.approved_until)


class Course(TimeStamped):
    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting review"
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"
        WITHDRAWN = "withdrawn", "Withdrawn"

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="courses")
    number = models.CharField(max_length=30)
    title = models.CharField(max_length=200)
    hours = hours_field()
    delivery = models.CharField(max_length=20, choices=Delivery.choices, default=Delivery.LIVE)
    synopsis = models.TextField(blank=True)
    learning_objectives = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    approved_from = models.DateField(null=True, blank=True)
    approved_until = models.DateField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["provider", "number"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "number"], name="course_number_per_provider")
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def approved_on(self, day: dt.date) -> bool:
        return (
            self.status == self.Status.APPROVED
            and self.approved_from is not None
            and self.approved_from <= day
            and (self.approved_until is None or day <= self.approved_until)
        )


class CoursePortion(models.Model):
    """Part of a course's hours in one core area (and subject), with the topic hours inside it.

    The portions of a course add up to its hours; each becomes one credit line of a record.
    """

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="portions")
    core_area = models.CharField(max_length=30, choices=CoreArea.choices)
    subject = models.CharField(max_length=10, choices=Subject.choices, blank=True, default="")
    hours = hours_field()
    topics = models.JSONField(default=dict, blank=True, help_text="topic -> hours inside these hours")

    class Meta:
        ordering = ["course", "id"]


class CourseDocument(models.Model):
    class Kind(models.TextChoices):
        SYNOPSIS = "synopsis", "Synopsis"
        OBJECTIVES = "objectives", "Learning objectives"
        INSTRUCTOR_RECORD = "instructor_record", "Instructor record"
        SAMPLE_CERTIFICATE = "sample_certificate", "Sample certificate"
        OTHER = "other", "Other"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    document = models.ForeignKey("core.Document", on_delete=models.PROTECT, related_name="+")


class Offering(TimeStamped):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="offerings")
    starts_on = models.DateField()
    ends_on = models.DateField()
    location = models.CharField(max_length=200)
    instructors: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "officers.Officer", through="OfferingInstructor", related_name="+"
    )

    class Meta:
        ordering = ["starts_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="offering_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.course} on {self.starts_on}"


class OfferingInstructor(models.Model):
    """An officer who taught an offering: one hour of credit per hour taught (seed 001)."""

    offering = models.ForeignKey(Offering, on_delete=models.CASCADE, related_name="teaching")
    officer = models.ForeignKey("officers.Officer", on_delete=models.PROTECT, related_name="teaching")
    hours_taught = hours_field()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["offering", "officer"], name="one_instructor_row")]


class RecognizedCourse(TimeStamped):
    """An out-of-state course POST recognizes, with the split of its hours over core areas POST
    recommends (like the training center's list in seed 000). When an officer asks for credit
    for such a course, the reviewer's decision starts from this split."""

    source = models.CharField(max_length=10, help_text="The recognizing state (two letters) or IADLEST")
    provider_name = models.CharField(max_length=200)
    number = models.CharField(max_length=30, blank=True, help_text="The course's number at its source")
    title = models.CharField(max_length=200)
    hours = hours_field()
    delivery = models.CharField(max_length=20, choices=Delivery.choices, default=Delivery.LIVE)
    # [{"core_area", "subject", "hours", "topics": {topic: hours}}], hours as text ("2.5").
    recommended_split = models.JSONField(default=list)
    recognized_from = models.DateField()
    recognized_until = models.DateField(null=True, blank=True)
    notes = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["source", "title"]
        indexes = [models.Index(fields=["source", "title"])]

    def __str__(self) -> str:
        return f"{self.source}: {self.title}"


class RosterUpload(models.Model):
    """A completion roster a provider's staff uploaded and is previewing, kept until confirmed.

    The file waits here, not in the session or on one web server's disk, so any web process can
    confirm it; the confirm names the SHA-256 of the file previewed and is refused when the
    stored bytes are not those. Applying the roster deletes the row; an unconfirmed one is
    dropped after a day.
    """

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="roster_uploads")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.provider.number})"
