"""Single sign-on links and invitations in the staff back office, looked at (never changed
there): which provider sign-in opens which account, and every invitation sent."""

from __future__ import annotations

from django.contrib import admin

from clee.core.admin_site import ReadOnlyAdmin, site
from clee.sso.models import Identity, Invitation


@admin.register(Identity, site=site)
class IdentityAdmin(ReadOnlyAdmin[Identity]):
    list_display = ("user", "email", "linked_by", "linked_at", "last_sign_in_at", "issuer")
    list_filter = ("linked_by",)
    search_fields = ("user__username", "email", "subject")
    list_select_related = ("user",)


@admin.register(Invitation, site=site)
class InvitationAdmin(ReadOnlyAdmin[Invitation]):
    list_display = ("officer", "email", "agency", "sent_by", "sent_at", "expires_at", "shown_status")
    search_fields = ("officer__license_number", "officer__last_name", "email")
    list_select_related = ("officer", "agency", "sent_by")
    exclude = ("token_hash",)

    @admin.display(description="Status")
    def shown_status(self, invitation: Invitation) -> str:
        return str(invitation.status().label)
