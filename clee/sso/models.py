"""Single sign-on: the provider identities linked to accounts, onboarding invitations, and the
license confirmations tried by people the provider knows but CLEE does not yet."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone


class Identity(models.Model):
    """A person at the state's identity provider, named by ``(issuer, subject)`` (the ``iss`` and
    ``sub`` claims), linked to the CLEE account they sign in to."""

    class Method(models.TextChoices):
        EMAIL = "email", "Verified email"
        LICENSE = "license", "License number confirmation"
        INVITATION = "invitation", "Invitation"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identities"
    )
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    email = models.EmailField(blank=True)
    linked_by = models.CharField(max_length=12, choices=Method.choices)
    linked_at = models.DateTimeField(default=timezone.now)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="sso_one_account_per_subject"),
            models.UniqueConstraint(fields=["user", "issuer"], name="sso_one_subject_per_account"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"


class Invitation(models.Model):
    """A single-use, expiring link that connects an officer's provider sign-in to their record.
    Only the SHA-256 of the link's token is kept: the database alone cannot rebuild a link."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting"
        USED = "used", "Used"
        EXPIRED = "expired", "Expired"
        REPLACED = "replaced", "Replaced by a newer invitation"

    officer = models.ForeignKey("officers.Officer", on_delete=models.CASCADE, related_name="sso_invitations")
    # The agency it was sent for; None when POST staff sent it.
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replaced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["officer", "-sent_at"]
        indexes = [models.Index(fields=["officer", "-sent_at"])]

    def __str__(self) -> str:
        return f"Invitation of {self.officer} sent {self.sent_at:%Y-%m-%d}"

    def status(self, now: dt.datetime | None = None) -> Invitation.Status:
        """Where the link stands at ``now`` (default: now)."""
        moment = timezone.now() if now is None else now
        if self.used_at is not None:
            return self.Status.USED
        if self.replaced_at is not None:
            return self.Status.REPLACED
        if self.expires_at <= moment:
            return self.Status.EXPIRED
        return self.Status.OPEN


class LinkAttempt(models.Model):
    """One license-number confirmation by someone signed in at the provider whose account is
    not linked yet; failures within a day are limited per provider subject."""

    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    license_number = models.CharField(max_length=40)
    succeeded = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["issuer", "subject", "created_at"])]
