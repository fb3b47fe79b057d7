"""Accounts: one user model for every role."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac


class User(AbstractUser):
    """A person who signs in. ``role`` decides the portal; the links say whose records.

    An officer account links to its Officer; an agency administrator to an Agency; a
    provider's staff to a Provider. POST staff and the Director see the whole state.
    An agency administrator who is one of the agency's own officers may also name the
    commission their access rests on: when it ends, so does the account.
    """

    class Role(models.TextChoices):
        OFFICER = "officer", "Officer"
        AGENCY_ADMIN = "agency_admin", "Agency administrator"
        PROVIDER = "provider", "Training provider"
        POST_STAFF = "post_staff", "POST staff"
        DIRECTOR = "director", "Director"

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.OFFICER)
    officer = models.OneToOneField(
        "officers.Officer", null=True, blank=True, on_delete=models.SET_NULL, related_name="account"
    )
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="administrators"
    )
    provider = models.ForeignKey(
        "providers.Provider", null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )
    commission = models.ForeignKey(
        "officers.Commission",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="administrator_accounts",
        help_text="The commission an agency administrator's access rests on; ending it ends the account.",
    )
    # Raised to end every session of the account at once (deactivation): it is part of the hash
    # each session keeps, so no session signed in before the change verifies afterwards.
    session_generation = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "user"
        verbose_name_plural = "users"
        # The People pages list accounts by name, a page at a time.
        indexes = [models.Index(fields=["last_name", "first_name", "username"], name="user_by_name")]

    @property
    def is_statewide(self) -> bool:
        return self.role in (self.Role.POST_STAFF, self.Role.DIRECTOR)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's hash of the password, which a session must match to stay signed in, with
        ``session_generation`` mixed in once it is raised (generation 0 keeps Django's own
        hash, so sessions signed in before this field existed stay valid)."""
        if not self.session_generation:
            django_hash: str = super()._get_session_auth_hash(secret=secret)  # type: ignore[misc]
            return django_hash
        return salted_hmac(
            "clee.accounts.User.session_auth_hash",
            f"{self.password}:{self.session_generation}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()
