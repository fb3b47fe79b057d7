"""The staff back office: Django's admin, for POST staff, writing only through services.

Who gets in: an active account marked ``is_staff`` whose role is POST staff or Director (or a
superuser). POST staff change reference data; the Director reads. Deleting is never offered:
agencies are made inactive, courses withdrawn, approvals ended, so history stays whole.

Every ModelAdmin here saves through a service (``save_model``/``save_related``) so each
write carries an audit row naming the staff member. A service's refusal is shown on the form
(forms call the service's ``*_validate``); one that still slips through (two people editing at
once) is shown as a message and nothing is saved.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import construct_instance
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils.html import format_html

from clee.core.errors import ServiceError

__all__ = [
    "BaseInlineFormSet",
    "ModelAdmin",
    "ModelForm",
    "ReadOnlyAdmin",
    "ReadOnlyInline",
    "ServiceCheckedForm",
    "StaffAdmin",
    "StaffInline",
    "can_view",
    "can_write",
    "kept_forms",
    "show_refusal",
    "site",
]

ModelT = TypeVar("ModelT", bound=models.Model)
ParentT = TypeVar("ParentT", bound=models.Model)  # an inline's parent

# django-stubs makes these generic for the type checker; Django's own classes cannot be
# subscripted at run time, so the run-time stand-ins accept (and ignore) the parameters.
if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin, TabularInline
    from django.forms import BaseInlineFormSet, ModelForm
else:

    class _Subscriptable:
        def __class_getitem__(cls, parameters):
            return cls

    class ModelAdmin(_Subscriptable, admin.ModelAdmin):
        pass

    class TabularInline(_Subscriptable, admin.TabularInline):
        pass

    class ModelForm(_Subscriptable, forms.ModelForm):
        pass

    class BaseInlineFormSet(_Subscriptable, forms.BaseInlineFormSet):
        pass


BACK_OFFICE_ROLES = ("post_staff", "director")
WRITING_ROLES = ("post_staff",)


def can_view(user: Any) -> bool:
    """Whether ``user`` may use the back office at all."""
    role = getattr(user, "role", "")
    return bool(user.is_active and user.is_staff and (user.is_superuser or role in BACK_OFFICE_ROLES))


def can_write(user: Any) -> bool:
    """Whether ``user`` may change reference data (POST staff; the Director reads)."""
    return can_view(user) and (user.is_superuser or getattr(user, "role", "") in WRITING_ROLES)


def show_refusal(form: forms.BaseForm, error: ServiceError) -> None:
    """Put a service's refusal, as a sentence, on the form field it names (or above the form);
    the back office's own, as the domain apps' admin modules may not import the portals' form kit."""
    form.add_error(error.field if error.field in form.fields else None, error.sentence)


class ServiceCheckedForm(ModelForm[ModelT]):
    """A model form that also runs the service's own checks on the values it would save, so a
    refusal is shown on the form before anything is written."""

    def service_check(self, candidate: ModelT) -> None:
        """Raise the service's ServiceError for ``candidate`` (the instance with the form's values)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            candidate = construct_instance(self, copy.copy(self.instance))
            try:
                self.service_check(candidate)
            except ServiceError as error:
                show_refusal(self, error)
        return cleaned


def kept_forms(formset: forms.BaseFormSet[Any]) -> list[Any]:
    """The forms of a valid formset that carry a row to keep (filled in, not marked for deletion)."""
    return [
        form
        for form in formset.forms
        if form.cleaned_data and not (formset.can_delete and form.cleaned_data.get(DELETION_FIELD_NAME))
    ]


@dataclass(frozen=True)
class Page:
    """A back-office page that is not a model's list (e.g. the rule packs)."""

    route: str
    view: Callable[..., HttpResponse]
    name: str
    app_label: str
    title: str
    in_index: bool


