"""The rules as POST publishes them: rule book versions from draft to force, and the recognized
out-of-state list. POST staff prepare and submit drafts and keep the list; the Director
publishes a version or returns it; both read everything. Every write is a service call
(``clee.compliance.publishing``, ``clee.compliance.recognized``) with its audit row."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clee.accounts.access import NOT_FOUND, acting_user, role_required
from clee.accounts.models import User
from clee.compliance.access import access_rule_book_version
from clee.compliance.calendar import program_today
from clee.compliance.models import ImpactPreview, RecognizedSource, RuleBookVersion
from clee.compliance.publishing import (
    draft_problem,
    later_changes,
    period_changes,
    rule_book_draft_create,
    rule_book_draft_update,
    rule_book_publish,
    rule_book_return,
    rule_book_submit,
    rule_book_withdraw,
    version_diff,
)
from clee.compliance.recognized import recognized_now, recognized_source_add, recognized_source_end
from clee.compliance.rulebooks import version_in_force
from clee.core.errors import ServiceError
from clee.portals.oversight.forms import (
    DraftImpactForm,
    DraftTextForm,
    DraftUploadForm,
    RecognizedAddForm,
    RecognizedEndForm,
    ReturnDraftForm,
    SubmitDraftForm,
)
from clee.portals.oversight.views import impact_preview

statewide_only = role_required(User.Role.POST_STAFF, User.Role.DIRECTOR)
staff_only = role_required(User.Role.POST_STAFF)
director_only = role_required(User.Role.DIRECTOR)


def _jurisdiction() -> str:
    return settings.CLEE_JURISDICTION.upper()


@require_http_methods(["GET", "POST"])
@staff_only
def version_new(request: HttpRequest) -> HttpResponse:
    """Start a draft: a copy of the version in force to edit here, or an uploaded rule book."""
    user = acting_user(request)
    in_force = version_in_force(_jurisdiction(), program_today())
    form = DraftUploadForm()
    if request.method == "POST":
        try:
            if "copy" in request.POST:
                if in_force is None:
                    raise ServiceError("no version is in force to copy: upload a rule book instead")
                # The version number is given on publication: the copy does not carry one.
                draft = rule_book_draft_create(
                    jurisdiction=_jurisdiction(),
                    content=re.sub(r"^version: *\d+ *\n", "", in_force.text, count=1, flags=re.MULTILINE),
                    source_name=f"a copy of {in_force}",
                    based_on=in_force,
                    acting_user=user,
                )
                return redirect("oversight:version_edit", version_id=draft.pk)
            form = DraftUploadForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["book"]
                draft = rule_book_draft_create(
                    jurisdiction=_jurisdiction(),
                    content=upload.read(),
                    source_name=upload.name,
                    based_on=in_force,
                    acting_user=user,
                )
                messages.success(request, f"Draft {draft.pk} was made from {upload.name}.")
                return redirect("oversight:version", version_id=draft.pk)
        except ServiceError as error:
            form.refuse(error)
    return render(request, "portals/oversight/version_new.html", {"form": form, "in_force": in_force})


def _version_context(version: RuleBookVersion, user: User) -> dict[str, Any]:
    today = program_today()
    problem = draft_problem(version)
    in_force = version_in_force(version.jurisdiction, today)
    compared = version.based_on if version.number is None else None
    if compared is None and version.number is not None:
        compared = (
            RuleBookVersion.objects.filter(
                jurisdiction=version.jurisdiction,
                status=RuleBookVersion.Status.PUBLISHED,
                number__lt=version.number,
            )
            .order_by("-number")
            .first()
        )
    if compared is None and version.number is None:
        compared = in_force
    editable = version.status == RuleBookVersion.Status.DRAFT
    return {
        "version": version,
        # The latest preview finished for this version (kept with it, whoever asked).
        "last_preview": version.impact_previews.filter(status=ImpactPreview.Status.DONE)
        .select_related("period")
        .first(),
        "problem": problem,
        "changes": [] if problem else period_changes(version, today=today),
        "later": [] if problem else later_changes(version, today=today),
        "diff": version_diff(version, compared),
        "compared": compared,
        "in_force": in_force,
        "can_edit": editable and user.role == User.Role.POST_STAFF,
        "can_submit": editable and user.role == User.Role.POST_STAFF and problem is None,
        "can_withdraw": user.role == User.Role.POST_STAFF
        and version.status in (RuleBookVersion.Status.DRAFT, RuleBookVersion.Status.SUBMITTED),
        "can_decide": version.status == RuleBookVersion.Status.SUBMITTED and user.role == User.Role.DIRECTOR,
        "can_preview": problem is None and version.status != RuleBookVersion.Status.WITHDRAWN,
        "submit_form": SubmitDraftForm(initial={"effective_from": version.effective_from or today}),
        "return_form": ReturnDraftForm(),
        "impact_form": DraftImpactForm(),
        "today": today,
        "next_number": (
            RuleBookVersion.objects.filter(jurisdiction=version.jurisdiction).aggregate(top=Max("number"))[
                "top"
            ]
            or 0
        )
        + 1,
    }


@require_GET
@statewide_only
def version(request: HttpRequest, version_id: int) -> HttpResponse:
    """A version or draft: its state, what is wrong with it, the periods it changes, its text
    against the version before, and what may be done with it."""
    found = access_rule_book_version(acting_user(request), version_id)
    return render(request, "portals/oversight/version.html", _version_context(found, acting_user(request)))


@require_GET
@statewide_only
def version_text(request: HttpRequest, version_id: int) -> HttpResponse:
    """The version's text, to download (and to try with ``clee check --pack``)."""
    found = access_rule_book_version(acting_user(request), version_id)
    name = f"{found.jurisdiction.lower()}-v{found.number}" if found.number else f"draft-{found.pk}"
    response = HttpResponse(found.text, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.yaml"'
    return response


@require_http_methods(["GET", "POST"])
@staff_only
def version_edit(request: HttpRequest, version_id: int) -> HttpResponse:
    """Edit a draft's text in the page; it is saved even while it has a problem (shown)."""
    found = access_rule_book_version(acting_user(request), version_id)
    if found.status != RuleBookVersion.Status.DRAFT:
        messages.error(
            request, f"This draft is {found.get_status_display().lower()}: it can no longer be edited."
        )
        return redirect("oversight:version", version_id=found.pk)
    form = DraftTextForm(initial={"text": found.text})
    if request.method == "POST":
        form = DraftTextForm(request.POST)
        if form.is_valid():
            try:
                found = rule_book_draft_update(
                    draft=found, content=form.cleaned_data["text"], acting_user=acting_user(request)
                )
            except ServiceError as error:
                form.refuse(error)
            else:
                problem = draft_problem(found)
                if problem is None:
                    messages.success(request, "The draft is saved and reads as a rule book.")
                else:
                    messages.warning(request, f"The draft is saved, but it cannot be used yet: {problem}")
                return redirect("oversight:version", version_id=found.pk)
    return render(
        request,
        "portals/oversight/version_edit.html",
        {"version": found, "form": form, "problem": draft_problem(found)},
    )


def _back(version_id: int) -> HttpResponse:
    return redirect("oversight:version", version_id=version_id)


def _refused(
    request: HttpRequest, found: RuleBookVersion, form: Any, error: ServiceError, key: str
) -> HttpResponse:
    form.refuse(error)
    return _version_refused(request, found, form, key)


def _version_refused(request: HttpRequest, found: RuleBookVersion, form: Any, key: str) -> HttpResponse:
    """The version's page again (400) with ``form`` and its errors in the place of ``key``."""
    context = _version_context(found, acting_user(request))
    context[key] = form
    return render(request, "portals/oversight/version.html", context, status=400)


@require_POST
@staff_only
def version_submit(request: HttpRequest, version_id: int) -> HttpResponse:
    found = access_rule_book_version(acting_user(request), version_id)
    form = SubmitDraftForm(request.POST)
    if not form.is_valid():
        return _version_refused(request, found, form, "submit_form")
    try:
        rule_book_submit(
            draft=found,
            effective_from=form.cleaned_data["effective_from"],
            reason=form.cleaned_data["reason"],
            acting_user=acting_user(request),
        )
    except ServiceError as error:
        return _refused(request, found, form, error, "submit_form")
    messages.success(request, "The draft is with the Director, who publishes it or returns it to you.")
    return _back(found.pk)


@require_POST
@staff_only
def version_withdraw(request: HttpRequest, version_id: int) -> HttpResponse:
    found = access_rule_book_version(acting_user(request), version_id)
    try:
        rule_book_withdraw(draft=found, acting_user=acting_user(request))
    except ServiceError as error:
        messages.error(request, error.sentence)
    else:
        messages.info(request, f"Draft {found.pk} is withdrawn; it is kept with the history.")
    return _back(found.pk)


@require_POST
@director_only
def version_publish(request: HttpRequest, version_id: int) -> HttpResponse:
    found = access_rule_book_version(acting_user(request), version_id)
    try:
        published = rule_book_publish(draft=found, acting_user=acting_user(request))
    except ServiceError as error:
        messages.error(request, error.sentence)
        return _back(found.pk)
    day = published.effective_from
    assert day is not None
    when = (
        "in force now; the periods it changes are being recomputed"
        if day <= program_today()
        else f"in force from {day:%B} {day.day}, {day.year}"
    )
    messages.success(request, f"{published} is published, {when}.")
    return _back(found.pk)


@require_POST
@director_only
def version_return(request: HttpRequest, version_id: int) -> HttpResponse:
    found = access_rule_book_version(acting_user(request), version_id)
    form = ReturnDraftForm(request.POST)
    if not form.is_valid():
        return _version_refused(request, found, form, "return_form")
    try:
        rule_book_return(draft=found, note=form.cleaned_data["note"], acting_user=acting_user(request))
    except ServiceError as error:
        return _refused(request, found, form, error, "return_form")
    messages.info(request, "The draft is back with POST staff, with your note.")
    return _back(found.pk)


@require_POST
@statewide_only
def version_impact(request: HttpRequest, version_id: int) -> HttpResponse:
    """Preview a draft's (or version's) impact on a period: the impact page's own preview."""
    found = access_rule_book_version(acting_user(request), version_id)
    form = DraftImpactForm(request.POST)
    if not form.is_valid() or draft_problem(found) is not None:
        messages.error(request, "Choose a period; a draft with a problem cannot be previewed.")
        return _back(found.pk)
    name = str(found) if found.number else f"draft {found.pk}"
    return impact_preview(
        request, form.cleaned_data["period"], found.text.encode("utf-8"), name, version=found
    )


# The recognized out-of-state list -----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@statewide_only
def recognized(request: HttpRequest) -> HttpResponse:
    """The list as it stands today and its whole history; POST staff add a source."""
    user = acting_user(request)
    form = RecognizedAddForm()
    if request.method == "POST":
        if user.role != User.Role.POST_STAFF:
            return HttpResponse(NOT_FOUND, status=404)
        form = RecognizedAddForm(request.POST)
        if form.is_valid():
            try:
                entry = recognized_source_add(
                    code=form.cleaned_data["code"],
                    recognized_from=form.cleaned_data["recognized_from"],
                    recognized_until=form.cleaned_data["recognized_until"],
                    reference=form.cleaned_data["reference"],
                    acting_user=user,
                )
            except ServiceError as error:
                form.refuse(error)
            else:
                start = entry.recognized_from
                messages.success(
                    request,
                    f"{entry.name} is recognized from {start:%B} {start.day}, {start.year}; officers "
                    "with such courses are being recomputed.",
                )
                return redirect("oversight:recognized")
    today = program_today()
    entries = RecognizedSource.objects.filter(jurisdiction=_jurisdiction()).select_related(
        "added_by", "ended_by"
    )
    context = {
        "form": form,
        "today": today,
        "in_force": recognized_now(today),
        "entries": entries.order_by("code", "-recognized_from"),
        "ended": entries.filter(Q(recognized_until__lt=today)).count(),
        "can_edit": user.role == User.Role.POST_STAFF,
        "end_form": RecognizedEndForm(initial={"last_day": today}),
    }
    return render(request, "portals/oversight/recognized.html", context, status=400 if form.errors else 200)


@require_POST
@staff_only
def recognized_end(request: HttpRequest, entry_id: int) -> HttpResponse:
    entry = RecognizedSource.objects.filter(pk=entry_id, jurisdiction=_jurisdiction()).first()
    if entry is None:
        return HttpResponse(NOT_FOUND, status=404)
    form = RecognizedEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the last day recognized and the reason it ends.")
        return redirect(f"{reverse('oversight:recognized')}#entry-{entry.pk}")
    try:
        ended = recognized_source_end(
            entry=entry,
            last_day=form.cleaned_data["last_day"],
            reason=form.cleaned_data["reason"],
            acting_user=acting_user(request),
        )
    except ServiceError as error:
        messages.error(request, f"{entry.name}: {error.message}.")
    else:
        assert ended.recognized_until is not None
        last = ended.recognized_until
        messages.success(request, f"{ended.name} is recognized until {last:%B} {last.day}, {last.year}.")
    return redirect("oversight:recognized")
