"""People pages. Signed in: an organisation's people (agency administrators, a provider's
staff, every account for POST staff), inviting, deactivating and reactivating them; changing
one's own email address. Signed out: accepting an invitation, an officer's sign-up, the
password reset. Views parse input, call a service or a selector, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from axes.helpers import get_client_ip_address
from django import forms
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from clee.accounts.access import acting_user, role_required
from clee.accounts.models import User
from clee.accounts.views import PORTAL_INDEX
from clee.core.errors import ServiceError
from clee.core.forms import refuse
from clee.core.paging import paginate
from clee.people import selectors, services
from clee.people.access import access_invitation, access_people, access_person
from clee.people.forms import (
    AcceptForm,
    EmailChangeForm,
    InviteForm,
    OfficerAccountForm,
    PeopleFilter,
    ReasonForm,
    ResetRequestForm,
    SetPasswordForm,
    SignupForm,
)
from clee.people.models import AccountInvitation
from clee.people.policy import grantable_roles
from clee.sso.models import Invitation as OfficerInvitation
from clee.sso.provider import provider_name, sso_enabled
from clee.sso.services import invitation_find as officer_invitation_find
from clee.sso.services import invitation_problem as officer_invitation_problem

# The account a person sets up is signed in at once, with the site's own password backend.
BACKEND = "clee.accounts.backends.AccountBackend"
managers_only = role_required(User.Role.AGENCY_ADMIN, User.Role.PROVIDER, User.Role.POST_STAFF)
private = method_decorator([sensitive_post_parameters(), never_cache], name="dispatch")


def _site_url(request: HttpRequest) -> str:
    return settings.CLEE_SITE_URL or request.build_absolute_uri("/")


def _client_ip(request: HttpRequest) -> str | None:
    address = get_client_ip_address(request)
    return str(address) if address else None


def _no_store(response: HttpResponse) -> HttpResponse:
    """Pages reached through a secret link are never kept by a browser or a proxy."""
    response["Cache-Control"] = "no-store"
    return response


def _portal_context(user: User) -> dict[str, Any]:
    return {
        "home_url": reverse(PORTAL_INDEX[User.Role(user.role)]),
        "statewide": user.role == User.Role.POST_STAFF,
        "organisation": user.agency if user.role == User.Role.AGENCY_ADMIN else user.provider,
    }


# An organisation's people -------------------------------------------------------------------


@managers_only
@require_GET
def people(request: HttpRequest) -> HttpResponse:
    user = access_people(acting_user(request))
    statewide = user.role == User.Role.POST_STAFF
    filters = PeopleFilter(request.GET, statewide=statewide)
    query, status, role = filters.values()
    found = selectors.people_of(user, query=query, status=status, role=role)
    page = paginate(request, found)
    context = {
        **_portal_context(user),
        **page,
        "accounts": selectors.mark_second_factors(page["page_obj"].object_list),
        "filters": filters,
        "filtered": bool(query or status or role),
        "invitations": selectors.invitations_waiting(user),
        "invitation_days": settings.CLEE_INVITATION_DAYS,
    }
    return render(request, "people/people.html", context)


@managers_only
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    user = access_people(acting_user(request))
    form = InviteForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sent = services.invitation_send(
                role=data["role"],
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                agency=data.get("agency") if user.role == User.Role.POST_STAFF else user.agency,
                provider=data.get("provider") if user.role == User.Role.POST_STAFF else user.provider,
                license_number=data.get("license_number", ""),
                acting_user=user,
                site_url=_site_url(request),
            )
        except ServiceError as error:
            refuse(form, error)
        else:
            messages.success(
                request,
                f"Invitation sent to {sent.full_name} at {sent.email}; the link works once, until "
                f"{sent.expires_at:%B %-d, %Y}.",
            )
            return redirect("people:index")
    context = {
        **_portal_context(user),
        "form": form,
        "invitation_days": settings.CLEE_INVITATION_DAYS,
        "roles": grantable_roles(user),
    }
    return render(request, "people/invite.html", context, status=400 if form.errors else 200)


@managers_only
@require_GET
def person(request: HttpRequest, account_id: int) -> HttpResponse:
    user = acting_user(request)
    account = access_person(user, account_id)
    return render(request, "people/person.html", _person_context(user, account, ReasonForm()))


def _person_context(user: User, account: User, form: ReasonForm) -> dict[str, Any]:
    return {
        **_portal_context(user),
        "account": account,
        "form": form,
        "is_self": account.pk == user.pk,
        "history": selectors.person_history(account),
        "tokens": selectors.person_tokens(account),
    }


def _change_person(request: HttpRequest, account_id: int, change: Any, done: str) -> HttpResponse:
    user = acting_user(request)
    account = access_person(user, account_id)
    form = ReasonForm(request.POST)
    if form.is_valid():
        try:
            change(account=account, reason=form.cleaned_data["reason"], acting_user=user)
        except ServiceError as error:
            refuse(form, error)
        else:
            messages.success(request, done.format(name=account.get_full_name() or account.get_username()))
            return redirect("people:person", account.pk)
    account.refresh_from_db()
    return render(request, "people/person.html", _person_context(user, account, form), status=400)


@managers_only
@require_POST
def deactivate(request: HttpRequest, account_id: int) -> HttpResponse:
    return _change_person(
        request,
        account_id,
        services.person_deactivate,
        "{name}'s account is deactivated: every session of it has ended and its API tokens are revoked.",
    )


@managers_only
@require_POST
def reactivate(request: HttpRequest, account_id: int) -> HttpResponse:
    return _change_person(
        request, account_id, services.person_reactivate, "{name}'s account is active again: they may sign in."
    )


def _act_on_invitation(
    request: HttpRequest, invitation_id: int, act: Callable[[AccountInvitation, User], str]
) -> HttpResponse:
    """Resend or cancel an invitation the user may manage; ``act`` returns what to tell them."""
    user = acting_user(request)
    invitation = access_invitation(user, invitation_id)
    try:
        messages.success(request, act(invitation, user))
    except ServiceError as error:
        messages.error(request, error.sentence)
    return redirect("people:index")


@managers_only
@require_POST
def invitation_resend(request: HttpRequest, invitation_id: int) -> HttpResponse:
    def resend(invitation: AccountInvitation, user: User) -> str:
        sent = services.invitation_resend(
            invitation=invitation, acting_user=user, site_url=_site_url(request)
        )
        return f"A new invitation was sent to {sent.email}; the earlier link no longer works."

    return _act_on_invitation(request, invitation_id, resend)


@managers_only
@require_POST
def invitation_cancel(request: HttpRequest, invitation_id: int) -> HttpResponse:
    def cancel(invitation: AccountInvitation, user: User) -> str:
        services.invitation_cancel(invitation=invitation, acting_user=user)
        return f"The invitation of {invitation.email} is cancelled: its link no longer works."

    return _act_on_invitation(request, invitation_id, cancel)


# Accepting an invitation -------------------------------------------------------------------

NOT_A_LINK = "This invitation link is not valid. Check that you copied the whole link."


def _link_problem(request: HttpRequest, problem: str, status: int) -> HttpResponse:
    return _no_store(render(request, "people/link_problem.html", {"problem": problem}, status=status))


def _set_up_page(
    request: HttpRequest,
    form: forms.Form,
    set_up: Callable[[dict[str, Any]], User],
    template: str,
    context: dict[str, Any],
) -> HttpResponse:
    """A page on which someone sets up their own account from a link: a valid POST makes the
    account through ``set_up`` and signs it in (the MFA gate then asks for a second step where
    the role requires one); otherwise the form again, with the service's refusal on it."""
    if request.method == "POST" and form.is_valid():
        try:
            user = set_up(form.cleaned_data)
        except ServiceError as error:
            refuse(form, error)
        else:
            auth.login(request, user, backend=BACKEND)
            messages.success(request, f"Welcome to CLEE, {user.first_name}. Your account is set up.")
            return redirect("home")
    status = 400 if form.errors else 200
    return _no_store(render(request, template, {**context, "form": form}, status=status))


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    """An invitation's link: the invitee chooses a username and password."""
    invitation = services.invitation_find(token)
    if invitation is None:
        return _link_problem(request, NOT_A_LINK, 404)
    status = invitation.status()
    if status != AccountInvitation.Status.OPEN:
        return _link_problem(request, services.invitation_problem(status), 410)
    initial = {"first_name": invitation.first_name, "last_name": invitation.last_name}
    form = AcceptForm(
        request.POST or None, initial=initial, username=services.suggested_username(invitation.email)
    )

    def set_up(data: dict[str, Any]) -> User:
        return services.invitation_accept(
            invitation=invitation,
            username=data["username"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            password=data["password1"],
        )

    context = {"invitation": invitation, "mfa": services.invitee_needs_mfa(invitation)}
    return _set_up_page(request, form, set_up, "people/join.html", context)


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def officer_join(request: HttpRequest, token: str) -> HttpResponse:
    """An officer's invitation where single sign-on is off: the officer sets up their own
    account with a password. With single sign-on on, the link signs in there instead."""
    invitation = officer_invitation_find(token)
    if invitation is None:
        return _link_problem(request, NOT_A_LINK, 404)
    status = invitation.status()
    if status != OfficerInvitation.Status.OPEN:
        return _link_problem(request, officer_invitation_problem(status), 410)
    if sso_enabled():
        return redirect("sso:invitation", token)
    officer = invitation.officer
    form = OfficerAccountForm(request.POST or None, username=f"officer-{officer.license_number.lower()}")

    def set_up(data: dict[str, Any]) -> User:
        return services.officer_invitation_accept(
            invitation=invitation, username=data["username"], password=data["password1"]
        )

    context = {"officer": officer, "agency": invitation.agency}
    return _set_up_page(request, form, set_up, "people/officer_account.html", context)


# An officer's own sign-up ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.signup_request(
                license_number=data["license_number"],
                date_of_birth=data["date_of_birth"],
                email=data["email"],
                client_ip=_client_ip(request),
                site_url=_site_url(request),
            )
        except services.RateLimitedError as error:
            refuse(form, error)
            status = 429
        except ServiceError as error:
            refuse(form, error)
        else:
            request.session["clee_signup_email"] = data["email"]
            return redirect("people:signup_sent")
    if form.errors and status == 200:
        status = 400
    context = {"form": form, "sso_enabled": sso_enabled(), "provider_name": provider_name()}
    return render(request, "people/signup.html", context, status=status)


