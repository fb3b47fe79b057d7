"""Statewide oversight pages for POST staff and the Director: compliance by agency and
requirement, the officers non-compliant after the grace deadline, the rule packs and the
rule-change impact preview."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clee.accounts.models import User
from clee.compliance.calendar import current_period
from clee.compliance.impact import Impact, draft_pack_read, pack_impact
from clee.compliance.models import ComplianceResult, ReportingPeriod
from clee.compliance.selectors import grace_passed, periods_past_grace
from clee.officers.models import Commission, Officer
from clee.portals.access import NOT_FOUND, acting_user, role_required
from clee.portals.exports import csv_response, xlsx_response
from clee.portals.oversight.access import access_pack_year, access_period
from clee.portals.oversight.forms import AgencySearchForm, DraftPackForm, NoncompliantFilterForm
from clee.portals.oversight.packs import pack_context, pack_of_year, pack_rows
from clee.portals.oversight.rules import versions_context
from clee.portals.oversight.selectors import (
    AGENCY_COLUMNS,
    DEFAULT_AGENCY_SORT,
    agency_compliance,
    noncompliant_results,
    noncompliant_rows,
    requirement_shortfalls,
)
from clee.portals.paging import paginate
from clee.portals.selectors import status_counts
from clee.rules import NoPackError, PackError

statewide_only = role_required(User.Role.POST_STAFF, User.Role.DIRECTOR)

# The draft rule pack and its last preview, kept in the session (never as a period's pack).
IMPACT_SESSION_KEY = "oversight.impact"
EXPORTS = ("csv", "xlsx")


def _bound(query: QueryDict, **defaults: Any) -> QueryDict:
    """The query string with a default for each parameter not given."""
    data = query.copy()
    for name, value in defaults.items():
        if not data.get(name):
            data[name] = str(value)
    return data


def _no_period(request: HttpRequest, title: str) -> HttpResponse:
    return render(request, "portals/oversight/no_period.html", {"title": title})


# Statewide overview ---------------------------------------------------------------------


def _statewide_filters(
    request: HttpRequest, default: ReportingPeriod
) -> tuple[AgencySearchForm, ReportingPeriod, str, str]:
    form = AgencySearchForm(_bound(request.GET, period=default.year))
    form.is_valid()
    period = form.cleaned_data.get("period") or default
    sort = request.GET.get("sort", DEFAULT_AGENCY_SORT)
    if sort.removeprefix("-") not in AGENCY_COLUMNS:
        sort = DEFAULT_AGENCY_SORT
    return form, period, form.cleaned_data.get("q", ""), sort


@require_GET
@statewide_only
def statewide(request: HttpRequest) -> HttpResponse:
    """Compliance by agency and by requirement for a chosen period (the current one unless asked)."""
    default = current_period()
    if default is None:
        return _no_period(request, "Statewide compliance")
    form, period, search, sort = _statewide_filters(request, default)
    requirements, with_result = requirement_shortfalls(period)
    kept = QueryDict(mutable=True)
    kept.update({"period": str(period.year), **({"q": search} if search else {})})
    columns = []
    for key, (label, _) in AGENCY_COLUMNS.items():
        current = sort.removeprefix("-") == key
        descending = sort.startswith("-")
        # Numbers sort largest first on the first click: the agencies to look at come first.
        first = key if key == "name" else f"-{key}"
        following = (key if descending else f"-{key}") if current else first
        link = kept.copy()
        link["sort"] = following
        columns.append(
            {
                "key": key,
                "label": label,
                "url": f"?{link.urlencode()}",
                "sort": ("descending" if descending else "ascending") if current else "",
                "numeric": key != "name",
            }
        )
    export_query = kept.copy()
    export_query["sort"] = sort
    context = {
        "form": form,
        "period": period,
        "grace_passed": grace_passed(period, timezone.localdate()),
        "opens_on": period.grace_deadline + dt.timedelta(days=1),
        "status_counts": status_counts(ComplianceResult.objects.filter(period=period)),
        "requirements": requirements,
        "with_result": with_result,
        "columns": columns,
        "search": search,
        "export_query": export_query.urlencode(),
        # A state's few hundred agencies in one aggregated query; the page is cut from the list
        # (a paginated queryset would aggregate every officer twice: once more to count).
        **paginate(request, list(agency_compliance(period, search=search, sort=sort))),
    }
    return render(request, "portals/oversight/statewide.html", context)


AGENCY_EXPORT_HEADER = (
    "Agency",
    "ORI",
    "Officers commissioned",
    "Compliant",
    "Deficient",
    "Deficient, 4 hours or fewer short",
    "Deficient, with an extension",
    "Exempt",
    "No result",
)


@require_GET
@statewide_only
def statewide_export(request: HttpRequest, kind: str) -> HttpResponse:
    """The agency table of the statewide page (same period, search and order), every row."""
    default = current_period()
    if kind not in EXPORTS or default is None:
        raise Http404(NOT_FOUND)
    _, period, search, sort = _statewide_filters(request, default)
    rows = (
        (
            r["name"],
            r["ori"],
            r["officers"],
            r["compliant"],
            r["deficient"],
            r["nearly"],
            r["extended"],
            r["exempt"],
            r["no_result"],
        )
        for r in agency_compliance(period, search=search, sort=sort)
    )
    name = f"compliance-by-agency-{period.year}"
    if kind == "csv":
        return csv_response(name, AGENCY_EXPORT_HEADER, rows)
    return xlsx_response(name, AGENCY_EXPORT_HEADER, rows, sheet=f"Compliance {period.year}")


# Non-compliant after the grace deadline -------------------------------------------------


def _noncompliant_filters(request: HttpRequest) -> tuple[NoncompliantFilterForm, ReportingPeriod | None]:
    today = timezone.localdate()
    default = periods_past_grace(today).first() or current_period()
    form = NoncompliantFilterForm(_bound(request.GET, period=default.year) if default else request.GET)
    form.is_valid()
    return form, form.cleaned_data.get("period") or default


@require_GET
@statewide_only
def noncompliant(request: HttpRequest) -> HttpResponse:
    """Officers non-compliant after the grace deadline of the chosen period (the latest period
    whose deadline has passed unless asked), once that deadline has passed."""
    form, period = _noncompliant_filters(request)
    if period is None:
        return _no_period(request, "Non-compliant after the grace deadline")
    today = timezone.localdate()
    context: dict[str, Any] = {"form": form, "period": period, "grace_passed": grace_passed(period, today)}
    if context["grace_passed"]:
        results = noncompliant_results(
            period, today, search=form.cleaned_data.get("q", ""), agency=form.cleaned_data.get("agency")
        )
        context.update(paginate(request, results))
        context["rows"] = list(noncompliant_rows(context["page_obj"].object_list))
        export = request.GET.copy()
        export.pop("page", None)
        export["period"] = str(period.year)
        context["export_query"] = export.urlencode()
    return render(request, "portals/oversight/noncompliant.html", context)


NONCOMPLIANT_EXPORT_HEADER = (
    "License number",
    "Last name",
    "First name",
    "Agencies commissioning now",
    "Hours needed",
    "What is missing",
    "Extension ended",
    "License status",
    "Director's decision",
    "Decided on",
    "Reason",
)


@require_GET
@statewide_only
def noncompliant_export(request: HttpRequest, kind: str) -> HttpResponse:
    """The non-compliant list (same period and filters), every row; 404 before the deadline."""
    form, period = _noncompliant_filters(request)
    today = timezone.localdate()
    if kind not in EXPORTS or period is None or not grace_passed(period, today):
        raise Http404(NOT_FOUND)
    results = noncompliant_results(
        period, today, search=form.cleaned_data.get("q", ""), agency=form.cleaned_data.get("agency")
    )

    def lines() -> Iterator[tuple[Any, ...]]:
        for row in noncompliant_rows(results.iterator(chunk_size=2000)):
            officer = row.officer
            decision = row.decision
            yield (
                officer.license_number,
                officer.last_name,
                officer.first_name,
                row.agency_names,
                row.hours_needed,
                row.missing,
                row.result.extended_until,
                officer.get_license_status_display(),
                decision.get_decision_display() if decision else "Awaiting the Director's decision",
                timezone.localdate(decision.decided_at) if decision else None,
                decision.reason if decision else "",
            )

    name = f"noncompliant-after-grace-{period.year}"
    if kind == "csv":
        return csv_response(name, NONCOMPLIANT_EXPORT_HEADER, lines())
    return xlsx_response(name, NONCOMPLIANT_EXPORT_HEADER, lines(), sheet=f"Non-compliant {period.year}")


# Rule packs -----------------------------------------------------------------------------


@require_GET
@statewide_only
def packs(request: HttpRequest) -> HttpResponse:
    """The rules: the rule book version in force and its history, open drafts, and the pack of
    each period on record (and of next year), latest first."""
    user = acting_user(request)
    context = {"rows": pack_rows(), "can_prepare": user.role == User.Role.POST_STAFF, **versions_context()}
    return render(request, "portals/oversight/packs.html", context)


@require_GET
@statewide_only
def pack(request: HttpRequest, year: str) -> HttpResponse:
    """One period's pack: each value with its effective dates and citation."""
    year = access_pack_year(year)
    context: dict[str, Any] = {"year": year}
    try:
        pack, context["period"] = pack_of_year(year)
    except (PackError, NoPackError) as error:
        context["error"] = str(error)
    else:
        context.update(pack_context(pack))
    return render(request, "portals/oversight/pack.html", context)


