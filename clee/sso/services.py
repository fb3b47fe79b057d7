"""Single sign-on writes: linking a provider identity to an officer's account (by verified
email, by license number confirmation, by invitation), signing in through a linked identity,
and sending onboarding invitations. Each records an audit row in its transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from clee.accounts.lockout import locked_until
from clee.accounts.models import User
from clee.agencies.models import Agency
from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.errors import ServiceError
from clee.officers.models import Officer
from clee.sso.models import Identity, Invitation, LinkAttempt
from clee.sso.provider import provider_name, sso_enabled

logger = logging.getLogger(__name__)

CONFIRM_WINDOW = dt.timedelta(hours=24)
MISMATCH = "The license number and date of birth do not match our records. Check both and try again."


@dataclass(frozen=True)
class Claims:
    """What the provider says about the person signing in (the ID token and userinfo)."""

    issuer: str
    subject: str
    email: str = ""
    email_verified: bool = False
    name: str = ""

    def describe(self) -> str:
        return f"{self.email or 'no email'} (subject {self.subject})"


@dataclass(frozen=True)
class SignIn:
    """The outcome of a provider sign-in: an account to sign in to, or the license
    confirmation to ask for, or a problem to show."""

    user: User | None = None
    needs_confirmation: bool = False
    problem: str = ""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def officer_connected(officer: Officer) -> bool:
    """True when the officer's account already has a provider identity."""
    return Identity.objects.filter(user__officer=officer).exists()


# Signing in ---------------------------------------------------------------------------------


def sso_sign_in(*, claims: Claims, invitation_id: int | None = None) -> SignIn:
    """Decide who a provider sign-in is: the account already linked to ``(issuer, subject)``;
    else the officer of a pending invitation; else the one officer whose email the provider
    has verified (and who is not connected yet); else ask for license number confirmation."""
    identity = (
        Identity.objects.select_related("user", "user__officer")
        .filter(issuer=claims.issuer, subject=claims.subject)
        .first()
    )
    if identity is not None:
        return _sign_in_linked(identity, claims)
    if invitation_id is not None:
        try:
            return SignIn(user=link_by_invitation(invitation_id=invitation_id, claims=claims))
        except ServiceError as error:
            return SignIn(problem=error.message)
    if claims.email_verified and claims.email:
        officers = list(Officer.objects.filter(email__iexact=claims.email)[:2])
        if len(officers) == 1 and not officer_connected(officers[0]):
            try:
                return SignIn(user=_link(officers[0], claims, Identity.Method.EMAIL))
            except ServiceError:
                pass  # linked by someone else meanwhile: fall back to confirmation
    return SignIn(needs_confirmation=True)


def lockout_problem(user: User) -> str | None:
    """The sentence to show when ``user`` is locked out after failed sign-ins (the lock holds
    for single sign-on too), else None."""
    until = locked_until(user.get_username())
    if until is None:
        return None
    return (
        f"This CLEE account is locked after {settings.AXES_FAILURE_LIMIT} failed sign-ins until "
        f"{timezone.localtime(until):%-I:%M %p}. Try again then, or ask POST staff to lift the lock."
    )


@transaction.atomic
def _sign_in_linked(identity: Identity, claims: Claims) -> SignIn:
    user = identity.user
    if not user.is_active:
        return SignIn(problem="This CLEE account is disabled. Ask POST staff to restore it.")
    locked = lockout_problem(user)
    if locked:
        return SignIn(problem=locked)
    identity.last_sign_in_at = timezone.now()
    identity.email = claims.email or identity.email
    identity.save(update_fields=["last_sign_in_at", "email"])
    record_event(
        actor=user,
        action=AuditAction.SSO_SIGNED_IN,
        target=identity,
        summary=f"Signed in through {provider_name()} as {claims.describe()}",
    )
    return SignIn(user=user)


def _username_for(officer: Officer) -> str:
    base = f"officer-{officer.license_number.lower()}"
    username, counter = base, 1
    while User.objects.filter(username=username).exists():
        counter += 1
        username = f"{base}-{counter}"
    return username


