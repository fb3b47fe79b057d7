"""The provider's offerings: sessions of approved courses, with their instructors, who are
credited one hour per hour taught once the offering has ended."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from clee.accounts.access import acting_user, role_required
from clee.accounts.models import User
from clee.attendance.selectors import offering_sessions
from clee.core.errors import ServiceError
from clee.core.paging import paginate
from clee.portals.formsets import blank_row, error_summary, posted_rows, posted_values
from clee.portals.provider.forms import (
    INSTRUCTOR_ROWS,
    InstructorForm,
    InstructorFormSet,
    OfferingForm,
)
from clee.portals.provider.selectors import (
    approved_courses,
    history,
    instructor_rows,
    offering_completions,
    provider_offerings,
)
from clee.providers.access import access_own_course, access_own_offering, access_own_provider
from clee.providers.models import Course, Offering
from clee.providers.offerings import offering_ended
from clee.workflows.instructor_credit import offering_save_and_credit

PROVIDER = User.Role.PROVIDER
INSTRUCTOR_PREFIX = "instructors"
MAX_INSTRUCTOR_ROWS = 40
# A service's field -> the form's field that shows its refusal.
OFFERING_FIELDS = {"course": "course", "starts_on": "starts_on", "ends_on": "ends_on", "location": "location"}
CHANGE_FIELDS = {**OFFERING_FIELDS, "course": "starts_on"}


@role_required(PROVIDER)
@require_GET
def offerings(request: HttpRequest) -> HttpResponse:
    """Upcoming and current offerings, then past ones (latest first, by pages)."""
    user = acting_user(request)
    provider = access_own_provider(user)
    today = timezone.localdate()
    courses = list(
        Course.objects.filter(provider=provider, offerings__isnull=False).distinct().order_by("number")
    )
    course_id: int | None = None
    wanted = request.GET.get("course", "")
    if wanted.isdigit() and any(course.pk == int(wanted) for course in courses):
        course_id = int(wanted)
    listed = provider_offerings(provider, course_id=course_id)
    context: dict[str, Any] = {
        "provider": provider,
        "today": today,
        "courses": courses,
        "course_id": course_id,
        "upcoming": listed.filter(ends_on__gte=today).order_by("starts_on", "id"),
        "can_schedule": approved_courses(provider).exists(),
    }
    context.update(paginate(request, listed.filter(ends_on__lt=today).order_by("-starts_on", "-id")))
    return render(request, "portals/provider/offerings.html", context)


@role_required(PROVIDER)
@require_http_methods(["GET", "POST"])
def offering_new(request: HttpRequest) -> HttpResponse:
    """Schedule an offering of an approved course, with its instructors."""
    return _offering_form_page(request, offering=None)


@role_required(PROVIDER)
@require_http_methods(["GET", "POST"])
def offering_edit(request: HttpRequest, offering_id: int) -> HttpResponse:
    """Change an offering's dates, place or instructors (their credit follows)."""
    return _offering_form_page(request, offering=access_own_offering(acting_user(request), offering_id))


