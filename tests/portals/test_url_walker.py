"""Every route of the URLconf, tried by every persona who must not see it.

The walker resolves every pattern, fills its path converters with ids of rows of the ``world``
(the officer commissioned by agency A, the provider's course and offering, ...), and requests
each page once as each persona outside the route's owners: a visitor not signed in is sent to
sign in, anyone else gets a 404 (or 403). A route no rule below covers fails the test, with a
message saying what to add: a new page cannot ship without someone trying to break in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests import factories
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PERSONAS = ("alice", "bob", "carol", "dave", "erin", "frank")
EVERYONE = frozenset(PERSONAS)

# Routes anyone may open, each with the reason.
PUBLIC: dict[str, str] = {
    "health": "a load balancer's liveness check",
    "health-ready": "a load balancer's readiness check (the database and the job queue's backlog)",
    "home": "sends a visitor to sign in, and a signed-in person to their portal",
    "login": "signing in",
    "logout": "signing out (a POST)",
    "api:schema": "the API's published description",
    "api:docs": "the API's documentation page",
    "sso:start": "single sign-on begins before anyone is signed in",
    "sso:callback": "the state's identity provider answers here",
    "sso:confirm": "single sign-on's confirmation, for the person signing in",
    "sso:failed": "single sign-on's failure page",
    "sso:signed_out": "the page after signing out of single sign-on",
    "sso:invitation": "an officer's invitation link: the token is the key",
    "people:join": "an invitee's link: the token is the key",
    "people:officer_join": "an officer's invitation link: the token is the key",
    "people:signup": "an officer signs up before having an account",
    "people:signup_sent": "the page after asking to sign up",
    "people:signup_finish": "the sign-up link: the token is the key",
    "people:password_reset": "asking for a password reset, signed out",
    "people:password_reset_sent": "the page after asking for a reset",
    "people:password_reset_done": "the page after a reset",
    "people:password_reset_confirm": "the reset link: the token is the key",
    "people:email_confirm": "the link confirming a new address: the token is the key",
    "verify:index": "anyone may check a certificate",
    "verify:credential": "anyone may check a credential",
    "verify:certificate": "a certificate's verification code is printed on it",
    "credentials:did": "the issuer's DID document, read by verifiers",
    "credentials:status_list": "revocation status lists, read by verifiers",
    "credentials:course": "a course's achievement description, read by verifiers",
    "credentials:period": "a period's achievement description, read by verifiers",
    "credentials:provider": "a provider's public profile, read by verifiers",
    "api:": "the API's catch-all: a JSON 404 for any address it does not have",
    "otp_webauthn:js-i18n-catalog": "the passkey script's translations (no data)",
}

# Routes any signed-in person may open (their own account), so only a visitor is refused.
SIGNED_IN = {
    "security:overview",
    "security:verify",
    "security:enrol_totp",
    "security:recovery_codes",
    "security:passkey_added",
    "security:password_change",
    "security:remove",
    "people:email_change",
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
    "api:me",  # the API's who-am-I: it answers whoever calls, by token or session
    # A document: each person sees their own (tests/portals/test_documents.py); every
    # persona is refused the document of a row that is none of theirs (the id of none).
    "document",
}

# The REST API answers a bearer token, never a session: every persona is refused (401/403).
API = {
    "api:licenses",
    "api:courses",
    "api:course",
    "api:offerings",
    "api:rosters",
    "api:roster",
    "api:officers",
    "api:officer",
}

# Who owns each portal (by the route's namespace); everyone else is refused.
OWNERS: dict[str, frozenset[str]] = {
    "officer": frozenset({"alice"}),
    # Carol administers agency B: agency A's officer is not hers (the ids below are agency A's).
    "agency": frozenset({"bob"}),
    "provider": frozenset({"dave"}),
    "staff": frozenset({"erin"}),
    "director": frozenset({"frank"}),
    "oversight": frozenset({"erin", "frank"}),
    "people": frozenset({"bob", "dave", "erin"}),
    "sso": frozenset({"bob", "erin"}),
}
# Routes whose owners differ from their namespace's.
ROUTE_OWNERS: dict[str, frozenset[str]] = {
    "api:tokens": frozenset({"bob", "carol", "dave"}),
    "api:token_revoke": frozenset({"bob"}),  # bob's token
    # An account, or an invitation, of agency A's officer: its administrator and POST staff.
    "people:person": frozenset({"bob", "erin"}),
    "people:deactivate": frozenset({"bob", "erin"}),
    "people:reactivate": frozenset({"bob", "erin"}),
    "sso:invite": frozenset({"bob", "erin"}),
    # Rule book versions: POST staff prepare them, the Director publishes or returns them.
    "oversight:version_new": frozenset({"erin"}),
    "oversight:version_edit": frozenset({"erin"}),
    "oversight:version_submit": frozenset({"erin"}),
    "oversight:version_withdraw": frozenset({"erin"}),
    "oversight:version_publish": frozenset({"frank"}),
    "oversight:version_return": frozenset({"frank"}),
    "oversight:recognized_end": frozenset({"erin"}),
    "sso:invitations": frozenset({"bob", "carol", "erin"}),
    "attend": frozenset({"alice"}),
    # The agency's pages that name no officer of agency A are carol's as much as bob's.
    "agency:index": frozenset({"bob", "carol"}),
    "agency:export": frozenset({"bob", "carol"}),
    "agency:commission_start": frozenset({"bob", "carol"}),
    "agency:training": frozenset({"bob", "carol"}),
    "agency:roster_upload": frozenset({"bob", "carol"}),
    "agency:roster_preview": frozenset({"bob", "carol"}),
    "agency:roster_cancel": frozenset({"bob", "carol"}),
    "agency:roster_sample": frozenset({"bob", "carol"}),
    "agency:courses": frozenset({"bob", "carol"}),
    "agency:course_new": frozenset({"bob", "carol"}),
    "agency:split_row": frozenset({"bob", "carol"}),
    "agency:overview": frozenset({"bob", "carol"}),
    # The people pages of one account: bob manages agency A's, not the other organisations'.
    "people:index": frozenset({"bob", "carol", "dave", "erin"}),
    "people:invite": frozenset({"bob", "carol", "dave", "erin"}),
}

MISSING = 987654  # the id of no row, for the few kinds of row the walker does not build


def routes(
    patterns: list[Any] | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, Any]]:
    """``(name, pattern)`` of every route, its name with its namespaces (``staff:courses``)."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace or ""]))
            yield from routes(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name or ''}" if namespace else entry.name or ""
            yield name, (prefix, entry)


