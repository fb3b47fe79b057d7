"""Peace officers, their licenses and commissions."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q

from clee.core.models import TimeStamped


class LicenseStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    EXPIRED = "expired", "Expired"
    REVOKED = "revoked", "Revoked"


class Officer(TimeStamped):
    license_number = models.CharField(max_length=20, unique=True)
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    date_of_birth = models.DateField()
    email = models.EmailField(blank=True)
    license_status = models.CharField(
        max_length=10, choices=LicenseStatus.choices, default=LicenseStatus.ACTIVE
    )
    licensed_on = models.DateField()
    basic_training_completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "license_number"]
        indexes = [
            models.Index(fields=["last_name", "first_name"]),
            # The latest change of any officer, read by the page cache (clee.portals.pagecache).
            models.Index(fields=["updated_at"], name="officer_updated_at"),
        ]

    def __str__(self) -> str:
        return f"{self.last_name}, {self.first_name} ({self.license_number})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class LicenseStatusChange(models.Model):
    """The license history: every status change, who made it and why."""

    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10, choices=LicenseStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=LicenseStatus.choices)
    effective_on = models.DateField()
    reason = models.CharField(max_length=300)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["officer", "effective_on", "id"]


class LicenseUpgrade(models.Model):
    """A license upgrade (for example Class B to Class A); exempts its period (15.010(3))."""

    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="upgrades")
    upgraded_on = models.DateField()
    description = models.CharField(max_length=200)

    class Meta:
        ordering = ["officer", "upgraded_on"]


class Commission(TimeStamped):
    """An agency's commission of an officer; ``end`` is None while it lasts."""

    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="commissions")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="commissions")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    # The agency sees the officer's records and documents from this day on: the commission's
    # start unless POST staff opened earlier ones to it (``commission_history_grant``).
    history_from = models.DateField(
        null=True, blank=True, help_text="Earlier records opened to the agency by POST staff, from this day"
    )

    class Meta:
        ordering = ["officer", "-start"]
        indexes = [models.Index(fields=["agency", "end"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="commission_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["officer", "agency"],
                condition=Q(end__isnull=True),
                name="one_open_commission_per_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer} at {self.agency} from {self.start}"

    @property
    def records_visible_from(self) -> dt.date:
        """The first day of the officer's record the agency sees."""
        return self.history_from or self.start
