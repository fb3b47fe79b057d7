"""Back office: officers, read-only, with their commissions and license history (their
compliance results are shown under them by ``clee.compliance.admin``, which knows officers).

Officers are written by onboarding imports and the license services (with their history and
audit rows), never edited here; nothing about an officer is deleted.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html

from clee.core.admin_site import ReadOnlyAdmin, ReadOnlyInline, site
from clee.officers.models import Commission, LicenseStatusChange, LicenseUpgrade, Officer


class CommissionInline(ReadOnlyInline[Commission, Officer]):
    model = Commission
    fields = ("agency", "start", "end")
    readonly_fields = fields
    ordering = ("-start",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Commission]:
        return super().get_queryset(request).select_related("agency")


class LicenseHistoryInline(ReadOnlyInline[LicenseStatusChange, Officer]):
    model = LicenseStatusChange
    fields = ("effective_on", "from_status", "to_status", "reason", "changed_by", "changed_at")
    readonly_fields = fields
    verbose_name = "license status change"
    verbose_name_plural = "license history"

    def get_queryset(self, request: HttpRequest) -> QuerySet[LicenseStatusChange]:
        return super().get_queryset(request).select_related("changed_by")


class LicenseUpgradeInline(ReadOnlyInline[LicenseUpgrade, Officer]):
    model = LicenseUpgrade
    fields = ("upgraded_on", "description")
    readonly_fields = fields


@admin.register(Officer, site=site)
class OfficerAdmin(ReadOnlyAdmin[Officer]):
    list_display = ("license_number", "last_name", "first_name", "license_status", "licensed_on", "email")
    list_filter = ("license_status", "licensed_on")
    search_fields = ("license_number", "last_name", "first_name", "email")
    show_full_result_count = False
    fields = (
        "license_number",
        "first_name",
        "last_name",
        "date_of_birth",
        "email",
        "license_status",
        "licensed_on",
        "basic_training_completed_on",
        "training_records",
        "audit_trail",
    )
    readonly_fields = fields
    inlines = (CommissionInline, LicenseHistoryInline, LicenseUpgradeInline)

    @admin.display(description="training records")
    def training_records(self, officer: Officer) -> str:
        url = reverse("admin:training_trainingrecord_changelist")
        count = officer.training_records.count()
        return format_html('<a href="{}?officer__id__exact={}">{} records</a>', url, officer.pk, count)
