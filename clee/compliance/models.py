"""Reporting periods, exemptions, extensions and waivers, and stored compliance results."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from clee.core.models import TimeStamped


class ReportingPeriod(TimeStamped):
    """A reporting period and the version of the rule book that decides it.

    Which period is current is not stored: it is the one that contains today in the program's
    time zone (``clee.compliance.calendar``). A period is opened by the calendar job on its first
    day (or by a record dated in it); its phases (open, grace window, closed) follow its dates,
    and each change of phase is recorded once (``PeriodTransition``).
    """

    class Phase(models.TextChoices):
        OPEN = "open", "Open"
        GRACE = "grace", "In its grace window"
        CLOSED = "closed", "Closed (past the grace deadline)"

    jurisdiction = models.CharField(max_length=10, default="MO")
    year = models.PositiveSmallIntegerField()
    starts = models.DateField()
    ends = models.DateField()
    grace_deadline = models.DateField()
    # The number of the rule book version (``RuleBookVersion.number``) the period is decided under.
    pack_version = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["-year"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "year"], name="one_period_per_year")]

    def __str__(self) -> str:
        return f"{self.jurisdiction} {self.year}"

    @property
    def is_current(self) -> bool:
        """Whether the period contains today in the program's time zone."""
        return self.starts <= timezone.localdate() <= self.ends

    @property
    def phase_shown(self) -> str:
        """The period's phase today in words, for pages: "current period, ends December 31,
        2026", "ended; grace window until March 15, 2027", "closed; ..."."""
        today = timezone.localdate()
        if today < self.starts:
            return f"begins {_day(self.starts)}"
        phase = self.phase_on(today)
        if phase == self.Phase.OPEN:
            return f"current period, ends {_day(self.ends)}"
        if phase == self.Phase.GRACE:
            return f"ended {_day(self.ends)}; grace window until {_day(self.grace_deadline)}"
        return f"closed; the grace deadline was {_day(self.grace_deadline)}"

    def phase_on(self, day: dt.date) -> str:
        """The period's phase on ``day``: open until it ends, then in its grace window until the
        grace deadline (compliance may still be shown on the deadline itself, 11 CSR 75-15.080),
        then closed: its non-compliant officers are the Director's to decide on."""
        if day <= self.ends:
            return self.Phase.OPEN
        if day <= self.grace_deadline:
            return self.Phase.GRACE
        return self.Phase.CLOSED


def _day(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


class PeriodTransition(models.Model):
    """A period's change of phase, recorded once by the calendar job (the unique constraint
    makes a second run, or a second worker, a no-op)."""

    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="transitions")
    phase = models.CharField(max_length=10, choices=ReportingPeriod.Phase.choices)
    # The program day the phase began on (the first day it was true), and when it was recorded.
    began_on = models.DateField()
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["period", "began_on"]
        constraints = [models.UniqueConstraint(fields=["period", "phase"], name="one_transition_per_phase")]

    def __str__(self) -> str:
        return f"{self.period}: {self.get_phase_display()} from {self.began_on}"


