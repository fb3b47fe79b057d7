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

from clee.accounts.access import NOT_FOUND, acting_user, role_required
from clee.accounts.models import User
from clee.compliance.access import access_impact_preview, access_pack_year
from clee.compliance.calendar import current_period
from clee.compliance.impact import Impact, impact_preview_cancel, impact_preview_request
from clee.compliance.models import ComplianceResult, ImpactPreview, ReportingPeriod, RuleBookVersion
from clee.compliance.selectors import grace_passed, periods_past_grace, stale_count
from clee.core.paging import paginate
from clee.officers.models import Commission, Officer
from clee.portals.exports import csv_response, xlsx_response
from clee.portals.oversight.forms import AgencySearchForm, DraftPackForm, NoncompliantFilterForm
from clee.portals.oversight.packs import pack_context, pack_of_year, pack_rows, versions_context
from clee.portals.oversight.selectors import (
    AGENCY_COLUMNS,
    DEFAULT_AGENCY_SORT,
    agency_compliance,
    noncompliant_results,
    noncompliant_rows,
    requirement_shortfalls,
)
from clee.portals.polling import poll_unchanged, shown_token
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
    updating_count = stale_count(period)
    shown = shown_token("statewide", period.pk, updating_count)
    if updating_count and (unchanged := poll_unchanged(request, shown)):
        return unchanged
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
        # Results being recomputed are counted as they were until they are current again.
        "updating_count": updating_count,
        "shown": shown,
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
    year = access_pack_year(acting_user(request), year)
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

    The draft is checked by the engine's loader; a usable one is queued for a worker, which
    evaluates it against every officer of the period (``ImpactPreview``); the page shows its
    progress, polling, until the preview is shown (post/redirect/get). The preview's id is kept
    in the session; the draft itself never becomes the period's pack."""
    default = current_period()
    if default is None:
        return _no_period(request, "Rule-change impact preview")
    form = DraftPackForm(initial={"period": default})
    kept = _kept_preview(request)
    if request.method == "POST" and "rerun" in request.POST:
        if kept is not None:
            try:
                return impact_preview(
                    request, kept.period, kept.draft_text.encode(), kept.draft_name, version=kept.version
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
    context: dict[str, Any] = {"form": form}
    if kept is not None and not form.errors:
        context["preview"] = kept
        if kept.status == ImpactPreview.Status.DONE and kept.result:
            context.update(_impact_context(request, Impact.from_dict(kept.result)))
    return render(request, "portals/oversight/impact.html", context)


def _kept_preview(request: HttpRequest) -> ImpactPreview | None:
    """The preview this person last asked for on this page (the session keeps its id)."""
    kept = request.session.get(IMPACT_SESSION_KEY)
    preview_id = kept.get("preview") if isinstance(kept, dict) else None
    if not isinstance(preview_id, int):  # kept by an earlier version of this page: dropped
        request.session.pop(IMPACT_SESSION_KEY, None)
        return None
    try:
        return access_impact_preview(acting_user(request), preview_id)
    except Http404:  # another person's session, or a preview gone with its draft
        request.session.pop(IMPACT_SESSION_KEY, None)
        return None


def _impact_context(request: HttpRequest, preview: Impact) -> dict[str, Any]:
    context: dict[str, Any] = {"impact": preview}
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
    return context


def impact_preview(
    request: HttpRequest,
    period: ReportingPeriod,
    content: bytes,
    name: str,
    *,
    version: RuleBookVersion | None = None,
) -> HttpResponse:
    """Queue the preview of the draft in ``content`` against ``period``, keep its id in the
    session and show the preview page, which follows its progress; PackError when the draft is
    malformed."""
    preview = impact_preview_request(
        period=period, content=content, name=name, acting_user=acting_user(request), version=version
    )
    request.session[IMPACT_SESSION_KEY] = {"preview": preview.pk}
    messages.info(request, f"{name}: the preview of {period.year} is queued; this page follows it.")
    return redirect("oversight:impact")


@require_GET
@statewide_only
def impact_progress(request: HttpRequest, preview_id: int) -> HttpResponse:
    """The progress fragment the page polls; once the preview is no longer running, htmx is
    told to reload the page, which shows it."""
    preview = access_impact_preview(acting_user(request), preview_id)
    response = render(request, "portals/oversight/includes/impact_progress.html", {"preview": preview})
    if not preview.is_active:
        response["HX-Refresh"] = "true"
    return response


@require_POST
@statewide_only
def impact_cancel(request: HttpRequest, preview_id: int) -> HttpResponse:
    """Cancel the person's own preview while it runs."""
    preview = access_impact_preview(acting_user(request), preview_id)
    if impact_preview_cancel(preview=preview, acting_user=acting_user(request)):
        messages.info(request, "The preview is cancelled.")
    else:
        messages.info(request, "The preview had finished already.")
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
