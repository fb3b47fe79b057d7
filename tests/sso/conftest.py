"""Single sign-on fixtures: a real OpenID provider (npm oidc-provider) for the run, CLEE
pointed at it, and a sign-in through it with Django's test client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client

from tests.notices.conftest import smtp, smtp_port  # noqa: F401 (the real SMTP server fixtures)
from tests.sso.provider import IdentityProvider, running_provider, sign_in_at_provider

TESTSERVER = "http://testserver"


@pytest.fixture(scope="session")
def identity_provider() -> Iterator[IdentityProvider]:
    with running_provider(
        redirect_uris=[f"{TESTSERVER}/accounts/sso/callback/"],
        post_logout_redirect_uris=[f"{TESTSERVER}/accounts/sso/signed-out/"],
    ) as provider:
        yield provider


@pytest.fixture
def sso(settings: Any, identity_provider: IdentityProvider) -> IdentityProvider:
    """CLEE configured for the test provider (by its issuer's discovery document)."""
    for name, value in identity_provider.settings().items():
        setattr(settings, name, value)
    return identity_provider


def provider_sign_in(client: Client, login: str, *, start: str = "/accounts/sso/start/") -> Any:
    """Sign in through the provider as ``login``: CLEE's start (or an invitation link), the
    provider's pages, and CLEE's callback; the callback's response."""
    response = client.get(start)
    while response.status_code == 302 and response["Location"].startswith("/"):
        response = client.get(response["Location"])
    assert response.status_code == 302, response.content.decode()[:500]
    back = sign_in_at_provider(response["Location"], login, stop_at=TESTSERVER)
    parts = urlsplit(back)
    return client.get(f"{parts.path}?{parts.query}")


def officer(
    license_number: str, first: str, last: str, *, email: str, agency: Any = None, born: str = "1990-05-06"
) -> Any:
    """An officer (commissioned by ``agency`` since 2018 when given), without an account."""
    import datetime as dt

    from tests import factories

    return factories.officer(
        license_number=license_number,
        first_name=first,
        last_name=last,
        date_of_birth=dt.date.fromisoformat(born),
        email=email,
        licensed_on=dt.date(2014, 6, 1),
        agency=agency,
        commissioned_on=dt.date(2018, 1, 1),
    )
