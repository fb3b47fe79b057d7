"""Single sign-on pages: starting a sign-in at the state's provider and coming back from it,
the license confirmation of a first sign-in, an invitation's link, signing out (there too), and
the invitation pages of agency administrators and POST staff."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import auth, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.generic import View
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
    OIDCLogoutView,
)

from clee.accounts.access import acting_user, role_required
from clee.accounts.models import User
from clee.accounts.services import sign_in_failure_record
from clee.core.errors import ServiceError
from clee.core.paging import paginate
from clee.sso import selectors
from clee.sso.access import access_invitable_officer
from clee.sso.backends import INVITATION, PENDING, PROBLEM
from clee.sso.forms import InvitationFilterForm, LicenseConfirmForm
from clee.sso.models import Invitation
from clee.sso.provider import ProviderUnavailableError, provider_config, provider_name, sso_enabled
from clee.sso.services import (
    Claims,
    invitation_find,
    invitation_problem,
    invitation_send,
    link_by_license,
    lockout_problem,
)

BACKEND = "clee.sso.backends.StateProviderBackend"
inviters_only = role_required(User.Role.AGENCY_ADMIN, User.Role.POST_STAFF)


def _unavailable(request: HttpRequest, *, configured: bool = False) -> HttpResponse:
    """The page of a sign-in route when single sign-on is off (404), or on but the provider
    cannot be reached (503)."""
    return render(
        request,
        "sso/unavailable.html",
        {"provider_name": provider_name(), "configured": configured},
        status=503 if configured else 404,
    )


class StartView(OIDCAuthenticationRequestView):  # type: ignore[misc]
    """Sends the browser to the provider's sign-in (with state, nonce and PKCE)."""

    def __init__(self, **kwargs: Any) -> None:
        View.__init__(self, **kwargs)  # the library's reads settings that may be empty

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled():
            return _unavailable(request)
        try:
            config = provider_config()
        except ProviderUnavailableError:
            return _unavailable(request, configured=True)
        assert config is not None
        self.OIDC_OP_AUTH_ENDPOINT = config.authorization_endpoint
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        response: HttpResponse = super().get(request)
        return response


class CallbackView(OIDCAuthenticationCallbackView):  # type: ignore[misc]
    """The provider sends the browser back here; the backend decides the account. A person it
    cannot place goes on to the license confirmation, any other failure to a page that says
    what happened."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso_enabled():
            return _unavailable(request)
        response: HttpResponse = super().get(request)
        return response

    def login_failure(self) -> HttpResponse:
        if PENDING in self.request.session:
            return HttpResponseRedirect(reverse("sso:confirm"))
        return HttpResponseRedirect(reverse("sso:failed"))

    def login_success(self) -> HttpResponse:
        self.request.session.pop(PENDING, None)
        self.request.session.pop(PROBLEM, None)
        response: HttpResponse = super().login_success()
        return response


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest) -> HttpResponse:
    """A first sign-in CLEE could not place by verified email: the officer confirms their
    license number and date of birth (tries limited per provider account)."""
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict):
        return render(request, "sso/nothing_to_confirm.html", {"provider_name": provider_name()}, status=400)
    claims = Claims(
        issuer=pending["issuer"],
        subject=pending["subject"],
        email=pending.get("email", ""),
        email_verified=bool(pending.get("email_verified")),
        name=pending.get("name", ""),
    )
    form = LicenseConfirmForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            user = link_by_license(
                claims=claims,
                license_number=form.cleaned_data["license_number"],
                date_of_birth=form.cleaned_data["date_of_birth"],
            )
        except ServiceError as error:
            form.refuse(error)
        else:
            locked = lockout_problem(user)
            if locked:
                sign_in_failure_record(
                    username=user.get_username(),
                    reason="the username is locked (single sign-on)",
                    path=request.path,
                )
                request.session.pop(PENDING, None)
                request.session[PROBLEM] = locked
                return redirect("sso:failed")
            next_url = request.session.get("oidc_login_next")
            auth.login(request, user, backend=BACKEND)
            request.session.pop(PENDING, None)
            messages.success(request, f"Your {provider_name()} account is now connected to your CLEE record.")
            return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    return render(
        request,
        "sso/confirm.html",
        {"form": form, "provider_name": provider_name(), "email": claims.email},
        status=200 if not form.errors else 400,
    )


@require_GET
def failed(request: HttpRequest) -> HttpResponse:
    problem = request.session.pop(PROBLEM, "")
    return render(request, "sso/failed.html", {"problem": problem, "provider_name": provider_name()})


@require_GET
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation's link: a valid one starts the provider sign-in, which links the account
    to the invited officer on return; a used, replaced or expired one says so."""
    found = invitation_find(token)
    context: dict[str, Any] = {"provider_name": provider_name()}
    if found is None:
        context["problem"] = "This invitation link is not valid. Check that you copied the whole link."
        return render(request, "sso/invitation.html", context, status=404)
    status = found.status()
    if status != Invitation.Status.OPEN:
        context["problem"] = invitation_problem(status)
        return render(request, "sso/invitation.html", context, status=410)
    if not sso_enabled():
        # Without single sign-on the officer sets up an account with a password (clee.people).
        return redirect("people:officer_join", token)
    request.session[INVITATION] = found.pk
    request.session.pop(PENDING, None)
    return redirect("sso:start")


class SignOutView(OIDCLogoutView):  # type: ignore[misc]
    """Signing out (a POST): ends the CLEE session and, for a session signed in through the
    provider, sends the browser to end the provider's session too (OIDC_OP_LOGOUT_URL_METHOD)."""


@require_GET
def signed_out(request: HttpRequest) -> HttpResponse:
    return render(request, "sso/signed_out.html", {"provider_name": provider_name()})


# Invitations --------------------------------------------------------------------------------


@inviters_only
@require_GET
def invitations(request: HttpRequest) -> HttpResponse:
    """The officers the user may invite (an agency's commissioned officers; every officer for
    POST staff): connected or not, the latest invitation sent when and expiring when."""
    user = acting_user(request)
    filters = InvitationFilterForm(request.GET)
    query, show = filters.values()
    officers = selectors.invitable_officers(user, query=query, show=show)
    context: dict[str, Any] = {
        "filters": filters,
        "filtered": bool(query or show),
        "agency": user.agency if user.role == User.Role.AGENCY_ADMIN else None,
        "statewide": user.role == User.Role.POST_STAFF,
        "provider_name": provider_name(),
        "sso_enabled": sso_enabled(),
        "invitation_days": settings.CLEE_INVITATION_DAYS,
        **paginate(request, officers),
    }
    context["rows"] = selectors.invitation_rows(context["page_obj"].object_list)
    return render(request, "sso/invitations.html", context)


@inviters_only
@require_POST
def invite(request: HttpRequest, officer_id: int) -> HttpResponse:
    user = acting_user(request)
    officer, agency = access_invitable_officer(user, officer_id)
    site_url = settings.CLEE_SITE_URL or request.build_absolute_uri("/")
    try:
        sent = invitation_send(officer=officer, agency=agency, acting_user=user, site_url=site_url)
    except ServiceError as error:
        messages.error(request, error.sentence)
    else:
        messages.success(
            request,
            f"Invitation sent to {officer.full_name} at {sent.email}; "
            f"the link works once, until {sent.expires_at:%B %-d, %Y}.",
        )
    back = request.POST.get("back", "")
    if back.startswith("?") and url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        return redirect(resolve_url("sso:invitations") + back)
    return redirect("sso:invitations")
