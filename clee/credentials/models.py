"""Verifiable credentials CLEE issued, the status lists that revoke them, and the public half of
the program's signing keys (the private halves are files outside the database: ``keys.py``)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from clee.core.models import TimeStamped


class SigningKey(TimeStamped):
    """A key the program signs credentials with, as its DID document publishes it.

    One key is ``active`` (new credentials are signed with it); ``retired`` keys signed earlier
    credentials and stay published so that those still verify; a ``withdrawn`` key (lost or
    exposed) is no longer published, so nothing it signed verifies any more.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active (signs new credentials)"
        RETIRED = "retired", "Retired (still published)"
        WITHDRAWN = "withdrawn", "Withdrawn (not published)"

    key_id = models.CharField(max_length=60, unique=True, help_text="The fragment of its DID URL")
    public_key_multibase = models.CharField(max_length=80, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    retired_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="active"), name="one_active_signing_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.key_id} ({self.status})"


class StatusList(TimeStamped):
    """A Bitstring Status List (W3C, v1.0) of revocations: bit ``i`` is 1 when the credential
    given index ``i`` on this list is revoked. The list is published as a signed
    ``BitstringStatusListCredential``; ``revision`` counts its changes, and the copy published
    is signed again whenever it is behind."""

    PURPOSE = "revocation"
    # 131,072 entries (16 KB): the size the specification recommends, so that a list tells an
    # observer nothing about which credential is checked (herd privacy).
    SIZE = 131_072

    purpose = models.CharField(max_length=20, default=PURPOSE)
    size = models.PositiveIntegerField(default=SIZE)
    revision = models.PositiveIntegerField(default=0)
    published = models.TextField(blank=True)
    published_revision = models.PositiveIntegerField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"status list {self.pk} (revision {self.revision})"


class IssuedCredential(TimeStamped):
    """An Open Badges 3.0 credential CLEE signed for an officer: a completed course (one
    training record) or a compliant period. The signed document is kept as issued, so every
    download is the same credential."""

    class Kind(models.TextChoices):
        COURSE = "course", "Completed course"
        PERIOD = "period", "Reporting period requirement"

    credential_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    officer = models.ForeignKey("officers.Officer", on_delete=models.PROTECT, related_name="credentials")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    record = models.ForeignKey(
        "training.TrainingRecord", null=True, blank=True, on_delete=models.PROTECT, related_name="credentials"
    )
    period = models.ForeignKey(
        "compliance.ReportingPeriod", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # What the credential asserts and must stay true: the record's status (accepted), or the
    # period's result (compliant or exempt) and the rule book version it was decided under.
    basis_status = models.CharField(max_length=10)
    pack = models.CharField(max_length=40, blank=True)
    title = models.CharField(max_length=300)
    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="credentials")
    status_index = models.PositiveIntegerField()
    document = models.TextField()
    key_id = models.CharField(max_length=60)
    valid_until = models.DateTimeField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=300, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="one_credential_per_status_bit"
            ),
            # One credential in force per record and per officer-period: asking again returns it.
            models.UniqueConstraint(
                fields=["record"],
                condition=Q(revoked_at__isnull=True, kind="course"),
                name="one_live_course_credential",
            ),
            models.UniqueConstraint(
                fields=["officer", "period"],
                condition=Q(revoked_at__isnull=True, kind="period"),
                name="one_live_period_credential",
            ),
            models.CheckConstraint(
                condition=Q(kind="course", record__isnull=False) | Q(kind="period", period__isnull=False),
                name="credential_names_its_basis",
            ),
        ]
        indexes = [
            models.Index(fields=["officer", "created_at"]),
            # The revocation sweep reads the credentials in force, by kind.
            models.Index(
                fields=["kind"], condition=Q(revoked_at__isnull=True), name="credential_live_by_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} credential {self.credential_id}"

    @property
    def urn(self) -> str:
        return f"urn:uuid:{self.credential_id}"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
