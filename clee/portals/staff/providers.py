"""Training providers: the list, one provider with its courses, and adding or changing one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from clee.accounts.access import acting_user
from clee.agencies.models import Agency
from clee.core.choices import ProviderCredit
from clee.core.errors import ServiceError
from clee.core.forms import DateInput, PortalModelForm, with_blank
from clee.core.paging import paginate
from clee.portals.staff.pages import (
    FilterForm,
    review_errors,
    staff_only,
)
from clee.portals.staff.selectors import (
    provider_courses,
    provider_list,
)
from clee.providers.access import access_provider
from clee.providers.models import Provider
from clee.providers.services import PROVIDER_FIELDS, provider_save


class ProviderFilter(FilterForm):
    q = forms.CharField(label="Name or number", required=False, max_length=100)
    kind = forms.ChoiceField(
        label="Kind", required=False, choices=with_blank(Provider.Kind.choices, "All kinds")
    )


class ProviderForm(PortalModelForm):
    class Meta:
        model = Provider
        fields = PROVIDER_FIELDS
        labels = {
            "number": "Provider number",
            "credit_class": "Credit class",
            "agency": "Agency",
            "state": "State",
            "approved_from": "Approved from",
            "approved_until": "Approved until",
        }
        help_texts = {
            "number": "POST's number for the provider, for example LP-0042.",
            "credit_class": "Leave empty for the usual class of the kind: approved for academies, "
            "out-of-state sources and colleges; licensed for in-service and military training.",
            "agency": "For an agency in-service provider only.",
            "state": "Two letters, for a recognized out-of-state source only.",
            "approved_until": "Leave empty for an approval without an end.",
        }
        widgets = {"approved_from": DateInput(), "approved_until": DateInput()}
        error_messages = {
            "number": {"required": "Enter the provider's number."},
            "name": {"required": "Enter the provider's name."},
            "kind": {"required": "Choose the kind of provider."},
            "approved_from": {
                "required": "Enter the first day of the approval.",
                "invalid": "Enter a date as YYYY-MM-DD.",
            },
            "approved_until": {"invalid": "Enter a date as YYYY-MM-DD."},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = with_blank(Provider.Kind.choices)
        credit_class = self.fields["credit_class"]
        assert isinstance(credit_class, forms.ChoiceField)
        credit_class.required = False
        credit_class.choices = with_blank(ProviderCredit.choices, "Usual for the kind")
        agency = self.fields["agency"]
        assert isinstance(agency, forms.ModelChoiceField)
        # Active agencies, and the provider's own even if it is no longer active.
        agency.queryset = Agency.objects.filter(Q(active=True) | Q(pk=self.instance.agency_id or 0)).order_by(
            "name"
        )
        agency.empty_label = "None"
        self.fields["state"].widget.attrs.update({"maxlength": 2, "class": "usa-input usa-input--xs"})
        self.fields["number"].widget.attrs["class"] = "usa-input usa-input--medium"

    def clean_number(self) -> str:
        return str(self.cleaned_data["number"]).strip().upper()

    def clean_state(self) -> str:
        return str(self.cleaned_data["state"]).strip().upper()


@staff_only
@require_GET
def providers(request: HttpRequest) -> HttpResponse:
    filters = ProviderFilter(request.GET or None)
    found = provider_list(search=str(filters.value("q")).strip(), kind=filters.value("kind"))
    return render(
        request,
        "portals/staff/providers.html",
        {
            **paginate(request, found),
            "filters": filters,
            "searched": bool(request.GET),
        },
    )


@staff_only
@require_GET
def provider(request: HttpRequest, provider_id: int) -> HttpResponse:
    found = access_provider(acting_user(request), provider_id)
    return render(
        request,
        "portals/staff/provider.html",
        {"provider": found, **paginate(request, provider_courses(found))},
    )


def _provider_form_page(request: HttpRequest, instance: Provider) -> HttpResponse:
    user = acting_user(request)
    adding = instance.pk is None
    if request.method == "POST":
        form = ProviderForm(request.POST, instance=instance)
        if form.is_valid():
            try:
                saved = provider_save(provider=form.instance, acting_user=user)
            except ServiceError as error:
                form.refuse(error)
            else:
                messages.success(request, f"{'Added' if adding else 'Saved'} {saved.name} ({saved.number}).")
                return redirect("staff:provider", saved.pk)
    else:
        form = ProviderForm(instance=instance)
    return render(
        request,
        "portals/staff/provider_form.html",
        {"form": form, "provider": None if adding else instance, "errors": review_errors(form)},
    )


@staff_only
@require_http_methods(["GET", "POST"])
def provider_add(request: HttpRequest) -> HttpResponse:
    return _provider_form_page(request, Provider())


@staff_only
@require_http_methods(["GET", "POST"])
def provider_edit(request: HttpRequest, provider_id: int) -> HttpResponse:
    return _provider_form_page(request, access_provider(acting_user(request), provider_id))
