"""Signing in, and the home page that sends each role to its portal."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from clee.accounts.models import User

# Each role's first page.
PORTAL_INDEX = {
    User.Role.OFFICER: "officer:index",
    User.Role.AGENCY_ADMIN: "agency:index",
    User.Role.PROVIDER: "provider:index",
    User.Role.POST_STAFF: "staff:index",
    User.Role.DIRECTOR: "director:index",
}


class LoginView(auth_views.LoginView):
    """Django's sign-in; in demo mode the page also lists the demo accounts (the context
    processor ``clee.demo.context.demo_accounts`` provides them)."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["mfa_required"] = settings.CLEE_MFA_REQUIRED
        return context


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    return redirect(PORTAL_INDEX[User.Role(user.role)])