class BackOfficeLoginForm(AdminAuthenticationForm):
    """Refuses, at the login page, an account the back office would turn away anyway."""

    def confirm_login_allowed(self, user: Any) -> None:
        super().confirm_login_allowed(user)
        if not can_view(user):
            raise ValidationError(
                "This account cannot use the back office: it is for POST staff and the Director.",
                code="not_back_office",
            )


class CleeAdminSite(admin.AdminSite):
    login_form = BackOfficeLoginForm
    site_header = "CLEE back office"
    site_title = "CLEE back office"
    index_title = "POST staff back office"
    enable_nav_sidebar = True

    def __init__(self, name: str = "admin") -> None:
        super().__init__(name)
        self._pages: list[Page] = []

    def has_permission(self, request: HttpRequest) -> bool:
        return can_view(request.user)

    def register_page(
        self,
        *,
        route: str,
        view: Callable[..., HttpResponse],
        name: str,
        app_label: str,
        title: str = "",
        in_index: bool = False,
    ) -> None:
        """Serve ``view`` at ``admin/<route>`` behind the site's login; list it in the index
        under ``app_label`` when ``in_index``."""
        self._pages.append(Page(route, view, name, app_label, title, in_index))

    def get_urls(self) -> list[URLResolver | URLPattern]:
        pages: list[URLResolver | URLPattern] = [
            path(page.route, self.admin_view(page.view), name=page.name) for page in self._pages
        ]
        return [*pages, *super().get_urls()]

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[Any]:
        app_list = super().get_app_list(request, app_label)
        for page in self._pages:
            if not page.in_index or (app_label and page.app_label != app_label):
                continue
            for app in app_list:
                if app["app_label"] == page.app_label:
                    app["models"].append(
                        {
                            "name": page.title,
                            "object_name": page.name,
                            "perms": {"view": True},
                            "admin_url": reverse(f"{self.name}:{page.name}", current_app=self.name),
                            "add_url": None,
                            "view_only": True,
                        }
                    )
                    app["models"].sort(key=lambda entry: entry["name"])
        return app_list


site = CleeAdminSite()


def audit_trail_link(obj: models.Model | None) -> str:
    """A link to the audit events about ``obj``."""
    if obj is None or obj.pk is None:
        return "—"
    url = reverse("admin:core_auditevent_changelist")
    return format_html(
        '<a href="{}?object_type={}&amp;object_id={}">Every change, who made it and when</a>',
        url,
        obj._meta.label_lower,
        obj.pk,
    )


class StaffAdmin(ModelAdmin[ModelT]):
    """POST staff change, the Director reads, nobody deletes."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return can_view(request.user)

    def has_view_permission(self, request: HttpRequest, obj: ModelT | None = None) -> bool:
        return can_view(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return can_write(request.user)

    def has_change_permission(self, request: HttpRequest, obj: ModelT | None = None) -> bool:
        return can_write(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: ModelT | None = None) -> bool:
        return False

    @admin.display(description="audit trail")
    def audit_trail(self, obj: ModelT | None) -> str:
        return audit_trail_link(obj)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceError as error:
            # Raised inside the admin's transaction, so everything it began is rolled back.
            self.message_user(request, f"Nothing was saved: {error.message}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def construct_change_message(
        self, request: HttpRequest, form: Any, formsets: Any, add: bool = False
    ) -> list[dict[str, Any]]:
        # Inline rows are saved by the services, not by the formsets; the audit rows are the
        # full record of what changed.
        return super().construct_change_message(request, form, [], add)


class ReadOnlyAdmin(StaffAdmin[ModelT]):
    """A record kept as it was written: looked at and searched, never changed here."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ModelT | None = None) -> bool:
        return False


class StaffInline(TabularInline[ModelT, ParentT]):
    extra = 0

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_view(request.user)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_write(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_write(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return can_write(request.user)


class ReadOnlyInline(StaffInline[ModelT, ParentT]):
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def changed_values(form: ModelForm[Any], names: Sequence[str]) -> dict[str, Any]:
    """The cleaned values of the fields among ``names`` that the form changed."""
    return {name: form.cleaned_data[name] for name in form.changed_data if name in names}
