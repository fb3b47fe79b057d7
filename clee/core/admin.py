"""Back office: the audit trail, read-only and searchable."""

from __future__ import annotations

import json

from django.contrib import admin
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from clee.core.admin_site import ReadOnlyAdmin, site
from clee.core.models import AuditEvent


@admin.register(AuditEvent, site=site)
class AuditEventAdmin(ReadOnlyAdmin[AuditEvent]):
    list_display = ("created_at", "actor_label", "action", "object_type", "target_link", "summary", "ip")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "summary", "object_id", "action", "ip")
    date_hierarchy = "created_at"
    # The trail grows with every write: no full count on each page.
    show_full_result_count = False
    list_select_related = ("actor",)
    fields = (
        "created_at",
        "actor",
        "actor_label",
        "action",
        "object_type",
        "target_link",
        "summary",
        "data_text",
        "ip",
        "user_agent",
    )
    readonly_fields = fields

    @admin.display(description="object", ordering="object_id")
    def target_link(self, event: AuditEvent) -> str:
        app_label, _, model_name = event.object_type.partition(".")
        try:
            url = reverse(f"admin:{app_label}_{model_name}_change", args=[event.object_id])
        except NoReverseMatch:
            return f"{event.object_type} {event.object_id}"
        return format_html('<a href="{}">{} {}</a>', url, model_name, event.object_id)

    @admin.display(description="data")
    def data_text(self, event: AuditEvent) -> str:
        return format_html(
            "<pre>{}</pre>", json.dumps(event.data, indent=2, ensure_ascii=False, sort_keys=True)
        )
