"""Back office: reporting periods (written through clee.compliance.services), the rule packs
(read-only pages), stored results, exemptions, extensions and the Director's license
decisions (read-only)."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from clee.compliance.models import ComplianceResult, Exemption, Extension, LicenseDecision, ReportingPeriod
from clee.compliance.periods import period_save, period_validate
from clee.compliance.services import compliance_recompute
from clee.core.admin_site import ReadOnlyAdmin, ServiceCheckedForm, StaffAdmin, site
from clee.rules import NoPackError, PackError, RulePack, available_packs, load_pack
from clee.rules.pack import Dated
from clee.rules.vocabulary import CORE_AREA_LABELS

# Reporting periods ----------------------------------------------------------------------


class PeriodForm(ServiceCheckedForm[ReportingPeriod]):
    class Meta:
        model = ReportingPeriod
        fields = ("jurisdiction", "year", "grace_deadline", "is_current")
        help_texts = {
            "year": "A rule pack must exist for the year: clee/rules/packs/<jurisdiction>/<year>.yaml.",
            "grace_deadline": "Leave empty for the rule pack's grace deadline.",
            "is_current": "The period officers and agencies see first; making one current ends the "
            "previous one's turn.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "grace_deadline" in self.fields:
            self.fields["grace_deadline"].required = False
        if "jurisdiction" in self.fields and not self.instance.pk:
            self.initial.setdefault("jurisdiction", settings.CLEE_JURISDICTION)

    def service_check(self, candidate: ReportingPeriod) -> None:
        period_validate(candidate)


@admin.register(ReportingPeriod, site=site)
class ReportingPeriodAdmin(StaffAdmin[ReportingPeriod]):
    form = PeriodForm
    list_display = (
        "__str__",
        "starts",
        "ends",
        "grace_deadline",
        "pack_version",
        "is_current",
        "results_stored",
        "rule_pack",
    )
    list_filter = ("jurisdiction", "is_current")
    search_fields = ("year",)
    actions = ("recompute",)

    def get_fields(self, request: HttpRequest, obj: ReportingPeriod | None = None) -> Any:
        if obj is None:
            return ("jurisdiction", "year", "grace_deadline", "is_current")
        return (
            "jurisdiction",
            "year",
            "starts",
            "ends",
            "grace_deadline",
            "is_current",
            "pack_version",
            "rule_pack",
            "audit_trail",
        )

    def get_readonly_fields(self, request: HttpRequest, obj: ReportingPeriod | None = None) -> Any:
        if obj is None:
            return ()
        # A period's year and dates are its rule pack's; they are not edited here.
        return ("jurisdiction", "year", "starts", "ends", "pack_version", "rule_pack", "audit_trail")

    @admin.display(description="results stored")
    def results_stored(self, period: ReportingPeriod) -> int:
        return period.results.count()

    @admin.display(description="rule pack")
    def rule_pack(self, period: ReportingPeriod) -> str:
        url = reverse("admin:rule_pack", args=[period.jurisdiction, period.year])
        return format_html('<a href="{}">{} {}</a>', url, period.jurisdiction, period.year)

    def save_model(self, request: HttpRequest, obj: ReportingPeriod, form: Any, change: bool) -> None:
        period_save(period=obj, acting_user=request.user)
        if not change:
            messages.info(
                request,
                f"Now compute {obj}'s results: select the period and run “Recompute compliance”, "
                f"or run manage.py recompute_compliance --year {obj.year}.",
            )

    @admin.action(description="Recompute compliance for the selected periods", permissions=["change"])
    def recompute(self, request: HttpRequest, queryset: QuerySet[ReportingPeriod]) -> None:
        for period in queryset:
            started = time.perf_counter()
            written = compliance_recompute(period=period)
            elapsed = time.perf_counter() - started
            self.message_user(
                request,
                f"{period}: results written for {written:,} officers in {elapsed:.1f} s.",
                messages.SUCCESS,
            )


# Rule packs: read-only pages ------------------------------------------------------------


def _where(where: Any) -> str:
    if not where:
        return "every hour"
    parts = []
    for attribute, values in sorted(where.items()):
        shown = sorted(CORE_AREA_LABELS.get(v, v.replace("_", " ")) for v in values)
        parts.append(f"{attribute.replace('_', ' ')}: {' or '.join(shown)}")
    return "; ".join(parts)


def _dated(value: Dated[Any]) -> dict[str, Any]:
    return {"start": value.start, "until": value.until, "reference": value.reference}


def _pack_context(pack: RulePack) -> dict[str, Any]:
    return {
        "pack": pack,
        "grace": _dated(pack.grace_deadline),
        "requirements": [
            {
                "key": r.key,
                "label": r.label,
                "value": r.minimum.value,
                "where": _where(r.where),
                **_dated(r.minimum),
            }
            for r in pack.requirements
        ],
        "caps": [
            {
                "key": c.key,
                "label": c.label,
                "value": c.maximum.value,
                "where": _where(c.where),
                **_dated(c.maximum),
            }
            for c in pack.caps
        ],
        "sources": [
            {
                "key": s.key,
                "provider_class": s.provider_class,
                "unit": s.unit.replace("_", " "),
                "rate": s.hours_per_unit.value,
                "recognized": [
                    {"codes": ", ".join(sorted(entry.value)), **_dated(entry)} for entry in s.recognized or ()
                ],
                **_dated(s.hours_per_unit),
            }
            for s in pack.sources.values()
        ],
        "exemptions": pack.exemptions,
        "topics": pack.topics,
    }


def pack_list_view(request: HttpRequest) -> HttpResponse:
    """Every rule pack installed, with its period's dates and requirements, and whether the
    reporting period exists yet."""
    periods = {(p.jurisdiction, str(p.year)): p for p in ReportingPeriod.objects.all()}
    rows = []
    for jurisdiction, period in available_packs():
        row: dict[str, Any] = {
            "jurisdiction": jurisdiction,
            "period": period,
            "url": reverse("admin:rule_pack", args=[jurisdiction, period]),
            "stored": periods.get((jurisdiction, period)),
        }
        try:
            pack = load_pack(jurisdiction, period)
        except PackError as error:
            row["error"] = str(error)
        else:
            row["pack"] = pack
            row["minimums"] = ", ".join(f"{r.label} {r.minimum.value:g}" for r in pack.requirements)
            row["caps"] = ", ".join(f"{c.label} ≤ {c.maximum.value:g}" for c in pack.caps)
        rows.append(row)
    context = {**site.each_context(request), "title": "Rule packs", "rows": rows}
    return TemplateResponse(request, "admin/compliance/rule_packs.html", context)


def pack_detail_view(request: HttpRequest, jurisdiction: str, period: str) -> HttpResponse:
    """One rule pack's values, each with its dates and the rule section it comes from."""
    if (jurisdiction, period) not in available_packs():
        raise Http404("no such rule pack")
    context: dict[str, Any] = {**site.each_context(request), "title": f"Rule pack {jurisdiction} {period}"}
    try:
        context.update(_pack_context(load_pack(jurisdiction, period)))
    except (PackError, NoPackError) as error:
        context["error"] = str(error)
    context["stored"] = ReportingPeriod.objects.filter(jurisdiction=jurisdiction, year=period).first()
    return TemplateResponse(request, "admin/compliance/rule_pack.html", context)


