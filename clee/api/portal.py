"""The portal pages "API tokens" of a provider's staff and of an agency's administrators:
create a token (its secret shown once), list them by last use, revoke one."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from clee.accounts.access import acting_user, role_required
from clee.accounts.models import User
from clee.api.access import access_token, owner_tokens
from clee.api.services import NewToken, token_create, token_revoke
from clee.core.errors import ServiceError
from clee.core.forms import PortalForm

ROLES = (User.Role.PROVIDER, User.Role.AGENCY_ADMIN)


class TokenForm(PortalForm):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="What will use it, so you know which token to revoke (e.g. “Academy records system”).",
    )


@role_required(*ROLES)
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    listed = owner_tokens(user)
    created: NewToken | None = None
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                created = token_create(name=form.cleaned_data["name"], acting_user=user)
            except ServiceError as error:
                form.refuse(error)
            else:
                form = TokenForm()
    else:
        form = TokenForm()
    response = render(request, "api/tokens.html", {"form": form, "tokens": list(listed), "created": created})
    # The page may hold a secret shown once: never kept by a browser or a proxy.
    response["Cache-Control"] = "no-store"
    return response


@role_required(*ROLES)
@require_POST
def token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    user = acting_user(request)
    token = access_token(user, token_id)
    if token.revoked_at is None:
        token_revoke(token=token, acting_user=user)
        messages.success(
            request, f"The token {token.prefix}… ({token.name}) was revoked: it no longer works."
        )
    return redirect("api:tokens")
