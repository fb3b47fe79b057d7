"""Reporting periods, exemptions, extensions and waivers, and stored compliance results."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from clee.core.models import TimeStamped


class ReportingPeriod(TimeStamped):
    """A period and the rule pack that decides it (``clee/rules/packs/<jurisdiction>/<year>.yaml``)."""

    jurisdiction = models.CharField(max_length=10, default="MO")
    year = models.PositiveSmallIntegerField()
    starts = models.DateField()
    ends = models.DateField()
    grace_deadline = models.DateField()
    pack_version = models.PositiveSmallIntegerField(default=1)
    is_current = models.BooleanField(default=False)

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "year"], name="one_period_per_year")]

    def __str__(self) -> str:
        return f"{self.jurisdiction} {self.year}"


class Exemption(TimeStamped):
    """An exemption POST records by hand (those from the record itself are computed)."""

    officer = models.ForeignKey("officers.Officer", on_delete=models.PROTECT, related_name="exemptions")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="exemptions")
    reason = models.CharField(max_length=300)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["officer", "period"], name="one_exemption_per_period")]


class Extension(TimeStamped):
    """An extension or waiver for medical or military leave, with its new deadline."""

    class Kind(models.TextChoices):
        EXTENSION = "extension", "Extension"
        WAIVER = "waiver", "Waiver"

    class Reason(models.TextChoices):
        MEDICAL = "medical", "Medical leave"
        MILITARY = "military", "Military leave"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        GRANTED = "granted", "Granted"
        REFUSED = "refused", "Refused"

    officer = models.ForeignKey("officers.Officer", on_delete=models.PROTECT, related_name="extensions")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="extensions")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.EXTENSION)
    reason = models.CharField(max_length=10, choices=Reason.choices)
    explanation = models.CharField(max_length=500, blank=True)
    new_deadline = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # Why a request was refused; the officer and the agency see it.
    decision_reason = models.CharField(max_length=300, blank=True)


class ComplianceResult(models.Model):
    """The engine's result for one officer and period, kept current by clee.compliance.services."""

    class Status(models.TextChoices):
        COMPLIANT = "compliant", "Compliant"
        DEFICIENT = "deficient", "Deficient"
        EXEMPT = "exempt", "Exempt"

    officer = models.ForeignKey(
        "officers.Officer", on_delete=models.CASCADE, related_name="compliance_results"
    )
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="results")
    status = models.CharField(max_length=10, choices=Status.choices)
    counted_hours = models.DecimalField(max_digits=7, decimal_places=2)
    additional_hours_needed = models.DecimalField(max_digits=7, decimal_places=2)
    shortfalls = models.JSONField(default=dict)
    requirements = models.JSONField(default=list)
    still_needed = models.JSONField(default=dict)
    exemption = models.CharField(max_length=200, blank=True)
    extended_until = models.DateField(null=True, blank=True)
    pack = models.CharField(max_length=40)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["officer", "period"], name="one_result_per_period")]
        indexes = [
            models.Index(fields=["period", "status"]),
            # A period's latest computation, read by the page cache (clee.portals.pagecache).
            models.Index(fields=["period", "computed_at"], name="result_period_computed"),
        ]


class LicenseDecision(models.Model):
    """The Director's decision on a license after a period's grace deadline, and its undoing.

    Inactivating a non-compliant officer's license is at the Director's discretion
    (11 CSR 75-15.080): ``inactivate`` or ``keep``, once per officer and period. Once the
    missing training is shown, the license is made active again: a ``reactivate`` row for the
    same period. A decision that changed the license points at its line in the license history.
    """

    class Decision(models.TextChoices):
        INACTIVATE = "inactivate", "Inactivated"
        KEEP = "keep", "Kept active"
        REACTIVATE = "reactivate", "Reactivated"

    officer = models.ForeignKey(
        "officers.Officer", on_delete=models.PROTECT, related_name="license_decisions"
    )
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="license_decisions")
    decision = models.CharField(max_length=12, choices=Decision.choices)
    reason = models.CharField(max_length=300, blank=True)
    # The hours the officer was short when the decision was made: the record of what was decided on.
    hours_short = models.DecimalField(max_digits=7, decimal_places=2)
    status_change = models.OneToOneField(
        "officers.LicenseStatusChange",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="license_decision",
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["officer", "period"],
                condition=models.Q(decision__in=["inactivate", "keep"]),
                name="one_license_decision_per_period",
            ),
            models.UniqueConstraint(
                fields=["officer", "period"],
                condition=models.Q(decision="reactivate"),
                name="one_reactivation_per_period",
            ),
        ]
        indexes = [models.Index(fields=["period", "decision"])]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} for {self.period.year}: officer {self.officer_id}"
