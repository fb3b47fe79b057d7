"""Training records (with their credit lines), credit requests and import batches."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from clee.core.choices import CoreArea, Delivery, ProviderCredit, Source, Subject
from clee.core.models import TimeStamped
from clee.core.periods import DatedPeriod
from clee.core.wording import day_text
from clee.providers.models import hours_field


class ImportBatch(TimeStamped):
    """One applied roster or onboarding file: what it was, who sent it, what it added."""

    class Kind(models.TextChoices):
        ROSTER = "roster", "Completion roster"
        AGENCIES = "agencies", "Agencies"
        OFFICERS = "officers", "Officers"
        COMMISSIONS = "commissions", "Commissions"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey("providers.Provider", null=True, blank=True, on_delete=models.PROTECT)
    agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.PROTECT)
    rows = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    already_present = models.PositiveIntegerField(default=0)


class TrainingRecordQuerySet(models.QuerySet["TrainingRecord"]):
    def counting_in(self, period: DatedPeriod) -> TrainingRecordQuerySet:
        """Records that belong to ``period``: completed in it and not applied elsewhere, or
        applied to it as make-up training."""
        return self.filter(
            Q(completed_on__gte=period.starts, completed_on__lte=period.ends, applied_to_year__isnull=True)
            | Q(applied_to_year=period.year)
        )


class TrainingRecord(TimeStamped):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    # No index of its own: the (officer, completed_on) index below serves every officer lookup.
    officer = models.ForeignKey(
        "officers.Officer", on_delete=models.PROTECT, related_name="training_records", db_index=False
    )
    course = models.ForeignKey("providers.Course", null=True, blank=True, on_delete=models.PROTECT)
    offering = models.ForeignKey("providers.Offering", null=True, blank=True, on_delete=models.PROTECT)
    description = models.CharField(max_length=200, blank=True, help_text="For training without a course")
    completed_on = models.DateField()
    hours = hours_field()
    semester_hours = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.COURSE)
    credit_class = models.CharField(max_length=10, choices=ProviderCredit.choices)
    delivery = models.CharField(max_length=20, choices=Delivery.choices, default=Delivery.LIVE)
    state = models.CharField(max_length=10, blank=True, help_text="Out-of-state source: state or IADLEST")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACCEPTED)
    # Why a pending record is held for POST's review (an agency's training without an approved
    # in-service course), or why POST refused it: the officer and the agency see it.
    review_note = models.CharField(max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    import_batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.PROTECT)
    documents = models.ManyToManyField("core.Document", blank=True, related_name="+")
    # Make-up training: completed after a deficient period and applied to it by POST staff, it
    # counts in that period (this year) and in no other (clee.compliance.makeup).
    applied_to_year = models.PositiveSmallIntegerField(null=True, blank=True)
    # An out-of-state course POST recognized by a decision of its own, though its source was not
    # on the recognized list for its date: the reviewer's reason (it then counts; seed 000).
    recognized_by = models.CharField(max_length=300, blank=True)

    objects = TrainingRecordQuerySet.as_manager()

    class Meta:
        ordering = ["officer", "completed_on", "id"]
        indexes = [
            models.Index(fields=["officer", "completed_on"]),
            models.Index(fields=["completed_on"]),
            models.Index(
                fields=["applied_to_year", "officer"],
                condition=Q(applied_to_year__isnull=False),
                name="record_applied_to_period",
            ),
        ]
        constraints = [
            # The same completion reported twice (a re-sent roster) is one record.
            models.UniqueConstraint(
                fields=["officer", "course", "completed_on"],
                condition=Q(course__isnull=False),
                name="one_record_per_course_completion",
            ),
        ]

    def __str__(self) -> str:
        what = self.course.title if self.course_id and self.course else self.description
        return f"{what} on {day_text(self.completed_on)}"


class CreditLine(models.Model):
    """Hours of a record in one core area (and subject), with topic hours inside them.

    A line is a credit of the rules engine's scenario contract: exporting an officer's
    period turns each line into one credit.
    """

    record = models.ForeignKey(TrainingRecord, on_delete=models.CASCADE, related_name="lines")
    core_area = models.CharField(max_length=30, choices=CoreArea.choices)
    subject = models.CharField(max_length=10, choices=Subject.choices, blank=True, default="")
    hours = hours_field()
    topics = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["record", "id"]


class CreditRequest(TimeStamped):
    """An officer's claim for training POST has not seen: a reviewer decides areas and hours."""

    class Kind(models.TextChoices):
        OUT_OF_STATE = "out_of_state", "Out-of-state course"
        COLLEGE = "college", "College course"
        MILITARY = "military", "Military training"
        INSTRUCTION = "instruction", "Courses taught"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Awaiting review"
        APPROVED = "approved", "Approved"
        DENIED = "denied", "Denied"

    officer = models.ForeignKey("officers.Officer", on_delete=models.PROTECT, related_name="credit_requests")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200)
    completed_on = models.DateField()
    hours = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    semester_hours = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    state = models.CharField(max_length=10, blank=True)
    provider_name = models.CharField(max_length=200, blank=True)
    details = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True)

    class Counts(models.TextChoices):
        ALL = "all", "Counts"
        PART = "part", "Counts only in part"
        NONE = "none", "Does not count"

    # What the rules do with approved credit, and, when not all of it counts, why, in the
    # officer's words: an officer is never shown a plain "Approved" for credit that does not count.
    counts = models.CharField(max_length=4, choices=Counts.choices, blank=True)
    effect_note = models.CharField(max_length=1000, blank=True)
    record = models.OneToOneField(
        TrainingRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="credit_request"
    )
    # Why an out-of-state source was not on the recognized list for the completion date, as it
    # stood when the request was sent (staff see the list as it stands when they decide). Such a
    # request is never refused at the door: a person decides it, with the reason recorded.
    recognition_issue = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    @property
    def shown_status(self) -> str:
        """``Approved``, ``Approved, does not count``, ``Approved, counts only in part``, ..."""
        if self.status == self.Status.APPROVED and self.counts in (self.Counts.PART, self.Counts.NONE):
            return f"Approved, {self.get_counts_display().lower()}"
        return self.get_status_display()


