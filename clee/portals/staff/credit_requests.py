"""Credit requests: the queue, and the review of one request with what approving it does to the
officer's result."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from clee.accounts.access import acting_user
from clee.accounts.models import User
from clee.compliance.calendar import period_of_year
from clee.compliance.preview import Effect
from clee.compliance.recognized import recognition_issue
from clee.compliance.selectors import result_is_stale
from clee.core.choices import Delivery, ProviderCredit
from clee.core.errors import ServiceError
from clee.core.forms import PortalForm, radio_field, text_field, with_blank
from clee.core.wording import hours_text
from clee.portals.polling import poll_unchanged, shown_token
from clee.portals.split import HourSplitFormSet
from clee.portals.staff.pages import (
    APPROVE,
    DENY,
    LINE_FIELDS,
    FilterForm,
    ReviewQueue,
    ShownLine,
    kept_queue,
    lines_formset,
    review_errors,
    shown_documents,
    shown_lines,
    staff_only,
)
from clee.portals.staff.selectors import (
    age_in_days,
    catalog_matches,
    college_hours,
    commissioning_agencies,
    officer_result,
    record_split,
    request_documents,
    request_prefill,
    request_queue,
)
from clee.providers.courses import PortionSpec
from clee.providers.models import RecognizedCourse
from clee.training.access import access_credit_request
from clee.training.models import CreditRequest
from clee.training.services import LineSpec
from clee.workflows.credit_requests import credit_request_decide, credit_request_preview


class RequestQueueFilter(FilterForm):
    status = forms.ChoiceField(label="Status", required=False, choices=CreditRequest.Status.choices)
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=with_blank(CreditRequest.Kind.choices, "All kinds")
    )
    state = forms.CharField(
        label="State",
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"class": "usa-input--small", "autocapitalize": "characters"}),
    )


class RequestDecisionForm(PortalForm):
    decision = radio_field("Decision", [(APPROVE, "Approve with the lines above"), (DENY, "Deny")])
    reason = text_field(
        "Reason",
        max_length=500,
        rows=3,
        required=False,
        help_text="The officer sees it. Required to deny, and to approve credit the rules will not count.",
    )
    delivery = forms.ChoiceField(label="Delivery", choices=Delivery.choices, initial=Delivery.LIVE)
    credit_class = forms.ChoiceField(
        label="Credit class",
        choices=ProviderCredit.choices,
        initial=ProviderCredit.LICENSED,
        help_text="For hours taught only; other kinds earn the class their source earns.",
    )
    recognition_reason = text_field(
        "Why POST recognizes this course",
        max_length=300,
        rows=2,
        required=False,
        help_text="Makes a course from a source not on the recognized list for its date count: "
        "kept on the record, and the officer sees it.",
    )

    def __init__(self, *args: Any, request: CreditRequest, preview: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if request.kind != CreditRequest.Kind.INSTRUCTION:
            del self.fields["credit_class"]
        if request.kind != CreditRequest.Kind.OUT_OF_STATE:
            del self.fields["recognition_reason"]
        if preview:  # previewing an approval: no decision is being made yet
            self.fields["decision"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.require_when(
            data.get("decision") == DENY, "reason", "Give the reason for the denial: the officer sees it."
        )
        return data


def record_lines(portions: list[PortionSpec]) -> list[LineSpec]:
    """Portions of hours as a training record's lines (topic hours as numbers)."""
    return [
        LineSpec(
            core_area=spec.core_area,
            subject=spec.subject,
            hours=spec.hours,
            topics={topic: float(hours) for topic, hours in spec.topics.items()},
        )
        for spec in portions
    ]


def _request_filters(query: QueryDict | None) -> FilterForm:
    return RequestQueueFilter(query or None, initial={"status": CreditRequest.Status.SUBMITTED})


def _request_items(filters: FilterForm, status: str) -> QuerySet[CreditRequest]:
    return request_queue(status=status, kind=filters.value("kind"), state=str(filters.value("state")).strip())


REQUESTS = ReviewQueue(
    label="Credit requests",
    statuses=CreditRequest.Status,
    waiting=CreditRequest.Status.SUBMITTED,
    filters=_request_filters,
    items=_request_items,
    submitted_at="created_at",
    template="portals/staff/requests.html",
    list_view="staff:requests",
    review_view="staff:request_review",
    none_left="No more credit requests are waiting in this queue.",
)


@staff_only
@require_GET
def requests(request: HttpRequest) -> HttpResponse:
    return REQUESTS.page(request)


def _chosen_entry(matches: list[RecognizedCourse], chosen: str | None, title: str) -> RecognizedCourse | None:
    """The catalog entry the reviewer chose (``none`` for none); by default the entry whose title
    is the request's, else the first match."""
    if chosen == "none":
        return None
    if chosen:
        return next((entry for entry in matches if str(entry.pk) == chosen), None)
    exact = [entry for entry in matches if entry.title.casefold() == title.strip().casefold()]
    return next(iter(exact or matches), None)