site.register_page(
    route="compliance/packs/",
    view=pack_list_view,
    name="rule_packs",
    app_label="compliance",
    title="Rule packs",
    in_index=True,
)
site.register_page(
    route="compliance/packs/<str:jurisdiction>/<str:period>/",
    view=pack_detail_view,
    name="rule_pack",
    app_label="compliance",
)


# Results, exemptions and extensions: read-only ------------------------------------------


@admin.register(ComplianceResult, site=site)
class ComplianceResultAdmin(ReadOnlyAdmin[ComplianceResult]):
    list_display = (
        "officer",
        "period",
        "status",
        "counted_hours",
        "additional_hours_needed",
        "exemption",
        "extended_until",
        "computed_at",
    )
    list_filter = ("period", "status")
    search_fields = ("officer__license_number", "officer__last_name", "officer__first_name")
    list_select_related = ("officer", "period")
    show_full_result_count = False


@admin.register(Exemption, site=site)
class ExemptionAdmin(ReadOnlyAdmin[Exemption]):
    list_display = ("officer", "period", "reason", "granted_by", "created_at")
    list_filter = ("period",)
    search_fields = ("officer__license_number", "officer__last_name", "reason")
    list_select_related = ("officer", "period", "granted_by")


@admin.register(Extension, site=site)
class ExtensionAdmin(ReadOnlyAdmin[Extension]):
    list_display = ("officer", "period", "kind", "reason", "status", "new_deadline", "decided_by")
    list_filter = ("period", "kind", "reason", "status")
    search_fields = ("officer__license_number", "officer__last_name", "explanation")
    list_select_related = ("officer", "period", "decided_by")


@admin.register(LicenseDecision, site=site)
class LicenseDecisionAdmin(ReadOnlyAdmin[LicenseDecision]):
    """The Director's decisions, written only by clee.compliance.decisions (with the license
    history and audit rows); read here."""

    list_display = ("officer", "period", "decision", "hours_short", "reason", "decided_by", "decided_at")
    list_filter = ("period", "decision")
    search_fields = ("officer__license_number", "officer__last_name", "reason")
    list_select_related = ("officer", "period", "decided_by")
