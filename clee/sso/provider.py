"""The state's identity provider as configured: whether single sign-on is on, its endpoints
(from the settings, else from the issuer's discovery document), and the address that ends a
session there (RP-initiated logout)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.urls import reverse

# Discovery documents are read again after this many seconds (keys and endpoints may rotate).
DISCOVERY_TTL = 3600


class ProviderUnavailableError(Exception):
    """The provider's discovery document could not be read or lacks an endpoint."""


@dataclass(frozen=True)
class ProviderConfig:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    end_session_endpoint: str


_discovered: dict[str, tuple[float, dict[str, Any]]] = {}
_lock = threading.Lock()

_EXPLICIT = {
    "authorization_endpoint": "CLEE_OIDC_AUTHORIZATION_ENDPOINT",
    "token_endpoint": "CLEE_OIDC_TOKEN_ENDPOINT",
    "userinfo_endpoint": "CLEE_OIDC_USERINFO_ENDPOINT",
    "jwks_uri": "CLEE_OIDC_JWKS_ENDPOINT",
    "end_session_endpoint": "CLEE_OIDC_END_SESSION_ENDPOINT",
}
_REQUIRED = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")


def provider_name() -> str:
    return str(settings.CLEE_OIDC_PROVIDER_NAME)


def sso_enabled() -> bool:
    """True when a client is registered and the provider is named (an issuer, or every endpoint
    the sign-in needs). Reads settings only: no network."""
    if not (settings.OIDC_RP_CLIENT_ID and settings.OIDC_RP_CLIENT_SECRET):
        return False
    if settings.CLEE_OIDC_ISSUER:
        return True
    return all(getattr(settings, _EXPLICIT[name]) for name in _REQUIRED)


def _discovery(issuer: str) -> dict[str, Any]:
    """The issuer's discovery document, kept for DISCOVERY_TTL seconds."""
    now = time.monotonic()
    with _lock:
        cached = _discovered.get(issuer)
    if cached is not None and now - cached[0] < DISCOVERY_TTL:
        return cached[1]
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise ProviderUnavailableError(f"could not read {url}: {error}") from error
    if not isinstance(document, dict) or document.get("issuer") != issuer:
        raise ProviderUnavailableError(f"{url} does not describe the issuer {issuer}")
    with _lock:
        _discovered[issuer] = (now, document)
    return document


def provider_config() -> ProviderConfig | None:
    """The provider's endpoints, or None when single sign-on is off. Raises
    ProviderUnavailableError when the discovery document cannot be read."""
    if not sso_enabled():
        return None
    issuer = str(settings.CLEE_OIDC_ISSUER)
    document = _discovery(issuer) if issuer else {}
    values: dict[str, str] = {}
    for name, setting in _EXPLICIT.items():
        values[name] = str(getattr(settings, setting) or document.get(name) or "")
    missing = [name for name in _REQUIRED if not values[name]]
    if missing:
        raise ProviderUnavailableError(f"the provider names no {', '.join(missing)}")
    return ProviderConfig(issuer=issuer, **values)


def end_session_url(request: HttpRequest) -> str:
    """Where signing out sends the browser (mozilla-django-oidc's OIDC_OP_LOGOUT_URL_METHOD,
    called before the session ends): the provider's end-session endpoint with the ID token as
    hint and our sign-in page to come back to, for a session signed in there and a provider
    that supports it; otherwise our sign-in page."""
    after = resolve_url(settings.LOGOUT_REDIRECT_URL or "login")
    id_token = request.session.get("oidc_id_token")
    if not id_token:
        return after
    try:
        config = provider_config()
    except ProviderUnavailableError:
        return after
    if config is None or not config.end_session_endpoint:
        return after
    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": request.build_absolute_uri(reverse("sso:signed_out")),
            "client_id": settings.OIDC_RP_CLIENT_ID,
        }
    )
    separator = "&" if "?" in config.end_session_endpoint else "?"
    return f"{config.end_session_endpoint}{separator}{query}"
