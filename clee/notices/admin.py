"""The notification log in the staff back office: read-only."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from clee.core.admin_site import ReadOnlyAdmin, site
from clee.notices.models import Notice, NoticeRun


@admin.register(Notice, site=site)
class NoticeAdmin(ReadOnlyAdmin[Notice]):
    list_display = ("created_at", "kind", "officer", "user", "recipient", "status", "attempts", "sent_at")
    list_filter = ("status", "kind", "period")
    search_fields = ("officer__license_number", "officer__last_name", "recipient")
    show_full_result_count = False
    raw_id_fields = ("officer", "user", "agency")
    fields = (
        "officer",
        "user",
        "agency",
        "period",
        "kind",
        "step",
        "recipient",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "sent_at",
        "created_at",
        "content",
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet[Notice]:
        return super().get_queryset(request).select_related("officer", "user", "period")


@admin.register(NoticeRun, site=site)
class NoticeRunAdmin(ReadOnlyAdmin[NoticeRun]):
    list_display = (
        "period",
        "step",
        "scheduled_on",
        "prepared_on",
        "skipped",
        "officer_notices",
        "without_address",
        "list_notices",
    )
    list_filter = ("period", "step")
