"""Accounts: one user model for every role."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person who signs in. ``role`` decides the portal; the links say whose records.

    An officer account links to its Officer; an agency administrator to an Agency; a
    provider's staff to a Provider. POST staff and the Director see the whole state.
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

    @property
    def is_statewide(self) -> bool:
        return self.role in (self.Role.POST_STAFF, self.Role.DIRECTOR)
