"""Back office: reporting periods (written through clee.compliance.services), the rule packs
(read-only pages), stored results, exemptions, extensions and the Director's license
decisions (read-only); and the officer's page with their results under it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import InlineModelAdmin
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from clee.accounts.access import acting_user
from clee.compliance.calendar import period_of_year, period_open, period_phase_shown, program_today
from clee.compliance.models import (
    ComplianceResult,
    Exemption,
    Extension,
    LicenseDecision,
    RecognizedSource,
    ReportingPeriod,
    RuleBookVersion,
)
from clee.compliance.outbox import period_recompute_request
from clee.compliance.rulebooks import book_in_force, number_in_force, rule_book
from clee.core.admin_site import ReadOnlyAdmin, ReadOnlyInline, ServiceCheckedForm, StaffAdmin, site
from clee.core.errors import ServiceError
from clee.officers.admin import OfficerAdmin
from clee.officers.models import Officer
from clee.rules import Dated, NoPackError, PackError, RulePack
from clee.rules.vocabulary import CORE_AREA_LABELS

# Reporting periods ----------------------------------------------------------------------


class PeriodForm(ServiceCheckedForm[ReportingPeriod]):
    """Opening a period by hand (a past year, to take its records): its dates and grace
    deadline come from the rule book version in force. The current period opens by itself."""

    class Meta:
        model = ReportingPeriod
        fields = ("year",)
        help_texts = {
            "year": "Periods open by themselves on January 1. Open an earlier year here to take its "
            "records; its dates come from the rule book version in force.",
        }

    def service_check(self, candidate: ReportingPeriod) -> None:
        if period_of_year(candidate.year) is not None:
            raise ServiceError(f"the {candidate.year} reporting period is already open", field="year")
        try:
            book_in_force(settings.CLEE_JURISDICTION, program_today()).pack(str(candidate.year))
        except NoPackError as error:
            raise ServiceError(str(error), field="year") from error


@admin.register(ReportingPeriod, site=site)
class ReportingPeriodAdmin(StaffAdmin[ReportingPeriod]):
    form = PeriodForm
    list_display = (
        "__str__",
        "starts",
        "ends",
        "grace_deadline",
        "phase",
        "pack_version",
        "results_stored",
        "rule_pack",
    )
    list_filter = ("jurisdiction",)
    search_fields = ("year",)
    actions = ("recompute",)

    def has_change_permission(self, request: HttpRequest, obj: ReportingPeriod | None = None) -> bool:
        # A period's dates are its rules'; it is changed only by publishing a rule book version.
        return False

    def get_fields(self, request: HttpRequest, obj: ReportingPeriod | None = None) -> Any:
        if obj is None:
            return ("year",)
        return (
            "jurisdiction",
            "year",
            "starts",
            "ends",
            "grace_deadline",
            "phase",
            "pack_version",
            "rule_pack",
            "audit_trail",
        )

    def get_readonly_fields(self, request: HttpRequest, obj: ReportingPeriod | None = None) -> Any:
        if obj is None:
            return ()
        return self.get_fields(request, obj)

    @admin.display(description="phase today")
    def phase(self, period: ReportingPeriod) -> str:
        return period_phase_shown(period)

    @admin.display(description="results stored")
    def results_stored(self, period: ReportingPeriod) -> int:
        return period.results.count()

    @admin.display(description="rule pack")
    def rule_pack(self, period: ReportingPeriod) -> str:
        url = reverse("admin:rule_pack", args=[period.jurisdiction, period.year])
        return format_html(
            '<a href="{}">{} {} (v{})</a>', url, period.jurisdiction, period.year, period.pack_version
        )

    def save_model(self, request: HttpRequest, obj: ReportingPeriod, form: Any, change: bool) -> None:
        period, _ = period_open(year=obj.year, acting_user=acting_user(request))
        obj.pk = period.pk
        messages.info(request, f"{period} is open; a worker computes its results now.")

    @admin.action(description="Recompute compliance for the selected periods", permissions=["recompute"])
    def recompute(self, request: HttpRequest, queryset: QuerySet[ReportingPeriod]) -> None:
        for period in queryset:
            marked = period_recompute_request(
                period=period, acting_user=acting_user(request), reason="back office"
            )
            self.message_user(
                request,
                f"{period}: the results of {marked:,} officers are queued for the workers; "
                "their pages show them as updating until then.",
                messages.SUCCESS,
            )

    def has_recompute_permission(self, request: HttpRequest) -> bool:
        return self.has_add_permission(request)


# Rule packs: read-only pages (the rules are published in the staff portal) ---------------------


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


def _years_listed() -> list[int]:
    """The periods on record, and next year's (so its rules can be read before it opens)."""
    years = set(
        ReportingPeriod.objects.filter(jurisdiction=settings.CLEE_JURISDICTION).values_list("year", flat=True)
    )
    years.add(program_today().year + 1)
    return sorted(years)


