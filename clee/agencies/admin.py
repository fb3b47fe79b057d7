"""Back office: agencies, written through clee.agencies.services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from clee.accounts.access import acting_user
from clee.agencies.models import Agency
from clee.agencies.services import AGENCY_FIELDS, agency_create, agency_update, agency_validate
from clee.core.admin_site import ServiceCheckedForm, StaffAdmin, changed_values, site


class AgencyForm(ServiceCheckedForm[Agency]):
    class Meta:
        model = Agency
        fields = AGENCY_FIELDS

    def clean_ori(self) -> str:
        return str(self.cleaned_data["ori"]).strip().upper()

    def service_check(self, candidate: Agency) -> None:
        agency_validate(candidate)


@admin.register(Agency, site=site)
class AgencyAdmin(StaffAdmin[Agency]):
    form = AgencyForm
    list_display = ("name", "ori", "agency_type", "active", "officers_commissioned")
    list_filter = ("agency_type", "active")
    search_fields = ("name", "ori")
    ordering = ("name",)  # explicit: the count annotation would otherwise drop Meta.ordering
    readonly_fields = ("audit_trail", "created_at", "updated_at")
    fields = (*AGENCY_FIELDS, "audit_trail", "created_at", "updated_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Agency]:
        return (
            super()
            .get_queryset(request)
            .annotate(open_commissions=Count("commissions", filter=Q(commissions__end__isnull=True)))
        )

    @admin.display(description="officers commissioned", ordering="open_commissions")
    def officers_commissioned(self, agency: Any) -> int:
        return int(agency.open_commissions)

    def save_model(self, request: HttpRequest, obj: Agency, form: Any, change: bool) -> None:
        if change:
            agency_update(
                agency=obj, data=changed_values(form, AGENCY_FIELDS), acting_user=acting_user(request)
            )
            return
        created = agency_create(
            ori=obj.ori,
            name=obj.name,
            agency_type=obj.agency_type,
            active=obj.active,
            acting_user=acting_user(request),
        )
        obj.pk = created.pk  # the admin redirects to, and logs, the row the service wrote