@staff_only
@require_http_methods(["GET", "POST"])
def request_review(request: HttpRequest, request_id: int) -> HttpResponse:
    user = acting_user(request)
    credit_request = access_credit_request(user, request_id)
    posted = request.method == "POST"
    shown = shown_token("request", credit_request.pk)
    unchanged = None if posted else poll_unchanged(request, shown)
    if unchanged is not None and _result_updating(credit_request):
        return unchanged
    queue = kept_queue(request.POST.get("queue", "") if posted else request.GET.get("queue", ""))
    matches = catalog_matches(credit_request)
    entry = _chosen_entry(
        matches, (request.POST if posted else request.GET).get("entry"), credit_request.title
    )
    effect = None
    if posted and "preview" in request.POST:
        # Preview only: what approving with these lines would do; nothing is recorded.
        form = RequestDecisionForm(request.POST, request=credit_request, preview=True)
        lines = lines_formset(request.POST)
        if form.is_valid() and lines.is_valid() and lines.specs():
            effect = _approval_effect(credit_request, record_lines(lines.specs()), form.cleaned_data, user)
        elif lines.is_valid() and not lines.specs():
            lines.non_form_errors().append(
                "Add at least one line of core area and hours to see what approving does."
            )
    elif posted:
        form = RequestDecisionForm(request.POST, request=credit_request)
        lines = lines_formset(request.POST)
        approve = form.is_valid() and form.cleaned_data["decision"] == APPROVE
        if lines.is_valid() and lines.specs() and form.is_valid() and credit_request.status == "submitted":
            effect = _approval_effect(credit_request, record_lines(lines.specs()), form.cleaned_data, user)
        if approve and lines.is_valid() and not lines.specs():
            lines.non_form_errors().append("Add at least one line of core area and hours to approve.")
        elif form.is_valid() and (not approve or lines.is_valid()):
            data = form.cleaned_data
            try:
                credit_request_decide(
                    request=credit_request,
                    approve=approve,
                    reason=data["reason"],
                    lines=record_lines(lines.specs()) if approve else (),
                    delivery=data["delivery"],
                    credit_class=data.get("credit_class") or "licensed",
                    recognition_reason=data.get("recognition_reason") or "",
                    acting_user=user,
                )
            except ServiceError as error:
                form.refuse(error, rows=lines, row_fields=LINE_FIELDS)
            else:
                if approve:
                    text = f"Approved {hours_text(lines.total())} for {credit_request.officer.full_name}"
                    decided = CreditRequest.objects.get(pk=credit_request.pk)
                    if decided.effect_note:
                        messages.warning(
                            request, f"{decided.officer.full_name} is told: {decided.effect_note}"
                        )
                else:
                    text = f"Denied the request of {credit_request.officer.full_name}"
                messages.success(request, f"{text}: “{credit_request.title}”.")
                return REQUESTS.next_after(request, credit_request, queue)
        credit_request.refresh_from_db()
    else:
        delivery = entry.delivery if entry is not None else "live"
        form = RequestDecisionForm(request=credit_request, initial={"delivery": delivery})
        prefill = request_prefill(credit_request, entry)
        lines = lines_formset(initial=prefill)
        if (
            credit_request.status == CreditRequest.Status.SUBMITTED
            and prefill
            and all(p.core_area for p in prefill)
        ):
            effect = _approval_effect(
                credit_request,
                record_lines(prefill),
                {"delivery": delivery, "credit_class": "licensed"},
                user,
            )
    context = _request_context(credit_request, form, lines, matches, entry, queue)
    context["effect"] = effect
    context["shown"] = shown
    return render(request, "portals/staff/request_review.html", context)


def _approval_effect(
    credit_request: CreditRequest, lines: list[LineSpec], data: dict[str, Any], user: User
) -> Effect | None:
    """What approving the request with ``lines`` does (nothing kept); None if it cannot be
    previewed (lines a service refuses say why when the decision is recorded)."""
    try:
        return credit_request_preview(
            request=credit_request,
            lines=lines,
            delivery=data.get("delivery") or "live",
            credit_class=data.get("credit_class") or "licensed",
            recognition_reason=data.get("recognition_reason") or "",
            acting_user=user,
        )
    except ServiceError:
        return None


def _request_context(
    credit_request: CreditRequest,
    form: RequestDecisionForm,
    lines: HourSplitFormSet,
    matches: list[RecognizedCourse],
    entry: RecognizedCourse | None,
    queue: str,
) -> dict[str, Any]:
    documents = shown_documents(request_documents(credit_request))
    recognized, issue = None, ""
    if credit_request.kind == CreditRequest.Kind.OUT_OF_STATE and credit_request.state:
        # The list as it stands now (staff may have added the source since the request came in).
        issue = recognition_issue(credit_request.state, credit_request.completed_on)
        recognized = not issue
    agencies = commissioning_agencies(credit_request.officer_id)
    return {
        "credit_request": credit_request,
        "officer": credit_request.officer,
        "agencies": agencies,
        "form": form,
        "lines": lines,
        "errors": review_errors(form, lines),
        "documents": documents,
        "matches": matches,
        "entry": entry,
        "entry_lines": shown_lines(request_prefill(credit_request, entry)) if entry else [],
        "college_hours": college_hours(credit_request) if credit_request.kind == "college" else None,
        "recognized": recognized,
        "recognition_issue": issue,
        "result": officer_result(credit_request.officer_id, credit_request.completed_on.year),
        "updating": _result_updating(credit_request),
        "record_lines": _record_lines(credit_request),
        "age_days": age_in_days(credit_request.created_at),
        "review_queue": REQUESTS,
        "decided": credit_request.status != REQUESTS.waiting,
        "queue": queue,
    }


def _result_updating(credit_request: CreditRequest) -> bool:
    """Whether the officer's result of the request's year is being recomputed."""
    return result_is_stale(credit_request.officer_id, period_of_year(credit_request.completed_on.year))


def _record_lines(credit_request: CreditRequest) -> list[ShownLine]:
    """The lines of the record an approved request became."""
    if credit_request.record_id is None:
        return []
    return shown_lines(record_split(credit_request.record_id))