@require_GET
def signup_sent(request: HttpRequest) -> HttpResponse:
    context = {
        "email": request.session.get("clee_signup_email", ""),
        "hours": settings.CLEE_SIGNUP_LINK_HOURS,
    }
    return render(request, "people/signup_sent.html", context)


@sensitive_post_parameters()
@never_cache
@require_http_methods(["GET", "POST"])
def signup_finish(request: HttpRequest, token: str) -> HttpResponse:
    try:
        claim = services.signup_claim(token)
    except ServiceError as error:
        return _link_problem(request, error.message, 410)
    officer = claim.officer
    form = OfficerAccountForm(request.POST or None, username=f"officer-{officer.license_number.lower()}")

    def set_up(data: dict[str, Any]) -> User:
        return services.signup_finish(token=token, username=data["username"], password=data["password1"])

    context = {"officer": officer, "agency": None}
    return _set_up_page(request, form, set_up, "people/officer_account.html", context)


# Password reset ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def password_reset(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link. The next page reads the same whether or not an account has the
    address (no one learns from it who has an account)."""
    form = ResetRequestForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_request(
                email=form.cleaned_data["email"], client_ip=_client_ip(request), site_url=_site_url(request)
            )
        except services.RateLimitedError as error:
            refuse(form, error)
            status = 429
        except ServiceError as error:
            refuse(form, error)
        else:
            request.session["clee_reset_email"] = form.cleaned_data["email"]
            return redirect("people:password_reset_sent")
    if form.errors and status == 200:
        status = 400
    return render(request, "people/password_reset.html", {"form": form}, status=status)


@require_GET
def password_reset_sent(request: HttpRequest) -> HttpResponse:
    context = {
        "email": request.session.get("clee_reset_email", ""),
        "minutes": settings.PASSWORD_RESET_TIMEOUT // 60,
    }
    return render(request, "people/password_reset_sent.html", context)


@private
class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's reset link page: the token is checked (expired, or used: it dies when the
    password changes), moved out of the address into the session, and the new password is set
    through the service. A deactivated account's link does not work."""

    form_class = SetPasswordForm
    template_name = "people/password_reset_confirm.html"
    success_url = reverse_lazy("people:password_reset_done")
    post_reset_login = False

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form: Any) -> HttpResponse:
        services.password_reset_complete(user=self.user, password=form.cleaned_data["new_password1"])
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        return HttpResponseRedirect(self.get_success_url())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context["minutes"] = settings.PASSWORD_RESET_TIMEOUT // 60
        return context


@require_GET
def password_reset_done(request: HttpRequest) -> HttpResponse:
    return render(request, "people/password_reset_done.html")


# One's own email address ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def email_change(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    form = EmailChangeForm(request.POST or None, user=user, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            services.email_change_request(
                user=user, new_email=form.cleaned_data["email"], site_url=_site_url(request)
            )
        except ServiceError as error:
            refuse(form, error)
        else:
            messages.success(
                request,
                f"We sent a link to {form.cleaned_data['email']}. Your address changes when you open it "
                f"(within {settings.CLEE_EMAIL_CHANGE_HOURS} hours), signed in as now.",
            )
            return redirect("people:email_change")
    return render(request, "people/email_change.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The new address's link: a button confirms (a mail scanner opening the link changes
    nothing)."""
    user = acting_user(request)
    try:
        if request.method == "POST":
            address = services.email_change_confirm(user=user, token=token)
            messages.success(request, f"Your email address is now {address}.")
            return redirect("people:email_change")
        address = services.email_change_address(user=user, token=token)
    except ServiceError as error:
        return _link_problem(request, error.message, 410)
    return _no_store(render(request, "people/email_confirm.html", {"address": address}))
