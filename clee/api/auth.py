"""Who calls the API: a provider's or an agency's token (``Authorization: Bearer``), or a
signed-in officer's browser session (the officer's own record only).

Officers get no tokens: they have no systems of their own to connect, and a long-lived secret
per officer would be one more thing to leak. An officer's app or page in the browser reads the
officer's own transcript with the session the officer signed in with (and its protections).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from clee.accounts.lockout import lock_of, with_lock
from clee.accounts.models import User
from clee.api.models import ApiToken
from clee.api.services import TOKEN_START, token_hash

# last_used_at is written at most this often per token: the list in the portal needs the
# day, not every request's write.
TOUCH_EVERY = dt.timedelta(minutes=1)


def token_for_secret(secret: str) -> ApiToken | None:
    """The live token whose secret this is, else None (unknown, revoked, or its account may no
    longer act for the token's provider or agency)."""
    if not secret.startswith(TOKEN_START) or len(secret) > 200:
        return None
    token: ApiToken | None = (
        with_lock(
            ApiToken.objects.select_related("created_by", "provider", "agency"),
            username="created_by__username",
        )
        .filter(secret_sha256=token_hash(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    user = token.created_by
    if not user.is_active:
        return None
    if token.kind == ApiToken.Kind.PROVIDER:
        still = user.role == User.Role.PROVIDER and user.provider_id == token.provider_id
    else:
        still = user.role == User.Role.AGENCY_ADMIN and user.agency_id == token.agency_id
    if not still:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


class TokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer clee_…``; the request acts as the account that created the token."""

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("the Authorization header is 'Bearer <token>', with one token")
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("the token is not a CLEE API token") from None
        token = token_for_secret(secret)
        if token is None:
            raise AuthenticationFailed("the token is unknown or was revoked")
        locked = lock_of(token)
        if locked is not None:
            # A token acts as its account: while the account is locked after failed sign-ins,
            # its tokens are refused too (someone may hold its password).
            raise AuthenticationFailed(
                f"the account this token acts as ({token.created_by.get_username()}) is locked after "
                f"failed sign-ins until {locked.isoformat(timespec='seconds')}; wait, or ask POST staff "
                "to lift the lock"
            )
        return token.created_by, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="CLEE API"'


class OfficerSessionAuthentication(SessionAuthentication):
    """The signed-in officer's session (CSRF checked on writes, as every session form)."""

    def authenticate_header(self, request: Request) -> str:
        return 'Session realm="CLEE"'


def caller(request: Request) -> User:
    """The account a request acts as: its token's maker, or the signed-in officer."""
    user = request.user
    assert isinstance(user, User)
    return user


def caller_token(request: Request) -> ApiToken:
    """The token of a request that passed a token permission."""
    token = request.auth
    assert isinstance(token, ApiToken)
    return token


class _TokenOf(BasePermission):
    kinds: tuple[str, ...] = ()

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        return isinstance(token, ApiToken) and token.kind in self.kinds


class ProviderToken(_TokenOf):
    message = "this endpoint is for a training provider's token"
    kinds = (ApiToken.Kind.PROVIDER,)


class AgencyToken(_TokenOf):
    message = "this endpoint is for an agency's token"
    kinds = (ApiToken.Kind.AGENCY,)


class ProviderOrAgencyToken(_TokenOf):
    message = "this endpoint is for a provider's or an agency's token"
    kinds = (ApiToken.Kind.PROVIDER, ApiToken.Kind.AGENCY)


class SignedInOfficer(BasePermission):
    message = "this endpoint is for a signed-in officer"

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return (
            isinstance(user, User)
            and user.is_active
            and user.role == User.Role.OFFICER
            and user.officer_id is not None
        )


class TokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = TokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "clee_<prefix>_<secret>",
            "description": "A provider's or an agency's API token, created in its portal (API tokens).",
        }


class OfficerSessionScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    target_class = OfficerSessionAuthentication
    name = "officerSession"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
