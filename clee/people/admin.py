"""Account invitations in the staff back office, looked at (never changed there: the People
page sends, resends and cancels them)."""

from __future__ import annotations

from django.contrib import admin

from clee.core.admin_site import ReadOnlyAdmin, site
from clee.people.models import AccountInvitation


@admin.register(AccountInvitation, site=site)
class AccountInvitationAdmin(ReadOnlyAdmin[AccountInvitation]):
    list_display = ("email", "role", "agency", "provider", "sent_by", "sent_at", "expires_at", "shown_status")
    list_filter = ("role",)
    search_fields = ("email", "first_name", "last_name", "agency__name", "provider__name")
    list_select_related = ("agency", "provider", "sent_by")
    exclude = ("token_hash",)

    @admin.display(description="Status")
    def shown_status(self, invitation: AccountInvitation) -> str:
        return str(invitation.status().label)
