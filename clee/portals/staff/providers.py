"""Training providers: the list, one provider with its courses, and adding or changing one."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from clee.accounts.access import acting_user
from clee.core.errors import ServiceError
from clee.core.paging import paginate
from clee.portals.staff.forms import (
    ProviderFilter,
    ProviderForm,
)
from clee.portals.staff.pages import (
    review_errors,
    staff_only,
)
from clee.portals.staff.selectors import (
    provider_courses,
    provider_list,
)
from clee.providers.access import access_provider
from clee.providers.models import Provider
from clee.providers.services import provider_save


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