@require_http_methods(["GET", "POST"])
@statewide_only
def impact(request: HttpRequest) -> HttpResponse:
    """The rule-change impact preview: load a draft pack, see who would fall short under it.

    The draft is checked by the engine's loader; a usable one is evaluated at once against every
    officer of the period and kept with its preview in the session (never stored as the period's
    pack), then the page is shown again (post/redirect/get)."""
    default = current_period()
    if default is None:
        return _no_period(request, "Rule-change impact preview")
    form = DraftPackForm(initial={"period": default})
    if request.method == "POST" and "rerun" in request.POST:
        kept = request.session.get(IMPACT_SESSION_KEY)
        if kept:
            try:
                return impact_preview(
                    request, access_period(kept["period"]), kept["draft"].encode(), kept["name"]
                )
            except PackError as error:  # the kept draft was checked when loaded; never expected
                messages.error(request, f"This draft cannot be used: {error}")
    elif request.method == "POST":
        form = DraftPackForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["draft"]
            try:
                return impact_preview(request, form.cleaned_data["period"], upload.read(), upload.name)
            except PackError as error:
                form.add_error("draft", f"This draft cannot be used: {error}")
    # A refused draft is shown alone with its errors; the last preview comes back on the next visit.
    stored = None if form.errors else request.session.get(IMPACT_SESSION_KEY)
    context: dict[str, Any] = {"form": form}
    try:
        preview = Impact.from_dict(stored["impact"]) if stored else None
    except (KeyError, TypeError):  # kept by an earlier version of this page: load the draft again
        request.session.pop(IMPACT_SESSION_KEY, None)
        preview = None
    if preview is not None:
        context["impact"] = preview
        context.update(paginate(request, preview.agencies))
        ids = [o.officer_id for o in preview.newly_short_officers]
        officers = Officer.objects.in_bulk(ids)
        agencies: dict[int, list[str]] = {}
        for officer_id, name in (
            Commission.objects.filter(officer_id__in=ids, end__isnull=True)
            .order_by("agency__name")
            .values_list("officer_id", "agency__name")
        ):
            agencies.setdefault(officer_id, []).append(name)
        context["newly_short"] = [
            {
                "officer": officers[o.officer_id],
                "agencies": "; ".join(agencies.get(o.officer_id, [])),
                "entry": o,
            }
            for o in preview.newly_short_officers
            if o.officer_id in officers
        ]
    return render(request, "portals/oversight/impact.html", context)


def impact_preview(request: HttpRequest, period: ReportingPeriod, content: bytes, name: str) -> HttpResponse:
    """Evaluate the draft in ``content`` against ``period``, keep draft and preview in the
    session and show the preview page again; PackError when the draft is malformed."""
    draft = draft_pack_read(content=content, name=name, period=period)
    preview = pack_impact(period=period, draft=draft, draft_name=name)
    # The draft is at most 256 KB (checked above), its preview a few hundred small rows.
    request.session[IMPACT_SESSION_KEY] = {
        "period": period.year,
        "name": name,
        "draft": content.decode("utf-8"),
        "impact": preview.to_dict(),
    }
    messages.success(
        request,
        f"{name}: {preview.officers:,} officers evaluated under both packs in {preview.seconds:.1f} s.",
    )
    return redirect("oversight:impact")


@require_POST
@statewide_only
def impact_discard(request: HttpRequest) -> HttpResponse:
    """Forget the draft and its preview."""
    if request.session.pop(IMPACT_SESSION_KEY, None) is not None:
        messages.info(request, "The draft rule pack and its preview are discarded.")
    return redirect("oversight:impact")


@require_GET
@statewide_only
def index(request: HttpRequest) -> HttpResponse:
    return redirect("oversight:statewide")