@pytest.fixture
def rows(world: dict[str, Any]) -> dict[str, Any]:
    """Ids of rows that belong to the owners: agency A's officer, the provider's course,
    offering, attendance session and roster, alice's request, bob's API token, a rule book
    version, a recognized state, the Director's decision, ..."""
    from django.utils import timezone

    from clee.api.services import token_create
    from clee.attendance.services import session_start
    from clee.compliance.models import (
        Extension,
        ImpactPreview,
        LicenseDecision,
        RecognizedSource,
        RuleBookVersion,
    )
    from clee.officers.models import Commission
    from clee.training.models import ImportBatch
    from clee.workflows.credit_requests import credit_request_submit
    from clee.workflows.provider_rosters import roster_upload_store
    from tests.portals.test_provider_support import roster

    officer, period, today = world["officer"], world["period"], timezone.localdate()
    # Held today: attendance is taken on an offering's days.
    offering = factories.offering(course=world["course"], starts_on=today, location="Riverton")
    record = factories.training_record(
        officer=officer, description="Roll-call training", completed_on=dt.date(2023, 3, 1), hours=2
    )
    batch = ImportBatch.objects.create(
        kind="roster", file_name="r.csv", sha256="3" * 64, provider=world["provider"]
    )
    upload = roster_upload_store(
        provider=world["provider"],
        file_name="r.csv",
        content=roster("P1000001,Avery,CMA-101,2023-03-01,"),
        acting_user=world["dave"],
    )
    request = credit_request_submit(
        officer=officer,
        kind="instruction",
        title="Firearms instructor, basic academy",
        completed_on=dt.date(2023, 5, 2),
        hours=Decimal(8),
        acting_user=world["alice"],
    )
    extension = Extension.objects.create(
        officer=officer,
        period=period,
        kind=Extension.Kind.EXTENSION,
        reason=Extension.Reason.MEDICAL,
        explanation="Surgery in November",
        requested_by=world["alice"],
    )
    decision = LicenseDecision.objects.create(
        officer=officer,
        period=period,
        decision=LicenseDecision.Decision.INACTIVATE,
        reason="Short of the period's hours",
        hours_short=Decimal(2),
        decided_by=world["frank"],
        decided_at=timezone.now(),
    )
    return {
        "officer_id": officer.pk,
        "course_id": world["course"].pk,
        "provider_id": world["provider"].pk,
        "offering_id": offering.pk,
        "session_id": session_start(offering=offering, acting_user=world["dave"]).pk,
        "upload_id": upload.pk,
        "record_id": record.pk,
        "batch_id": batch.pk,
        "request_id": request.pk,
        "extension_id": extension.pk,
        "decision_id": decision.pk,
        "token_id": token_create(name="Records system", acting_user=world["bob"]).token.pk,
        "version_id": RuleBookVersion.objects.values_list("pk", flat=True).first(),
        "entry_id": RecognizedSource.objects.values_list("pk", flat=True).first(),
        "preview_id": ImpactPreview.objects.create(
            period=period,
            draft_name="mo.yaml",
            draft_text="",
            requested_by=world["erin"],
            requested_at=timezone.now(),
        ).pk,
        "commission_id": Commission.objects.get(officer=officer).pk,
        "account_id": world["alice"].pk,
        "year": period.year,
        "license_number": officer.license_number,
        "number": world["provider"].number,
        "jurisdiction": "MO",
    }


