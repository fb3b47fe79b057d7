"""The authentication backend of single sign-on: mozilla-django-oidc's code flow (token,
signature, nonce, PKCE), with the provider's endpoints read at sign-in time and the account
decided by clee.sso.services instead of by email alone."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from clee.accounts.backends import signed_in_user
from clee.accounts.models import User
from clee.accounts.services import sign_in_failure_record
from clee.sso.models import Identity
from clee.sso.provider import ProviderUnavailableError, provider_config, provider_name
from clee.sso.services import Claims, lockout_problem, sso_sign_in

logger = logging.getLogger(__name__)

# Session keys: the identity waiting for license confirmation, the invitation being followed,
# and the sentence to show when a sign-in could not finish.
PENDING = "sso_pending"
INVITATION = "sso_invitation"
PROBLEM = "sso_problem"


class StateProviderBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """Signs in a person the state's provider vouches for. Built on every request that reads
    the signed-in user, so construction reads no setting and makes no network call."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.UserModel = User

    def get_user(self, user_id: Any) -> User | None:
        user = signed_in_user(user_id)
        return user if user is not None and user.is_active else None

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        if request is None or "code" not in request.GET or "state" not in request.GET:
            return None
        try:
            config = provider_config()
        except ProviderUnavailableError as error:
            logger.warning("single sign-on: %s", error)
            request.session[PROBLEM] = f"{provider_name()} cannot be reached right now. Try again later."
            return None
        if config is None:
            return None
        self.config = config
        self.OIDC_OP_TOKEN_ENDPOINT = config.token_endpoint
        self.OIDC_OP_USER_ENDPOINT = config.userinfo_endpoint
        self.OIDC_OP_JWKS_ENDPOINT = config.jwks_uri
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        user: User | None = super().authenticate(request, **kwargs)
        return user

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        """The ID token's claims once its signature and nonce check out (the library), and its
        issuer and audience (which the library leaves unchecked) are ours."""
        payload: dict[str, Any] = super().verify_token(token, **kwargs)
        if kwargs.get("nonce") is None:
            return payload  # a signed userinfo response, not an ID token
        issuer = self.config.issuer
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("ID token from another issuer")
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token for another client")
        return payload

    def get_or_create_user(self, access_token: str, id_token: str, payload: dict[str, Any]) -> User | None:
        userinfo = self.get_userinfo(access_token, id_token, payload)
        subject = payload.get("sub")
        if not subject or userinfo.get("sub") != subject:
            raise SuspiciousOperation("userinfo describes another subject than the ID token")
        claims = Claims(
            issuer=str(payload.get("iss") or self.config.issuer),
            subject=str(subject),
            email=str(userinfo.get("email") or ""),
            email_verified=userinfo.get("email_verified") is True,
            name=str(userinfo.get("name") or ""),
        )
        session = self.request.session
        invitation = session.pop(INVITATION, None)
        outcome = sso_sign_in(claims=claims, invitation_id=invitation)
        locked = lockout_problem(outcome.user) if outcome.user is not None else None
        if locked or (outcome.problem and outcome.problem.startswith("This CLEE account is locked")):
            # The lock on a username holds here too, and a sign-in here does not lift it.
            username = outcome.user.get_username() if outcome.user else _linked_username(claims)
            sign_in_failure_record(
                username=username, reason="the username is locked (single sign-on)", path=self.request.path
            )
            session[PROBLEM] = locked or outcome.problem
            return None
        if outcome.needs_confirmation:
            session[PENDING] = {
                "issuer": claims.issuer,
                "subject": claims.subject,
                "email": claims.email,
                "email_verified": claims.email_verified,
                "name": claims.name,
            }
        elif outcome.problem:
            session[PROBLEM] = outcome.problem
        return outcome.user


def _linked_username(claims: Claims) -> str:
    identity = (
        Identity.objects.select_related("user").filter(issuer=claims.issuer, subject=claims.subject).first()
    )
    return identity.user.get_username() if identity else ""