def _link(
    officer: Officer, claims: Claims, method: Identity.Method, invitation: Invitation | None = None
) -> User:
    """Link ``claims``' identity to the officer's account (created when the officer has none),
    in one transaction; ServiceError when the officer or the identity is linked already."""
    try:
        with transaction.atomic():
            # Lock the officer: two first sign-ins for one officer must not both link.
            officer = Officer.objects.select_for_update().get(pk=officer.pk)
            if officer_connected(officer):
                raise ServiceError(
                    f"{officer.full_name} is already connected to a {provider_name()} account. "
                    "Ask your agency administrator or POST staff if this is wrong."
                )
            user = User.objects.filter(officer=officer).first()
            if user is None:
                user = User(
                    username=_username_for(officer),
                    role=User.Role.OFFICER,
                    officer=officer,
                    email=officer.email or claims.email,
                    first_name=officer.first_name,
                    last_name=officer.last_name,
                )
                user.set_unusable_password()
                user.save()
                record_event(
                    actor=user,
                    action=AuditAction.ACCOUNT_CREATED,
                    target=user,
                    summary=f"Officer account created at first sign-in through {provider_name()}",
                    data={"officer": officer.pk, "method": str(method)},
                )
            elif not user.is_active:
                raise ServiceError("This CLEE account is disabled. Ask POST staff to restore it.")
            identity = Identity.objects.create(
                user=user,
                issuer=claims.issuer,
                subject=claims.subject,
                email=claims.email,
                linked_by=method,
                last_sign_in_at=timezone.now(),
            )
            record_event(
                actor=user,
                action=AuditAction.SSO_LINKED,
                target=identity,
                summary=f"{provider_name()} account {claims.describe()} linked to officer "
                f"{officer.license_number} by {Identity.Method(method).label.lower()}",
                data={"officer": officer.pk, "method": str(method), "email_verified": claims.email_verified},
            )
            if invitation is not None:
                invitation.used_at = timezone.now()
                invitation.used_by = user
                invitation.save(update_fields=["used_at", "used_by"])
                record_event(
                    actor=user,
                    action=AuditAction.SSO_INVITATION_USED,
                    target=invitation,
                    summary=f"Invitation used by {claims.describe()}",
                )
            return user
    except IntegrityError as error:
        raise ServiceError(f"This {provider_name()} account is already linked to a CLEE account.") from error


def link_by_invitation(*, invitation_id: int, claims: Claims) -> User:
    """Consume a pending invitation: link the identity to the invited officer."""
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update().select_related("officer").filter(pk=invitation_id).first()
        )
        if invitation is None:
            raise ServiceError("This invitation no longer exists. Ask for a new one.")
        status = invitation.status()
        if status != Invitation.Status.OPEN:
            raise ServiceError(invitation_problem(status))
        return _link(invitation.officer, claims, Identity.Method.INVITATION, invitation)


def invitation_problem(status: Invitation.Status) -> str:
    """The sentence a person following a link that no longer works reads."""
    if status == Invitation.Status.USED:
        return (
            "This invitation has already been used. Sign in with your account, or ask for a new invitation."
        )
    if status == Invitation.Status.REPLACED:
        return "A newer invitation was sent after this one. Use the link in the most recent email."
    return "This invitation has expired. Ask your agency administrator or POST staff to send a new one."


def link_by_license(
    *, claims: Claims, license_number: str, date_of_birth: dt.date, now: dt.datetime | None = None
) -> User:
    """Link the identity to the officer whose license number and date of birth were given.
    Failures are counted per provider subject: after ``CLEE_SSO_CONFIRM_ATTEMPTS`` in a day,
    further tries are refused. ServiceError on a mismatch (saying nothing of which part)."""
    moment = now or timezone.now()
    limit = settings.CLEE_SSO_CONFIRM_ATTEMPTS
    entered = license_number.strip().upper()
    failures = LinkAttempt.objects.filter(
        issuer=claims.issuer, subject=claims.subject, succeeded=False, created_at__gt=moment - CONFIRM_WINDOW
    ).count()
    if failures >= limit:
        raise ServiceError(
            f"Too many unsuccessful tries ({limit}). Try again tomorrow, or ask your agency "
            "administrator to send you an invitation."
        )
    officer = Officer.objects.filter(license_number__iexact=entered, date_of_birth=date_of_birth).first()
    if officer is None:
        with transaction.atomic():
            attempt = LinkAttempt.objects.create(
                issuer=claims.issuer, subject=claims.subject, license_number=entered[:40], created_at=moment
            )
            record_event(
                actor=None,
                action=AuditAction.SSO_CONFIRMATION_FAILED,
                target=attempt,
                summary=f"License confirmation failed for {claims.describe()}: {entered[:40]}",
            )
        left = limit - failures - 1
        # Above the form, not on one field: which of the two is wrong is not said.
        raise ServiceError(
            MISMATCH + (f" {left} {'try' if left == 1 else 'tries'} left today." if left else "")
        )
    with transaction.atomic():
        user = _link(officer, claims, Identity.Method.LICENSE)
        LinkAttempt.objects.create(
            issuer=claims.issuer,
            subject=claims.subject,
            license_number=entered[:40],
            succeeded=True,
            created_at=moment,
        )
    return user


