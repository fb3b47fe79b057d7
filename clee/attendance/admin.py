"""Back office: offerings with their instructors, saved through
``clee.workflows.instructor_credit.offering_save_and_credit`` (an offering that has ended
credits its instructors in the same transaction).

Registered here, above the workflows, rather than with the providers' other pages in
``clee.providers.admin``: the providers app knows nothing of training records.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from clee.accounts.access import acting_user
from clee.core.admin_site import (
    BaseInlineFormSet,
    ServiceCheckedForm,
    StaffAdmin,
    StaffInline,
    kept_forms,
    site,
)
from clee.core.errors import ServiceError
from clee.providers.models import Offering, OfferingInstructor, Provider
from clee.providers.offerings import InstructorSpec, instructors_validate, offering_validate
from clee.workflows.instructor_credit import offering_save_and_credit


class InstructorFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    def specs(self) -> list[InstructorSpec]:
        return [
            InstructorSpec(
                officer_id=form.cleaned_data["officer"].pk, hours_taught=form.cleaned_data["hours_taught"]
            )
            for form in kept_forms(self)
        ]

    def clean(self) -> None:
        super().clean()
        if any(self.errors) or self.instance.course_id is None:
            return
        try:
            instructors_validate(self.instance.course, self.specs())
        except ServiceError as error:
            raise ValidationError(error.message) from error


class InstructorInline(StaffInline[OfferingInstructor, Offering]):
    model = OfferingInstructor
    formset = InstructorFormSet
    fields = ("officer", "hours_taught")
    autocomplete_fields = ("officer",)
    verbose_name = "instructor"
    verbose_name_plural = "instructors (one hour of credit per hour taught)"


class OfferingForm(ServiceCheckedForm[Offering]):
    class Meta:
        model = Offering
        fields = ("course", "starts_on", "ends_on", "location")

    def service_check(self, candidate: Offering) -> None:
        offering_validate(candidate, ())


@admin.register(Offering, site=site)
class OfferingAdmin(StaffAdmin[Offering]):
    form = OfferingForm
    list_display = ("course", "provider", "starts_on", "ends_on", "location")
    list_filter = ("course__provider__kind", "course__delivery")
    search_fields = ("course__number", "course__title", "course__provider__name", "location")
    date_hierarchy = "starts_on"
    autocomplete_fields = ("course",)
    list_select_related = ("course", "course__provider")
    inlines = (InstructorInline,)
    readonly_fields = ("audit_trail",)

    @admin.display(description="provider", ordering="course__provider__name")
    def provider(self, offering: Offering) -> Provider:
        return offering.course.provider

    def save_model(self, request: HttpRequest, obj: Offering, form: Any, change: bool) -> None:
        """Saved with its instructors, in one service call, by ``save_related``."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        instructors = None
        for formset in formsets:
            if isinstance(formset, InstructorFormSet):
                instructors = formset.specs()
        offering_save_and_credit(
            offering=form.instance, instructors=instructors, acting_user=acting_user(request)
        )
