"""Invitations that create an account, and the emailed-link requests counted for rate limits."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class AccountInvitation(models.Model):
    """A single-use, expiring link with which a person sets up their own account in a role: an
    agency's administrator, a provider's staff member, POST staff. Only the SHA-256 of the link's
    token is kept: the database alone cannot rebuild a link."""

    class Role(models.TextChoices):
        AGENCY_ADMIN = "agency_admin", "Agency administrator"
        PROVIDER = "provider", "Training provider staff"
        POST_STAFF = "post_staff", "POST staff"

    class Status(models.TextChoices):
        OPEN = "open", "Waiting"
        USED = "used", "Accepted"
        EXPIRED = "expired", "Expired"
        REPLACED = "replaced", "Replaced by a newer invitation"
        CANCELLED = "cancelled", "Cancelled"

    role = models.CharField(max_length=20, choices=Role.choices)
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    provider = models.ForeignKey(
        "providers.Provider", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # An administrator who is one of the agency's own officers: the account's access rests on
    # this commission and ends with it.
    commission = models.ForeignKey(
        "officers.Commission", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    email = models.EmailField()
    first_name = models.CharField(max_length=150)
    last_name = models.CharField(max_length=150)
    token_hash = models.CharField(max_length=64, unique=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    replaced_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "-sent_at"]),
            models.Index(fields=["provider", "-sent_at"]),
            models.Index(fields=["email"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(role="agency_admin", agency__isnull=False, provider__isnull=True)
                | Q(role="provider", provider__isnull=False, agency__isnull=True, commission__isnull=True)
                | Q(role="post_staff", agency__isnull=True, provider__isnull=True, commission__isnull=True),
                name="account_invitation_names_its_organisation",
            )
        ]

    def __str__(self) -> str:
        return f"Invitation of {self.email} as {self.get_role_display()} sent {self.sent_at:%Y-%m-%d}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def organisation(self) -> str:
        """The agency or provider the invitation is for ("the POST Program" for staff)."""
        if self.agency is not None:
            return self.agency.name
        if self.provider is not None:
            return self.provider.name
        return "the POST Program"

    def status(self, now: dt.datetime | None = None) -> AccountInvitation.Status:
        """Where the link stands at ``now`` (default: now)."""
        moment = timezone.now() if now is None else now
        if self.used_at is not None:
            return self.Status.USED
        if self.cancelled_at is not None:
            return self.Status.CANCELLED
        if self.replaced_at is not None:
            return self.Status.REPLACED
        if self.expires_at <= moment:
            return self.Status.EXPIRED
        return self.Status.OPEN


class LinkRequest(models.Model):
    """One request, by someone not signed in, for a link by email (a password reset, an officer's
    sign-up): counted per address and per client for the rate limits, whether or not it matched."""

    class Kind(models.TextChoices):
        PASSWORD_RESET = "password_reset", "Password reset"
        SIGNUP = "signup", "Officer sign-up"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The email address (lower case) or license number (upper case) asked about.
    key = models.CharField(max_length=254)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["kind", "key", "created_at"]),
            models.Index(fields=["kind", "client_ip", "created_at"]),
            models.Index(fields=["created_at"], name="link_request_created_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.key} at {self.created_at:%Y-%m-%d %H:%M}"
