"""Security headers on every response: a strict Content-Security-Policy (scripts and styles from
this site only, or inline ones carrying the request's nonce), and ``Cache-Control: no-store`` on
whatever a signed-in person or an API caller is shown, so no browser or proxy keeps a copy of an
officer's record. HSTS comes from Django's SecurityMiddleware (``CLEE_HSTS_SECONDS``)."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from clee.security.middleware import paths_without_session_checks

NONCE_ATTRIBUTE = "csp_nonce"
# Browser features no page of CLEE uses (passkeys, publickey-credentials-*, stay allowed).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else None


def identity_provider_origins() -> list[str]:
    """Where a form of CLEE may lead the browser besides this site: signing out ends the state
    provider's session by redirecting there (a redirect after a form post is held to
    ``form-action``)."""
    urls = (
        settings.CLEE_OIDC_ISSUER,
        settings.CLEE_OIDC_AUTHORIZATION_ENDPOINT,
        settings.CLEE_OIDC_END_SESSION_ENDPOINT,
    )
    return sorted({origin for url in urls if url and (origin := _origin(url))})


def content_security_policy(nonce: str) -> str:
    nonce_source = f"'nonce-{nonce}'"
    directives = {
        "default-src": ["'none'"],
        "script-src": ["'self'", nonce_source],
        "style-src": ["'self'", nonce_source],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],  # review pages show documents in place
        "manifest-src": ["'self'"],
        "form-action": ["'self'", *identity_provider_origins()],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def csp_nonce(request: HttpRequest) -> str:
    """This request's nonce, for an inline ``<script nonce="...">`` or ``<style nonce="...">``."""
    nonce = getattr(request, NONCE_ATTRIBUTE, None)
    if nonce is None:
        nonce = secrets.token_urlsafe(18)
        setattr(request, NONCE_ATTRIBUTE, nonce)
    return str(nonce)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = csp_nonce(request)
        response = self.get_response(request)
        # A response with a policy of its own (a document, shown sandboxed) keeps it.
        response.headers.setdefault("Content-Security-Policy", content_security_policy(nonce))
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if request.path_info.startswith("/api/v1/") or self._signed_in(request):
            response["Cache-Control"] = "no-store"
        return response

    @staticmethod
    def _signed_in(request: HttpRequest) -> bool:
        if request.path_info.startswith(paths_without_session_checks()):
            return False  # the health check and static files read no session
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated)