def pack_list_view(request: HttpRequest) -> HttpResponse:
    """The pack of every period on record (and next year's), under the version deciding it."""
    jurisdiction = settings.CLEE_JURISDICTION.upper()
    periods = {str(p.year): p for p in ReportingPeriod.objects.filter(jurisdiction=jurisdiction)}
    in_force = number_in_force(jurisdiction, program_today())
    rows = []
    for year in map(str, _years_listed()):
        stored = periods.get(year)
        row: dict[str, Any] = {
            "jurisdiction": jurisdiction,
            "period": year,
            "url": reverse("admin:rule_pack", args=[jurisdiction, year]),
            "stored": stored,
        }
        try:
            pack = rule_book(jurisdiction, stored.pack_version if stored else in_force).pack(year)
        except (PackError, NoPackError) as error:
            row["error"] = str(error)
        else:
            row["pack"] = pack
            row["minimums"] = ", ".join(f"{r.label} {r.minimum.value:g}" for r in pack.requirements)
            row["caps"] = ", ".join(f"{c.label} ≤ {c.maximum.value:g}" for c in pack.caps)
        rows.append(row)
    context = {**site.each_context(request), "title": "Rule packs", "rows": rows, "in_force": in_force}
    return TemplateResponse(request, "admin/compliance/rule_packs.html", context)


def pack_detail_view(request: HttpRequest, jurisdiction: str, period: str) -> HttpResponse:
    """One period's pack, each value with its dates and the rule section it comes from."""
    if jurisdiction.upper() != settings.CLEE_JURISDICTION.upper() or not period.isdigit():
        raise Http404("no such rule pack")
    stored = period_of_year(int(period), jurisdiction)
    number = stored.pack_version if stored else number_in_force(jurisdiction, program_today())
    context: dict[str, Any] = {**site.each_context(request), "title": f"Rule pack {jurisdiction} {period}"}
    try:
        context.update(_pack_context(rule_book(jurisdiction, number).pack(period)))
    except NoPackError as error:
        raise Http404(str(error)) from error
    context["stored"] = stored
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


@admin.register(RuleBookVersion, site=site)
class RuleBookVersionAdmin(ReadOnlyAdmin[RuleBookVersion]):
    """Rule book versions, prepared and published in the staff portal (Rules); read here."""

    list_display = ("__str__", "status", "effective_from", "prepared_by", "published_by", "published_at")
    list_filter = ("jurisdiction", "status")
    exclude = ("text",)


@admin.register(RecognizedSource, site=site)
class RecognizedSourceAdmin(ReadOnlyAdmin[RecognizedSource]):
    """The recognized out-of-state list, kept in the staff portal; read here."""

    list_display = ("code", "name", "recognized_from", "recognized_until", "reference", "added_by")
    list_filter = ("code",)
    search_fields = ("code", "name", "reference")


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


# The officer's page, with their results: compliance knows officers, not the other way -------


class ResultInline(ReadOnlyInline[ComplianceResult, Officer]):
    model = ComplianceResult
    fields = (
        "period",
        "status",
        "counted_hours",
        "additional_hours_needed",
        "exemption",
        "extended_until",
        "computed_at",
    )
    readonly_fields = fields
    verbose_name_plural = "compliance results"
    ordering = ("-period__year",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[ComplianceResult]:
        return super().get_queryset(request).select_related("period")


class OfficerWithResultsAdmin(OfficerAdmin):
    """``clee.officers.admin.OfficerAdmin`` with the officer's compliance results under the
    license history (issue 15: the officers app does not import compliance)."""

    def get_inlines(
        self, request: HttpRequest, obj: Officer | None
    ) -> list[type[InlineModelAdmin[Any, Any]]]:
        return [*super().get_inlines(request, obj), ResultInline]


site.unregister(Officer)
site.register(Officer, OfficerWithResultsAdmin)
