"""API tokens of providers and agencies, and the roster submissions sent through the API."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class ApiToken(models.Model):
    """A secret a provider's or an agency's own system sends as ``Authorization: Bearer``.

    Only the SHA-256 of the secret is kept; ``prefix`` (the secret's first characters) lets a
    person tell tokens apart in the portal and in logs. A token acts as the account that created
    it, within that account's provider or agency: writes are audited under that account.
    """

    class Kind(models.TextChoices):
        PROVIDER = "provider", "Training provider"
        AGENCY = "agency", "Agency"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    provider = models.ForeignKey(
        "providers.Provider", null=True, blank=True, on_delete=models.CASCADE, related_name="api_tokens"
    )
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. the system that uses it")
    prefix = models.CharField(max_length=20, unique=True)
    secret_sha256 = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="provider", provider__isnull=False, agency__isnull=True))
                | (Q(kind="agency", agency__isnull=False, provider__isnull=True)),
                name="api_token_has_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def caller(self) -> str:
        """Whose requests these are: the provider or agency, whichever token of it is used."""
        return (
            f"provider:{self.provider_id}" if self.kind == self.Kind.PROVIDER else f"agency:{self.agency_id}"
        )


class RosterSubmission(models.Model):
    """A completion roster sent to ``POST /api/v1/rosters/``, applied or refused, with the
    response given. Its ``Idempotency-Key`` makes a retried request return that response
    instead of importing again; the same key with another body is refused."""

    class Status(models.TextChoices):
        APPLIED = "applied", "Applied"
        REJECTED = "rejected", "Rejected"

    caller = models.CharField(max_length=40, help_text="provider:<id> or agency:<id>")
    idempotency_key = models.CharField(max_length=255)
    request_sha256 = models.CharField(max_length=64)
    token = models.ForeignKey(ApiToken, null=True, on_delete=models.SET_NULL, related_name="submissions")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices)
    rows = models.PositiveIntegerField(default=0)
    batch = models.OneToOneField(
        "training.ImportBatch", null=True, blank=True, on_delete=models.PROTECT, related_name="api_submission"
    )
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["caller", "idempotency_key"], name="one_submission_per_key")
        ]
        indexes = [models.Index(fields=["caller", "-created_at"])]

    def __str__(self) -> str:
        return f"roster submission {self.pk} ({self.status})"


class RateCount(models.Model):
    """Requests one caller made in one fixed window of the rate limit (``CLEE_API_RATE``),
    counted in the database so every web process shares the count."""

    caller = models.CharField(max_length=60)
    # The window's number: seconds since the epoch divided by the window's length.
    window = models.BigIntegerField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["caller", "window"], name="api_one_count_per_window")]

    def __str__(self) -> str:
        return f"{self.caller}: {self.count} in window {self.window}"