class RuleBookVersion(TimeStamped):
    """A version of a jurisdiction's rule book (YAML, the format of ``clee/rules/packs/``).

    POST staff prepare a draft (uploaded or edited in the portal), see it checked and its impact
    previewed, and submit it with an effective date and a reason; the Director publishes it (or
    returns it with a note). A published version is never changed again: its text, number,
    effective date, author and publisher stay as they were. The version in force on a day is
    the published one with the latest effective date on or before it.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Awaiting the Director"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"

    jurisdiction = models.CharField(max_length=10, default="MO")
    # Given on publication: 1, 2, 3 ... per jurisdiction. None while a draft.
    number = models.PositiveSmallIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    text = models.TextField()
    sha256 = models.CharField(max_length=64)
    # Where the text came from: the uploaded file's name, or the version it was edited from.
    source_name = models.CharField(max_length=200, blank=True)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="drafts"
    )
    effective_from = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    # The Director's note when returning a draft to its author (kept until it is submitted again).
    returned_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-number", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "number"], name="one_rule_book_number"),
            models.CheckConstraint(
                condition=~models.Q(status="published")
                | models.Q(number__isnull=False, effective_from__isnull=False),
                name="published_rule_book_has_number_and_date",
            ),
        ]
        indexes = [models.Index(fields=["jurisdiction", "status", "effective_from"])]

    def __str__(self) -> str:
        if self.number is not None:
            return f"{self.jurisdiction} rule book v{self.number}"
        return f"{self.jurisdiction} rule book draft {self.pk}"


class RecognizedSource(TimeStamped):
    """A state POST (or IADLEST) whose approved courses Missouri recognizes for continuing
    education, from one date to another (11 CSR 75-15.050; seed 000), with the citation. The
    engine reads the entries in force on each out-of-state credit's completion date."""

    jurisdiction = models.CharField(max_length=10, default="MO")
    code = models.CharField(max_length=10)
    name = models.CharField(max_length=100)
    recognized_from = models.DateField()
    recognized_until = models.DateField(null=True, blank=True)
    reference = models.CharField(max_length=300)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["code", "recognized_from"]
        indexes = [models.Index(fields=["jurisdiction", "code"])]

    def __str__(self) -> str:
        until = self.recognized_until.isoformat() if self.recognized_until else "open"
        return f"{self.code} {self.recognized_from.isoformat()} to {until}"

    def in_effect_on(self, day: dt.date) -> bool:
        return self.recognized_from <= day and (self.recognized_until is None or day <= self.recognized_until)


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
    """The engine's result for one officer and period, kept current by clee.compliance.recompute."""

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


class StaleResult(models.Model):
    """An officer's period whose stored result no longer follows from the record: the outbox of
    result recomputes (DESIGN §8).

    Written in the same transaction as the change that made the result old (a roster, a
    decision, a published rule book version), so a change is never committed without its mark.
    Workers claim marks in batches (``claimed_until``, a lease: a killed worker's marks are
    claimable again once it passes), store the recomputed results and delete the marks in one
    transaction, and only marks whose ``version`` is still the one they claimed: a change that
    arrives during a computation bumps the version and keeps its mark.
    """

    officer = models.ForeignKey("officers.Officer", on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="stale_results")
    # Why the result is old (the latest change's reason), for the operator.
    reason = models.CharField(max_length=200, blank=True)
    marked_at = models.DateTimeField()
    # Bumped by every new mark of the same officer-period.
    version = models.PositiveIntegerField(default=1)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["officer", "period"], name="one_stale_mark_per_period")
        ]
        indexes = [models.Index(fields=["claimed_until"], name="stale_claimed_until")]

    def __str__(self) -> str:
        return f"officer {self.officer_id}, period {self.period_id}: stale ({self.reason})"


class ImpactPreview(models.Model):
    """A rule-change impact preview (``clee.compliance.impact``) run by a worker: a draft (a
    rule book version, or a file POST staff loaded) evaluated against every officer of a period,
    with its progress, and its result kept with the draft until another preview replaces it."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"
        FAILED = "failed", "Failed"

    version = models.ForeignKey(
        RuleBookVersion, null=True, blank=True, on_delete=models.CASCADE, related_name="impact_previews"
    )
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="+")
    draft_name = models.CharField(max_length=200)
    # The draft as previewed (a version's text may not change, an uploaded file is kept only here).
    draft_text = models.TextField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    officers_done = models.PositiveIntegerField(default=0)
    officers_total = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    finished_at = models.DateTimeField(null=True, blank=True)
    # ``Impact.to_dict()`` once done; the reason when failed.
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"impact of {self.draft_name} on {self.period} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def percent_done(self) -> int:
        return int(100 * self.officers_done / self.officers_total) if self.officers_total else 0


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