def _offering_form_page(request: HttpRequest, *, offering: Offering | None) -> HttpResponse:
    user = acting_user(request)
    provider = access_own_provider(user)
    courses = approved_courses(provider) if offering is None else None
    notice = ""
    if request.method == "POST" and "add_row" in request.POST:
        rows = posted_rows(
            request.POST, INSTRUCTOR_PREFIX, list(InstructorForm.base_fields), most=MAX_INSTRUCTOR_ROWS - 1
        )
        form = OfferingForm(initial=posted_values(request.POST, OfferingForm), courses=courses)
        formset = InstructorFormSet(initial=[*rows, {}], prefix=INSTRUCTOR_PREFIX)
        notice = "A row was added."
    elif request.method == "POST":
        form = OfferingForm(request.POST, courses=courses)
        formset = InstructorFormSet(request.POST, prefix=INSTRUCTOR_PREFIX)
        form_ok, rows_ok = form.is_valid(), formset.is_valid()
        course = offering.course if offering is not None else form.cleaned_data.get("course")
        if form_ok and rows_ok and isinstance(course, Course) and formset.check_hours(course):
            candidate = offering if offering is not None else Offering(course=course)
            candidate.starts_on = form.cleaned_data["starts_on"]
            candidate.ends_on = form.cleaned_data["ends_on"]
            candidate.location = form.cleaned_data["location"]
            try:
                saved = offering_save_and_credit(
                    offering=candidate, instructors=formset.specs(), acting_user=user
                )
            except ServiceError as error:
                # On a change the course is fixed: its refusal (not approved on the new first
                # day) is about the dates.
                fields = OFFERING_FIELDS if offering is None else {**OFFERING_FIELDS, "course": "starts_on"}
                form.refuse(error, aliases=fields, rows=formset, row_fields=("instructors",))
            else:
                verb = "scheduled" if offering is None else "saved"
                note = ""
                if offering_ended(saved) and saved.teaching.exists():
                    note = " Its instructors' credit is up to date."
                messages.success(request, f"The offering of {saved.course.number} was {verb}.{note}")
                return redirect("provider:offering_detail", offering_id=saved.pk)
    elif offering is not None:
        form = OfferingForm(
            initial={
                "starts_on": offering.starts_on,
                "ends_on": offering.ends_on,
                "location": offering.location,
            },
            courses=None,
        )
        formset = InstructorFormSet(
            initial=[
                *(
                    {"license_number": t.officer.license_number, "hours_taught": t.hours_taught}
                    for t in offering.teaching.select_related("officer").order_by("officer__last_name")
                ),
                {},
            ],
            prefix=INSTRUCTOR_PREFIX,
        )
    else:
        initial: dict[str, Any] = {}
        wanted = request.GET.get("course", "")
        if wanted.isdigit():
            initial["course"] = access_own_course(user, int(wanted)).pk
        form = OfferingForm(initial=initial, courses=courses)
        formset = InstructorFormSet(initial=[{}] * INSTRUCTOR_ROWS, prefix=INSTRUCTOR_PREFIX)
    errors = error_summary(form, (formset, "Instructor", "instructors"))
    context = {
        "provider": provider,
        "offering": offering,
        "form": form,
        "formset": formset,
        "errors": errors,
        "notice": notice,
        "no_courses": courses is not None and not courses.exists(),
    }
    return render(request, "portals/provider/offering_form.html", context, status=400 if errors else 200)


@role_required(PROVIDER)
@require_GET
def offering_instructor_row(request: HttpRequest) -> HttpResponse:
    """One more blank instructor row (htmx), and the formset's new row count."""
    access_own_provider(acting_user(request))
    return blank_row(
        request,
        prefix=INSTRUCTOR_PREFIX,
        form_class=InstructorForm,
        max_rows=MAX_INSTRUCTOR_ROWS,
        focus="license_number",
        template="portals/provider/includes/instructor_row.html",
    )


@role_required(PROVIDER)
@require_GET
def offering_detail(request: HttpRequest, offering_id: int) -> HttpResponse:
    """An offering: its dates and place, instructors with their credit, completions recorded."""
    offering = access_own_offering(acting_user(request), offering_id)
    today = timezone.localdate()
    completions = offering_completions(offering)
    context: dict[str, Any] = {
        "offering": offering,
        "course": offering.course,
        "today": today,
        "ended": offering_ended(offering, today),
        "instructors": instructor_rows(offering, today=today),
        "completion_count": completions.count(),
        "events": history(offering),
        "sessions": list(offering_sessions(offering)),
        "attendance_today": offering.starts_on <= today <= offering.ends_on,
    }
    context.update(paginate(request, completions))
    return render(request, "portals/provider/offering_detail.html", context)