# Invitations --------------------------------------------------------------------------------


def invitation_find(token: str) -> Invitation | None:
    """The invitation whose link carries ``token`` (looked up by hash), if any."""
    if not token or len(token) > 100:
        return None
    return Invitation.objects.select_related("officer").filter(token_hash=token_hash(token)).first()


def invitation_send(
    *, officer: Officer, agency: Agency | None, acting_user: User, site_url: str
) -> Invitation:
    """Send ``officer`` a single-use link (valid ``CLEE_INVITATION_DAYS`` days) to connect
    their provider sign-in; earlier open invitations are replaced. The mail is handed to the
    server inside the transaction: if it refuses, nothing is recorded."""
    if not officer.email:
        raise ServiceError(f"{officer.full_name} has no email address on file. Add one before inviting.")
    now = timezone.now()
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        Officer.objects.select_for_update().filter(pk=officer.pk).first()
        if officer_connected(officer):
            raise ServiceError(f"{officer.full_name} has already connected a {provider_name()} account.")
        if not sso_enabled() and User.objects.filter(officer=officer).exists():
            raise ServiceError(f"{officer.full_name} already has a CLEE account: one officer, one account.")
        Invitation.objects.filter(officer=officer, used_at__isnull=True, replaced_at__isnull=True).update(
            replaced_at=now
        )
        invitation = Invitation.objects.create(
            officer=officer,
            agency=agency,
            email=officer.email,
            token_hash=token_hash(token),
            sent_by=acting_user,
            sent_at=now,
            expires_at=now + dt.timedelta(days=settings.CLEE_INVITATION_DAYS),
        )
        record_event(
            actor=acting_user,
            action=AuditAction.SSO_INVITATION_SENT,
            target=invitation,
            summary=f"Invitation to connect {provider_name()} sent to {officer.full_name} at {officer.email}",
            data={"officer": officer.pk, "agency": agency.pk if agency else None},
        )
        link = site_url.rstrip("/") + reverse("sso:invitation", args=[token])
        try:
            invitation_message(invitation, link).send()
        except (smtplib.SMTPException, OSError) as error:
            logger.warning("invitation to officer %s not sent: %s", officer.pk, error)
            raise ServiceError(
                f"The mail server did not accept the invitation ({error.__class__.__name__}). "
                "Nothing was sent; try again later."
            ) from error
    return invitation


def invitation_message(invitation: Invitation, link: str) -> EmailMultiAlternatives:
    """The invitation email: a text body and an HTML alternative."""
    # Without single sign-on the link sets up a CLEE account with a password (clee.people).
    connect = sso_enabled()
    context = {
        "officer": invitation.officer,
        "link": link,
        "expires_at": invitation.expires_at,
        "provider_name": provider_name(),
        "agency": invitation.agency,
        "connect": connect,
    }
    message = EmailMultiAlternatives(
        subject=f"Connect your {provider_name()} account to CLEE" if connect else "Set up your CLEE account",
        body=render_to_string("sso/email/invitation.txt", context),
        to=[invitation.email],
        headers={"X-CLEE-Invitation": str(invitation.pk)},
    )
    message.attach_alternative(render_to_string("sso/email/invitation.html", context), "text/html")
    return message
