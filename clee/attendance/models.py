"""Same-day attendance: a provider runs a session of an offering, officers check in and out by
scanning its rotating QR code, and the provider confirms the list as the completion roster."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from clee.core.models import TimeStamped


class AttendanceSession(TimeStamped):
    class Status(models.TextChoices):
        OPEN = "open", "Open: officers are checking in"
        ENDED = "ended", "Check-in ended: the list awaits confirmation"
        CONFIRMED = "confirmed", "Confirmed: completions recorded"

    offering = models.ForeignKey("providers.Offering", on_delete=models.PROTECT, related_name="attendance")
    day = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The roster the confirmed list was recorded as (the normal roster path).
    batch = models.ForeignKey(
        "training.ImportBatch", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One session at a time per offering, and its completions recorded once.
            models.UniqueConstraint(
                fields=["offering"], condition=Q(status__in=["open", "ended"]), name="one_running_session"
            ),
            models.UniqueConstraint(
                fields=["offering"], condition=Q(status="confirmed"), name="one_confirmed_session"
            ),
        ]

    def __str__(self) -> str:
        return f"attendance of offering {self.offering_id} on {self.day}"


class AttendanceEntry(TimeStamped):
    """An officer on a session's list: checked in (and out) by scanning, or added by the provider."""

    session = models.ForeignKey(AttendanceSession, on_delete=models.CASCADE, related_name="entries")
    officer = models.ForeignKey("officers.Officer", on_delete=models.PROTECT, related_name="attendance")
    checked_in_at = models.DateTimeField()
    checked_out_at = models.DateTimeField(null=True, blank=True)
    added_by_provider = models.BooleanField(default=False)

    class Meta:
        ordering = ["checked_in_at", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "officer"], name="one_entry_per_officer")]


class AttendanceScan(models.Model):
    """One use of one code by one officer: a code (a time window) serves an officer once, so a
    scan saved and sent again is refused."""

    class Action(models.TextChoices):
        CHECK_IN = "in", "Checked in"
        CHECK_OUT = "out", "Checked out"

    session = models.ForeignKey(AttendanceSession, on_delete=models.CASCADE, related_name="scans")
    officer = models.ForeignKey("officers.Officer", on_delete=models.PROTECT, related_name="+")
    window = models.BigIntegerField()
    action = models.CharField(max_length=3, choices=Action.choices)
    scanned_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "officer", "window"], name="one_scan_per_code")
        ]