class RequestDocument(models.Model):
    class Kind(models.TextChoices):
        CERTIFICATE = "certificate", "Certificate of completion"
        AFFIRMATION = "affirmation", "Other state's affirmation"
        AGENDA = "agenda", "Agenda or course description"
        TRANSCRIPT = "transcript", "College transcript"
        STATEMENT = "statement", "Written statement"
        OTHER = "other", "Other"

    request = models.ForeignKey(CreditRequest, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    document = models.ForeignKey("core.Document", on_delete=models.PROTECT, related_name="+")


class Certificate(TimeStamped):
    """A compliance certificate an officer took for a period. Its code lets anyone (another
    state's POST, an employer) check it at ``/verify/<code>/``, which shows the status *now*:
    a certificate is a pointer to the record, never a copy that can go stale unnoticed."""

    officer = models.ForeignKey("officers.Officer", on_delete=models.PROTECT, related_name="certificates")
    period = models.ForeignKey("compliance.ReportingPeriod", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=12, unique=True)
    # The period's result when the certificate was issued: compliant or exempt.
    status = models.CharField(max_length=10)
    counted_hours = models.DecimalField(max_digits=7, decimal_places=2)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["officer", "period"], name="one_certificate_per_period")
        ]

    def __str__(self) -> str:
        return f"certificate {self.shown_code}"

    @property
    def shown_code(self) -> str:
        """The code in groups of four, as printed: ``K7QX-3M9P-2D4R``."""
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))


class RecordReversal(models.Model):
    """POST staff took back a credit: the record is rejected (kept on file, counting nowhere),
    with who did it, when and why. The officer sees the reason on the transcript."""

    record = models.OneToOneField(TrainingRecord, on_delete=models.PROTECT, related_name="reversal")
    reason = models.CharField(max_length=300)
    reversed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reversed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"reversal of record {self.record_id}"
