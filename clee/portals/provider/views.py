"""The training provider's pages: its courses, submitted for POST's approval and followed
until decided. Offerings are in ``offerings.py``, rosters in ``rosters.py``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from clee.accounts.access import acting_user, role_required
from clee.accounts.models import User
from clee.core.errors import ServiceError
from clee.core.paging import paginate
from clee.portals.formsets import error_summary, posted_values
from clee.portals.periods import page_period, period_switch
from clee.portals.provider.forms import CourseForm
from clee.portals.provider.selectors import (
    STATUS_FILTERS,
    course_status_counts,
    history,
    portion_rows,
    provider_courses,
)
from clee.portals.selectors import Figure
from clee.portals.split import SPLIT_PREFIX, adding_row, page_split, split_initial, split_row
from clee.providers.access import access_own_course, access_own_provider
from clee.providers.courses import course_portions, course_submit, course_withdraw
from clee.providers.models import Course, CourseDocument, Offering
from clee.training.models import TrainingRecord

PROVIDER = User.Role.PROVIDER


@role_required(PROVIDER)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The provider's courses with their status, hours, delivery and split."""
    user = acting_user(request)
    period = page_period(request)
    provider = user.provider
    context: dict[str, Any] = {"period": period, "provider": provider, **period_switch(request, period)}
    if provider is not None:
        counts = course_status_counts(provider)
        figures = [
            Figure("Approved courses", counts[Course.Status.APPROVED]),
            Figure("Courses awaiting POST review", counts[Course.Status.PENDING]),
        ]
        if period is not None:
            offerings = Offering.objects.filter(
                course__provider=provider, ends_on__gte=period.starts, starts_on__lte=period.ends
            )
            completions = TrainingRecord.objects.filter(
                course__provider=provider, completed_on__gte=period.starts, completed_on__lte=period.ends
            )
            figures += [
                Figure(f"Offerings in {period.year}", offerings.count()),
                Figure(f"Completions reported for {period.year}", completions.count()),
            ]
        status = request.GET.get("status", "")
        if status not in Course.Status.values:
            status = ""
        page = paginate(request, provider_courses(provider, status=status))
        context.update(
            page,
            courses=[(course, portion_rows(list(course.portions.all()))) for course in page["page_obj"]],
            figures=figures,
            status=status,
            status_label=dict(STATUS_FILTERS)[status],
            filters=[(value, label, counts.get(value, 0)) for value, label in STATUS_FILTERS],
        )
    return render(request, "portals/provider/index.html", context)


@role_required(PROVIDER)
@require_http_methods(["GET", "POST"])
def course_new(request: HttpRequest) -> HttpResponse:
    """Submit a course for approval: its description, proposed split and documents."""
    return _course_form_page(request, course=None)


@role_required(PROVIDER)
@require_http_methods(["GET", "POST"])
def course_edit(request: HttpRequest, course_id: int) -> HttpResponse:
    """Correct a course while it awaits review."""
    course = access_own_course(acting_user(request), course_id)
    if course.status != Course.Status.PENDING:
        messages.warning(
            request, f"{course.number} is {course.get_status_display().lower()}: it cannot be corrected."
        )
        return redirect("provider:course_detail", course_id=course.pk)
    return _course_form_page(request, course=course)


def _course_form_page(request: HttpRequest, *, course: Course | None) -> HttpResponse:
    user = acting_user(request)
    provider = access_own_provider(user)
    new = course is None
    notice = ""
    formset = page_split(request, initial=None if course is None else split_initial(course_portions(course)))
    if adding_row(request):
        # A browser without JavaScript asked for one more split row: the page comes back with
        # what was typed (files cannot be sent back to a browser: they are chosen again).
        form = CourseForm(initial=posted_values(request.POST, CourseForm), new=new)
        notice = "A row was added. Choose any files again before you submit."
    elif request.method == "POST":
        form = CourseForm(request.POST, request.FILES, new=new)
        form_ok, split_ok = form.is_valid(), formset.is_valid()
        if form_ok and split_ok:
            candidate = course if course is not None else Course(provider=provider)
            for name in ("title", "number", "hours", "delivery", "synopsis", "learning_objectives"):
                setattr(candidate, name, form.cleaned_data[name])
            try:
                saved = course_submit(
                    course=candidate, portions=formset.specs(), documents=form.documents(), acting_user=user
                )
            except ServiceError as error:
                form.refuse(
                    error,
                    aliases={"documents": "instructor_record" if new else ""},
                    rows=formset,
                    row_fields=(SPLIT_PREFIX,),
                )
            else:
                verb = "submitted to POST for approval" if new else "corrected"
                messages.success(request, f"{saved.number} {saved.title} was {verb}.")
                return redirect("provider:course_detail", course_id=saved.pk)
    elif course is not None:
        form = CourseForm(
            initial={
                name: getattr(course, name)
                for name in ("title", "number", "hours", "delivery", "synopsis", "learning_objectives")
            },
            new=False,
        )
    else:
        form = CourseForm(new=True)
    errors = error_summary(form, (formset, "Split row", "split"))
    context = {
        "provider": provider,
        "course": course,
        "form": form,
        "formset": formset,
        "errors": errors,
        "notice": notice,
        "documents": [] if course is None else course.documents.select_related("document"),
    }
    return render(request, "portals/provider/course_form.html", context, status=400 if errors else 200)


@role_required(PROVIDER)
@require_GET
def course_split_row(request: HttpRequest) -> HttpResponse:
    """One more blank row of a course's split (htmx), and the formset's new row count."""
    access_own_provider(acting_user(request))
    return split_row(request)


@role_required(PROVIDER)
@require_GET
def course_detail(request: HttpRequest, course_id: int) -> HttpResponse:
    """A course's status, POST's decision, split, documents and offerings."""
    course = access_own_course(acting_user(request), course_id)
    documents = course.documents.select_related("document").order_by("kind", "-document__uploaded_at")
    today = timezone.localdate()
    offerings = course.offerings.filter(ends_on__gte=today).order_by("starts_on")[:10]
    context = {
        "course": course,
        "split": portion_rows(list(course.portions.all())),
        "documents": documents,
        "missing_documents": [
            kind.label
            for kind in (CourseDocument.Kind.INSTRUCTOR_RECORD, CourseDocument.Kind.SAMPLE_CERTIFICATE)
            if not any(d.kind == kind for d in documents)
        ],
        "offerings": offerings,
        "offered_today": course.approved_on(today),
        "events": history(course),
    }
    return render(request, "portals/provider/course_detail.html", context)


@role_required(PROVIDER)
@require_http_methods(["GET", "POST"])
def course_withdraw_page(request: HttpRequest, course_id: int) -> HttpResponse:
    """Ask, then withdraw a course awaiting review."""
    user = acting_user(request)
    course = access_own_course(user, course_id)
    if request.method == "POST":
        try:
            course_withdraw(course=course, acting_user=user)
        except ServiceError as error:
            messages.error(request, f"{course.number} was not withdrawn: {error.message}.")
        else:
            messages.success(
                request, f"{course.number} {course.title} was withdrawn. POST will not review it."
            )
        return redirect("provider:course_detail", course_id=course.pk)
    if course.status != Course.Status.PENDING:
        messages.warning(
            request, f"{course.number} is {course.get_status_display().lower()}: it cannot be withdrawn."
        )
        return redirect("provider:course_detail", course_id=course.pk)
    return render(request, "portals/provider/course_withdraw.html", {"course": course})
