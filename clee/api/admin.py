"""API tokens and roster submissions in the staff back office: every provider's and agency's
tokens, with their last use, and the revoke action (a token that leaked is stopped here without
waiting for its owner); submissions kept as they were answered."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from clee.accounts.access import acting_user
from clee.api.models import ApiToken, RosterSubmission
from clee.api.services import token_revoke
from clee.core.admin_site import ReadOnlyAdmin, can_write, site


@admin.register(ApiToken, site=site)
class ApiTokenAdmin(ReadOnlyAdmin[ApiToken]):
    list_display = (
        "prefix",
        "name",
        "kind",
        "provider",
        "agency",
        "created_by",
        "last_used_at",
        "revoked_at",
    )
    list_filter = ("kind", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("prefix", "name", "provider__name", "agency__name", "agency__ori")
    list_select_related = ("provider", "agency", "created_by")
    exclude = ("secret_sha256",)
    actions = ("revoke",)

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return can_write(request.user)

    @admin.action(description="Revoke the selected tokens", permissions=["revoke"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        live = list(queryset.filter(revoked_at__isnull=True))
        for token in live:
            token_revoke(token=token, acting_user=acting_user(request))
        self.message_user(
            request, f"{len(live)} token{'s' if len(live) != 1 else ''} revoked.", messages.SUCCESS
        )


@admin.register(RosterSubmission, site=site)
class RosterSubmissionAdmin(ReadOnlyAdmin[RosterSubmission]):
    list_display = ("created_at", "caller", "submitted_by", "status", "rows", "response_status")
    list_filter = ("status",)
    search_fields = ("caller", "idempotency_key")
    list_select_related = ("submitted_by",)
