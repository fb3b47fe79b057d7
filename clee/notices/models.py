"""Notices by email: the calendar of a period, each step's run, and every notice (the log)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Step(models.TextChoices):
    """The dates of a period's notice calendar, in the order they come."""

    REMINDER_OCT = "reminder_oct", "October reminder"
    REMINDER_NOV = "reminder_nov", "November reminder"
    REMINDER_DEC = "reminder_dec", "December reminder"
    DEFICIENCY = "deficiency", "Deficiency notice"
    FINAL = "final", "Final notice before the grace deadline"
    DIRECTOR_LIST = "director_list", "Non-compliant list to the Director"
    # Not a calendar date: sent when the daily license-expiry job expires a license.
    LICENSE_EXPIRED = "license_expired", "License expired"


class NoticeKind(models.TextChoices):
    REMINDER_OCT = "reminder_oct", "October reminder"
    REMINDER_NOV = "reminder_nov", "November reminder"
    REMINDER_DEC = "reminder_dec", "December reminder"
    DEFICIENCY = "deficiency", "Deficiency notice"
    FINAL = "final", "Final notice"
    AGENCY_LIST = "agency_list", "Agency list"
    DIRECTOR_LIST = "director_list", "Director's non-compliant list"
    LICENSE_EXPIRED = "license_expired", "License expired"


class NoticeCalendar(models.Model):
    """A period's own notice dates, when they differ from the defaults (``clee.notices.calendar``)."""

    period = models.OneToOneField(
        "compliance.ReportingPeriod", on_delete=models.CASCADE, related_name="notice_calendar"
    )
    reminder_oct = models.DateField(null=True, blank=True)
    reminder_nov = models.DateField(null=True, blank=True)
    reminder_dec = models.DateField(null=True, blank=True)
    deficiency = models.DateField(null=True, blank=True)
    final = models.DateField(null=True, blank=True)
    director_list = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Notice calendar {self.period}"


class NoticeRun(models.Model):
    """One calendar step of one period, prepared once: the job's record of what it did."""

    period = models.ForeignKey("compliance.ReportingPeriod", on_delete=models.CASCADE, related_name="+")
    step = models.CharField(max_length=20, choices=Step.choices)
    scheduled_on = models.DateField()
    prepared_on = models.DateField()
    # A step passed over because a later one was already due when the job ran (a server down
    # for weeks): officers get the latest notice, not a pile of stale ones.
    skipped = models.BooleanField(default=False)
    officer_notices = models.PositiveIntegerField(default=0)
    without_address = models.PositiveIntegerField(default=0)
    list_notices = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["period", "step"], name="one_notice_run_per_step")]

    def __str__(self) -> str:
        return f"{self.get_step_display()} {self.period}"


class Notice(models.Model):
    """One notice to one recipient; an officer's notices are their notification log."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        # Claimed by one sender (``claimed_by``) until ``claimed_until``: handed to the mail
        # server now, or by a sender that died (the claim then expires and it is sent again).
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        NO_ADDRESS = "no_address", "No email on file: listed for the agency"
        WITHDRAWN = "withdrawn", "Withdrawn: no longer due when it could be sent"

    # The officer the notice is about (officer notices), or the administrator or Director it
    # goes to (list notices); one of the two is set.
    officer = models.ForeignKey(
        "officers.Officer", null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notices"
    )
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    period = models.ForeignKey("compliance.ReportingPeriod", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    step = models.CharField(max_length=20, choices=Step.choices)
    recipient = models.EmailField(blank=True)
    # What the notice says, as prepared: the log shows what was sent even after the result changes.
    content = models.JSONField(default=dict)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    next_attempt_at = models.DateTimeField()
    # Who is sending it now (host:pid:token of the sender) and until when the claim holds.
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["officer", "period", "kind"],
                condition=Q(officer__isnull=False),
                name="one_notice_per_officer_kind",
            ),
            models.UniqueConstraint(
                fields=["user", "agency", "period", "kind", "step"],
                condition=Q(user__isnull=False, agency__isnull=False),
                name="one_agency_list_per_step",
            ),
            models.UniqueConstraint(
                fields=["user", "period", "kind", "step"],
                condition=Q(user__isnull=False, agency__isnull=True),
                name="one_director_list_per_step",
            ),
            models.CheckConstraint(
                condition=Q(officer__isnull=False) | Q(user__isnull=False), name="notice_has_a_subject"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notice_due"),
            models.Index(fields=["officer", "created_at"], name="notice_officer_log"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.period} to {self.recipient or 'nobody'}"