def fill(pattern: URLPattern, prefix: str, found: dict[str, Any]) -> str:
    """The route's address with each converter filled (a row's id where the world has one)."""
    import re

    route = prefix + str(pattern.pattern)
    route = route.lstrip("^").rstrip("$")

    def value(match: re.Match[str]) -> str:
        kind, name = match.group(1) or "str", match.group(2)
        if name in found:
            return str(found[name])
        if kind == "uuid":
            return "00000000-0000-4000-8000-000000000000"
        if kind == "int":
            return str(MISSING)
        return {"file_format": "csv", "kind": "csv", "name": "sample.csv"}.get(name, "x")

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


def owners_of(name: str) -> frozenset[str] | None:
    if name in ROUTE_OWNERS:
        return ROUTE_OWNERS[name]
    return OWNERS.get(name.split(":", 1)[0]) if ":" in name else None


def client_of(username: str | None) -> Client:
    client = Client()
    if username is not None:
        assert client.login(username=username, password=PASSWORD)
    return client


def ask(client: Client, url: str) -> Any:
    """A GET; a POST (with nothing) where the route takes POST only."""
    response = client.get(url)
    return client.post(url) if response.status_code == 405 else response


def test_every_route_refuses_everyone_who_must_not_see_it(rows: dict[str, Any]) -> None:
    clients = {username: client_of(username) for username in (None, *PERSONAS)}
    unruled, let_in = [], []
    for name, (prefix, pattern) in routes():
        if name.startswith("admin:") or name in PUBLIC:
            continue  # the back office: the next test
        if name in SIGNED_IN or name in API:
            refused: tuple[str | None, ...] = (None,) if name in SIGNED_IN else (None, *PERSONAS)
        else:
            owners = owners_of(name)
            if owners is None:
                unruled.append(f"{name} ({prefix}{pattern.pattern})")
                continue
            refused = (None, *sorted(EVERYONE - owners))
        url = fill(pattern, prefix, rows)
        for username in refused:
            response = ask(clients[username], url)
            if name in API:
                denied = response.status_code in (401, 403)
            elif username is None:  # sent to sign in; a JSON endpoint refuses outright
                denied = response.status_code in (401, 403) or (
                    response.status_code == 302 and response["Location"].startswith("/accounts/login/")
                )
            else:
                denied = response.status_code in (403, 404)
            if not denied:
                let_in.append(f"{username or 'a visitor'} got {response.status_code} from {name} ({url})")
    assert not unruled, (
        "No denial rule for these routes: add each to OWNERS/ROUTE_OWNERS (who may see it), or to "
        "PUBLIC (with the reason) in tests/portals/test_url_walker.py: " + ", ".join(unruled)
    )
    assert not let_in, "\n".join(let_in)


def test_the_back_office_refuses_every_persona_without_its_flag(rows: dict[str, Any]) -> None:
    """The back office (``/admin/``) is for accounts with ``is_staff``, which no persona has:
    everyone is sent to its sign-in page. Tried as a visitor and as the two roles the back
    office serves when they have the flag (POST staff, the Director)."""
    clients = {username: client_of(username) for username in (None, "erin", "frank")}
    let_in = []
    for name, (prefix, pattern) in routes():
        if not name.startswith("admin:") or name in ("admin:login", "admin:logout", "admin:jsi18n"):
            continue
        url = fill(pattern, prefix, rows)
        for username, client in clients.items():
            response = ask(client, url)
            location = response.get("Location", "") if response.status_code == 302 else ""
            if response.status_code != 404 and not location.startswith("/admin/login/"):
                let_in.append(f"{username or 'a visitor'} got {response.status_code} from {name} ({url})")
    assert not let_in, "\n".join(let_in)


def test_a_route_without_a_rule_is_named_by_the_walker() -> None:
    """The guard itself: a made-up route name is one no rule covers."""
    assert owners_of("newportal:page") is None
    assert "newportal:page" not in PUBLIC
