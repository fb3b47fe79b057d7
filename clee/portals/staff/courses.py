"""Course submissions: the queue, and the review of one course (a decision on a course awaiting
review, the window of an approved one)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from clee.accounts.access import acting_user
from clee.compliance.preview import LineCount, counting_pack, course_counts
from clee.core.errors import ServiceError
from clee.core.forms import PortalForm, date_field, radio_field, text_field, with_blank
from clee.portals.split import HourSplitFormSet
from clee.portals.staff.pages import (
    APPROVE,
    DENY,
    LINE_FIELDS,
    FilterForm,
    ReviewQueue,
    kept_queue,
    lines_formset,
    review_errors,
    shown_documents,
    shown_lines,
    staff_only,
)
from clee.portals.staff.selectors import (
    age_in_days,
    course_documents,
    course_prefill,
    course_queue,
    providers_with_courses,
)
from clee.providers.access import access_course
from clee.providers.courses import PortionSpec, course_decide, course_window_change
from clee.providers.models import Course, Provider


class CourseQueueFilter(FilterForm):
    status = forms.ChoiceField(
        label="Status", required=False, choices=[(s, label) for s, label in Course.Status.choices]
    )
    provider = forms.ModelChoiceField(
        label="Provider", required=False, queryset=Provider.objects.none(), empty_label="All providers"
    )
    kind = forms.ChoiceField(
        label="Provider kind", required=False, choices=with_blank(Provider.Kind.choices, "All kinds")
    )

    def __init__(self, *args: Any, providers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provider = self.fields["provider"]
        assert isinstance(provider, forms.ModelChoiceField)
        provider.queryset = providers


class CourseDecisionForm(PortalForm):
    decision = radio_field("Decision", [(APPROVE, "Approve with this window and split"), (DENY, "Deny")])
    approved_from = date_field("Approved from", required=False, help_text="Required to approve.")
    approved_until = date_field(
        "Approved until", required=False, help_text="Leave empty for an approval without an end."
    )
    reason = text_field(
        "Reason", max_length=500, rows=3, required=False, help_text="The provider sees it. Required to deny."
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        decision = data.get("decision")
        self.require_when(decision == DENY, "reason", "Give the reason for the denial: the provider sees it.")
        self.require_when(decision == APPROVE, "approved_from", "Enter the first day of the approval.")
        starts, ends = data.get("approved_from"), data.get("approved_until")
        if decision == APPROVE and starts is not None and ends is not None and ends < starts:
            self.add_error("approved_until", f"The approval ends before it starts ({starts:%B %-d, %Y}).")
        return data


class CourseWindowForm(PortalForm):
    """A new approval window for an approved course (ending its approval, or extending it)."""

    approved_from = date_field("Approved from")
    approved_until = date_field(
        "Approved until", required=False, help_text="Leave empty for an approval without an end."
    )
    reason = text_field(
        "Reason",
        max_length=500,
        rows=3,
        help_text="The provider sees it.",
        required_message="Say why the approval window changes: the provider sees it.",
    )


def _course_filters(query: QueryDict | None) -> FilterForm:
    return CourseQueueFilter(
        query or None, providers=providers_with_courses(), initial={"status": Course.Status.PENDING}
    )


def _course_items(filters: FilterForm, status: str) -> QuerySet[Course]:
    provider = filters.value("provider")
    return course_queue(
        status=status, provider_id=provider.pk if provider else None, provider_kind=filters.value("kind")
    )


COURSES = ReviewQueue(
    label="Course submissions",
    statuses=Course.Status,
    waiting=Course.Status.PENDING,
    filters=_course_filters,
    items=_course_items,
    submitted_at="submitted_at",
    template="portals/staff/courses.html",
    list_view="staff:courses",
    review_view="staff:course_review",
    none_left="No more course submissions are waiting in this queue.",
)


@staff_only
@require_GET
def courses(request: HttpRequest) -> HttpResponse:
    return COURSES.page(request)


@staff_only
@require_http_methods(["GET", "POST"])
def course_review(request: HttpRequest, course_id: int) -> HttpResponse:
    user = acting_user(request)
    course = access_course(user, course_id)
    posted = request.method == "POST"
    queue = kept_queue((request.POST if posted else request.GET).get("queue", ""))
    window = None
    if course.status == Course.Status.APPROVED:
        window = CourseWindowForm(
            request.POST if posted else None,
            prefix="window",
            initial={"approved_from": course.approved_from, "approved_until": course.approved_until},
        )
    if posted and window is not None:
        if window.is_valid():
            try:
                course_window_change(
                    course=course,
                    approved_from=window.cleaned_data["approved_from"],
                    approved_until=window.cleaned_data["approved_until"],
                    reason=window.cleaned_data["reason"],
                    acting_user=user,
                )
            except ServiceError as error:
                window.refuse(error)
            else:
                messages.success(
                    request, f"The approval window of {course.number} “{course.title}” was changed."
                )
                return redirect("staff:course_review", course_id=course.pk)
        form = CourseDecisionForm()
        split = lines_formset(initial=course_prefill(course), prefix="split")
    elif posted:
        form = CourseDecisionForm(request.POST)
        split = lines_formset(request.POST, prefix="split")
        approve = form.is_valid() and form.cleaned_data["decision"] == APPROVE
        if form.is_valid() and (not approve or split.is_valid()):
            data = form.cleaned_data
            try:
                course_decide(
                    course=course,
                    approve=approve,
                    reason=data["reason"],
                    approved_from=data["approved_from"] if approve else None,
                    approved_until=data["approved_until"] if approve else None,
                    portions=split.specs() if approve else None,
                    acting_user=user,
                )
            except ServiceError as error:
                form.refuse(error, rows=split, row_fields=LINE_FIELDS)
            else:
                verb = "approved" if approve else "denied"
                messages.success(request, f"Course {course.number} “{course.title}” {verb}.")
                return COURSES.next_after(request, course, queue)
        course.refresh_from_db()
    else:
        form = CourseDecisionForm(initial={"approved_from": timezone.localdate()})
        split = lines_formset(initial=course_prefill(course), prefix="split")
    documents = shown_documents(course_documents(course))
    pack = counting_pack(timezone.localdate().year)
    counts_year = int(pack.period) if pack is not None else timezone.localdate().year
    counts = course_counts(
        [
            (p.core_area, p.subject, p.hours, p.topics)
            for p in (_valid_specs(split) or course_prefill(course))
        ],
        delivery=str(course.delivery),
        provider_class=str(course.provider.credit_class),
        year=counts_year,
    )
    return render(
        request,
        "portals/staff/course_review.html",
        {
            "course_counts": counts,
            "counts_year": counts_year,
            "counts_warning": _counts_warning(counts),
            "course": course,
            "form": form,
            "split": split,
            "window": window,
            "errors": review_errors(window)
            if window is not None and window.is_bound
            else review_errors(form, split),
            "documents": documents,
            "proposed": shown_lines(course_prefill(course)),
            "age_days": age_in_days(course.submitted_at),
            "review_queue": COURSES,
            "decided": course.status != COURSES.waiting,
            "queue": queue,
        },
    )


def _valid_specs(split: HourSplitFormSet) -> list[PortionSpec]:
    """The posted split, when it reads (a split with errors shows the provider's instead)."""
    return split.specs() if split.is_bound and split.is_valid() else []


def _counts_warning(counts: list[LineCount]) -> str:
    """A warning when some hours of the course do not count toward what their line names."""
    missed = [line for line in counts if line.misses_own]
    if not missed:
        return ""
    return (
        "Some of these hours will not count toward the requirement their line is for: "
        + "; ".join(f"{line.what}, not toward {', '.join(line.not_toward)}" for line in missed)
        + ". Approve the course this way only if that is intended."
    )
