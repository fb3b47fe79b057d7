"""Writes about people's accounts, each with its audit row in the same transaction:
invitations (sent, resent, cancelled, accepted), an officer's own sign-up and the acceptance of
an officer's invitation where single sign-on is off, password reset and email change by email,
deactivation and reactivation.

Emails that a person asked for while signed out (a password reset, a sign-up) never tell
whether an account or officer matched: the page says the same in every case, and only the
owner of the address on file reads the answer. Those requests are limited per address and
per client (``LinkRequest``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
import secrets
import smtplib
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from clee.accounts.models import User
from clee.accounts.services import account_deactivate
from clee.agencies.models import Agency
from clee.api.models import ApiToken
from clee.api.services import token_revoke
from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.errors import ServiceError
from clee.officers.models import Commission, Officer
from clee.people.models import AccountInvitation, LinkRequest
from clee.people.policy import may_invite_to, may_manage
from clee.providers.models import Provider
from clee.security.selectors import mfa_required_for
from clee.sso.models import Invitation as OfficerInvitation
from clee.sso.services import invitation_problem as officer_invitation_problem

logger = logging.getLogger(__name__)

PROGRAM = "Missouri POST Program"
SIGNUP_SALT = "clee.people.signup"
EMAIL_CHANGE_SALT = "clee.people.email_change"
# LinkRequest rows older than this are of no further use to any limit.
LINK_REQUESTS_KEPT = dt.timedelta(days=2)
CLIENT_WINDOW = dt.timedelta(hours=1)
USERNAME = re.compile(r"^[\w.@+-]{3,150}$")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _link(site_url: str, name: str, *args: Any) -> str:
    return site_url.rstrip("/") + reverse(name, args=args)


def _message(*, subject: str, template: str, context: dict[str, Any], to: str) -> EmailMultiAlternatives:
    """An email of ``people/email/<template>.txt`` with its HTML alternative."""
    context = {"program": PROGRAM, **context}
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string(f"people/email/{template}.txt", context), to=[to]
    )
    message.attach_alternative(render_to_string(f"people/email/{template}.html", context), "text/html")
    return message


def _send_or_refuse(message: EmailMultiAlternatives, what: str) -> None:
    """Hand the message to the mail server inside the caller's transaction: if it refuses,
    the caller's writes are undone and the person reads why."""
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("%s to %s not sent: %s", what, message.to, error)
        raise ServiceError(
            f"The mail server did not accept the {what} ({error.__class__.__name__}). "
            "Nothing was sent; try again later."
        ) from error


def _send_quietly(message: EmailMultiAlternatives, what: str) -> None:
    """Send a message someone signed out asked for: a failure is logged, never shown (the page
    must read the same whether or not there was anything to send)."""
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("%s to %s not sent: %s", what, message.to, error)


def _notify_after_commit(account: User, *, subject: str, notice: str, advice: str, to: str = "") -> None:
    """Tell the account's owner (at ``to``, default the account's address) what was done to it,
    once the change is committed; a failure to send is logged."""
    address = to or account.email
    if not address:
        return
    context = {"account": account, "subject": subject, "notice": notice, "advice": advice}
    message = _message(subject=subject, template="notice", context=context, to=address)
    transaction.on_commit(lambda: _send_quietly(message, subject.lower()))


UNEXPECTED = "If you did not expect this, tell your agency administrator or POST staff at once."


def clean_email(email: str, field: str = "email") -> str:
    address = email.strip()
    if not address:
        raise ServiceError("Enter an email address.", field=field)
    try:
        validate_email(address)
    except ValidationError as error:
        raise ServiceError(f"{address} is not an email address.", field=field) from error
    return address


def _clean_name(value: str, label: str, field: str) -> str:
    name = " ".join(value.split())
    if not name:
        raise ServiceError(f"Enter the {label}.", field=field)
    if len(name) > 150:
        raise ServiceError(f"The {label} is at most 150 characters.", field=field)
    return name


def suggested_username(email: str) -> str:
    """A free username made of the address's part before the @ ("jo.reyes", "jo.reyes-2")."""
    base = re.sub(r"[^\w.+-]", "", email.split("@")[0].lower())[:140] or "user"
    if len(base) < 3:
        base = f"{base}.user"
    username, counter = base, 1
    while User.objects.filter(username__iexact=username).exists():
        counter += 1
        username = f"{base}-{counter}"
    return username


def _check_username(username: str) -> str:
    username = username.strip()
    if not USERNAME.fullmatch(username):
        raise ServiceError(
            "A username is 3 to 150 letters, digits and the signs . @ + - _ (no spaces).", field="username"
        )
    if User.objects.filter(username__iexact=username).exists():
        raise ServiceError(f"The username {username} is taken. Choose another.", field="username")
    return username


def _check_password(password: str, user: User, field: str = "password1") -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ServiceError(" ".join(error.messages), field=field) from error


# Invitations ----------------------------------------------------------------------------------


def invitation_find(token: str) -> AccountInvitation | None:
    """The invitation whose link carries ``token`` (looked up by hash), if any."""
    if not token or len(token) > 100:
        return None
    return (
        AccountInvitation.objects.select_related("agency", "provider", "sent_by", "commission__officer")
        .filter(token_hash=token_hash(token))
        .first()
    )


def invitation_problem(status: AccountInvitation.Status) -> str:
    """The sentence a person following a link that no longer works reads."""
    if status == AccountInvitation.Status.USED:
        return "This invitation has already been used. Sign in with the account it set up."
    if status == AccountInvitation.Status.CANCELLED:
        return "This invitation was cancelled. Ask whoever invited you to send a new one."
    if status == AccountInvitation.Status.REPLACED:
        return "A newer invitation was sent after this one. Use the link in the most recent email."
    return "This invitation has expired. Ask whoever invited you to send a new one."


def invitee_needs_mfa(invitation: AccountInvitation) -> bool:
    """True when the account the invitation sets up must use a second factor from the start."""
    return mfa_required_for(User(role=invitation.role, is_staff=invitation.role == User.Role.POST_STAFF))


def _open_commission(agency: Agency, license_number: str) -> Commission:
    entered = license_number.strip().upper()
    commission = (
        Commission.objects.select_related("officer")
        .filter(agency=agency, officer__license_number__iexact=entered, end__isnull=True)
        .first()
    )
    if commission is None:
        raise ServiceError(
            f"{agency.name} commissions no officer with license number {entered} now.", field="license_number"
        )
    if User.objects.filter(commission=commission, is_active=True).exists():
        raise ServiceError(
            f"{commission.officer.full_name} already administers {agency.name} with an account of their own.",
            field="license_number",
        )
    return commission


@transaction.atomic
def invitation_send(
    *,
    role: str,
    email: str,
    first_name: str,
    last_name: str,
    acting_user: User,
    site_url: str,
    agency: Agency | None = None,
    provider: Provider | None = None,
    license_number: str = "",
) -> AccountInvitation:
    """Email ``email`` a single-use link (valid ``CLEE_INVITATION_DAYS`` days) with which they
    set up an account as ``role`` of ``agency`` or ``provider`` (neither for POST staff). An
    open invitation of the same address to the same place is replaced. For an agency
    administrator who is one of its officers, ``license_number`` ties the account to their
    commission: it ends when the commission does. The mail is handed to the server inside the
    transaction: if it refuses, nothing is recorded."""
    if role not in AccountInvitation.Role.values:
        raise ServiceError("Choose the role of the person invited.", field="role")
    if role != User.Role.AGENCY_ADMIN:
        agency = None
    if role != User.Role.PROVIDER:
        provider = None
    if role == User.Role.AGENCY_ADMIN and agency is None:
        raise ServiceError("Choose the agency they will administer.", field="agency")
    if role == User.Role.PROVIDER and provider is None:
        raise ServiceError("Choose the provider they work for.", field="provider")
    if not may_invite_to(
        acting_user,
        role=role,
        agency_id=agency.pk if agency else None,
        provider_id=provider.pk if provider else None,
    ):
        raise ServiceError(
            f"You may not invite someone as {User.Role(role).label.lower()} there.", field="role"
        )
    if agency is not None and not agency.active:
        raise ServiceError(f"{agency.name} is not an active agency.", field="agency")
    address = clean_email(email)
    first = _clean_name(first_name, "first name", "first_name")
    last = _clean_name(last_name, "last name", "last_name")
    taken = User.objects.filter(email__iexact=address, is_active=True).exclude(role=User.Role.OFFICER).first()
    if taken is not None:
        raise ServiceError(
            f"{address} already belongs to an active CLEE account ({taken.get_role_display().lower()}). "
            "One address holds one account of this kind: use another address, or deactivate that "
            "account first.",
            field="email",
        )
    commission = None
    if license_number.strip():
        if agency is None:
            raise ServiceError(
                "Only an agency administrator is tied to a commission.", field="license_number"
            )
        commission = _open_commission(agency, license_number)
    now = timezone.now()
    token = secrets.token_urlsafe(32)
    AccountInvitation.objects.filter(
        email__iexact=address,
        role=role,
        agency=agency,
        provider=provider,
        used_at__isnull=True,
        cancelled_at__isnull=True,
        replaced_at__isnull=True,
    ).update(replaced_at=now)
    invitation = AccountInvitation.objects.create(
        role=role,
        agency=agency,
        provider=provider,
        commission=commission,
        email=address,
        first_name=first,
        last_name=last,
        token_hash=token_hash(token),
        sent_by=acting_user,
        sent_at=now,
        expires_at=now + dt.timedelta(days=settings.CLEE_INVITATION_DAYS),
    )
    record_event(
        actor=acting_user,
        action=AuditAction.PEOPLE_INVITATION_SEND,
        target=invitation,
        summary=f"invited {first} {last} <{address}> as {invitation.get_role_display().lower()} "
        f"of {invitation.organisation}",
        data={"role": role, "agency": agency and agency.pk, "provider": provider and provider.pk},
    )
    context = {
        "invitation": invitation,
        "link": _link(site_url, "people:join", token),
        "inviter": acting_user.get_full_name() or acting_user.get_username(),
        "mfa": invitee_needs_mfa(invitation),
    }
    _send_or_refuse(
        _message(subject="You are invited to CLEE", template="invitation", context=context, to=address),
        "invitation",
    )
    return invitation


def invitation_resend(
    *, invitation: AccountInvitation, acting_user: User, site_url: str
) -> AccountInvitation:
    """A new link for the same person and place, replacing ``invitation`` (open or expired)."""
    if invitation.status() not in (AccountInvitation.Status.OPEN, AccountInvitation.Status.EXPIRED):
        raise ServiceError(
            f"This invitation is {invitation.status().label.lower()}: there is nothing to resend."
        )
    return invitation_send(
        role=invitation.role,
        email=invitation.email,
        first_name=invitation.first_name,
        last_name=invitation.last_name,
        agency=invitation.agency,
        provider=invitation.provider,
        license_number=invitation.commission.officer.license_number if invitation.commission else "",
        acting_user=acting_user,
        site_url=site_url,
    )


@transaction.atomic
def invitation_cancel(*, invitation: AccountInvitation, acting_user: User) -> AccountInvitation:
    """Make an open invitation's link stop working."""
    invitation = AccountInvitation.objects.select_for_update().get(pk=invitation.pk)
    if not may_invite_to(
        acting_user, role=invitation.role, agency_id=invitation.agency_id, provider_id=invitation.provider_id
    ):
        raise ServiceError("You may not cancel this invitation.")
    if invitation.status() != AccountInvitation.Status.OPEN:
        raise ServiceError(f"This invitation is {invitation.status().label.lower()} already.")
    invitation.cancelled_at, invitation.cancelled_by = timezone.now(), acting_user
    invitation.save(update_fields=["cancelled_at", "cancelled_by"])
    record_event(
        actor=acting_user,
        action=AuditAction.PEOPLE_INVITATION_CANCEL,
        target=invitation,
        summary=f"cancelled the invitation of {invitation.email} as {invitation.get_role_display().lower()}",
    )
    return invitation


@transaction.atomic
def invitation_accept(
    *, invitation: AccountInvitation, username: str, first_name: str, last_name: str, password: str
) -> User:
    """Set up the account an open invitation offers: the username and password the invitee
    chose (the password rules apply), the role and organisation of the invitation. The link
    dies with it. A role that must use a second factor sets one up at once (clee.security)."""
    invitation = (
        AccountInvitation.objects.select_for_update(of=("self",))
        .select_related("agency", "provider", "commission", "sent_by")
        .get(pk=invitation.pk)
    )
    status = invitation.status()
    if status != AccountInvitation.Status.OPEN:
        raise ServiceError(invitation_problem(status))
    if invitation.agency is not None and not invitation.agency.active:
        raise ServiceError(
            f"{invitation.agency.name} is no longer an active agency; this invitation cannot be used."
        )
    if invitation.commission is not None and invitation.commission.end is not None:
        raise ServiceError(
            f"The commission this invitation rests on ended on {invitation.commission.end}. "
            "Ask the agency for a new invitation."
        )
    if not invitation.sent_by.is_active:
        # An invitation is as good as its sender: one from an account deactivated since is void.
        raise ServiceError(
            "The person who sent this invitation can no longer sign in, so it cannot be used. "
            "Ask a colleague or POST staff for a new one."
        )
    if (
        User.objects.filter(email__iexact=invitation.email, is_active=True)
        .exclude(role=User.Role.OFFICER)
        .exists()
    ):
        raise ServiceError(f"{invitation.email} already belongs to an active CLEE account. Sign in with it.")
    user = User(
        username=_check_username(username),
        email=invitation.email,
        first_name=_clean_name(first_name, "first name", "first_name"),
        last_name=_clean_name(last_name, "last name", "last_name"),
        role=invitation.role,
        agency=invitation.agency,
        provider=invitation.provider,
        commission=invitation.commission,
        is_staff=invitation.role == User.Role.POST_STAFF,
    )
    _check_password(password, user)
    user.set_password(password)
    user.save()
    invitation.used_at, invitation.account = timezone.now(), user
    invitation.save(update_fields=["used_at", "account"])
    record_event(
        actor=user,
        action=AuditAction.ACCOUNT_CREATE,
        target=user,
        summary=f"set up the account {user.username} ({user.get_role_display().lower()} of "
        f"{invitation.organisation}) from the invitation of {invitation.sent_by.get_username()}",
        data={"invitation": invitation.pk, "invited_by": invitation.sent_by_id},
    )
    record_event(
        actor=user,
        action=AuditAction.PEOPLE_INVITATION_ACCEPT,
        target=invitation,
        summary=f"{invitation.email} accepted the invitation as {user.username}",
    )
    return user


# Officers' own accounts -------------------------------------------------------------------


@transaction.atomic
def officer_invitation_accept(*, invitation: OfficerInvitation, username: str, password: str) -> User:
    """Where single sign-on is off, an officer's invitation sets up the officer's own account
    with a password. One officer has one account, whichever agencies commission them."""
    invitation = (
        OfficerInvitation.objects.select_for_update(of=("self",))
        .select_related("officer", "agency")
        .get(pk=invitation.pk)
    )
    status = invitation.status()
    if status != OfficerInvitation.Status.OPEN:
        raise ServiceError(officer_invitation_problem(status))
    officer = Officer.objects.select_for_update().get(pk=invitation.officer_id)
    user = _officer_account_new(officer=officer, email=invitation.email, username=username, password=password)
    invitation.used_at, invitation.used_by = timezone.now(), user
    invitation.save(update_fields=["used_at", "used_by"])
    record_event(
        actor=user,
        action=AuditAction.ACCOUNT_CREATE,
        target=user,
        summary=f"officer {officer.license_number} set up the account {user.username} from an invitation",
        data={"officer": officer.pk, "invitation": invitation.pk, "method": "invitation"},
    )
    record_event(
        actor=user,
        action=AuditAction.SSO_INVITATION_USED,
        target=invitation,
        summary=f"Invitation used to set up the account {user.username}",
    )
    return user


def _officer_account_new(*, officer: Officer, email: str, username: str, password: str) -> User:
    """The officer's account (the officer row locked by the caller); refused when they have one."""
    if User.objects.filter(officer=officer).exists():
        raise ServiceError(
            f"{officer.full_name} already has a CLEE account. Sign in with it, or reset its password "
            "from the sign-in page."
        )
    user = User(
        username=_check_username(username),
        email=email,
        first_name=officer.first_name,
        last_name=officer.last_name,
        role=User.Role.OFFICER,
        officer=officer,
    )
    _check_password(password, user)
    user.set_password(password)
    user.save()
    return user


class RateLimitedError(ServiceError):
    """Too many emailed-link requests for one address or from one client; nothing was sent."""


def _client_label(client_ip: str | None) -> str:
    return client_ip or "an unknown address"


def _limit(*, kind: str, key: str, client_ip: str | None, now: dt.datetime, what: str) -> None:
    """Refuse a request beyond the limits: ``AXES_FAILURE_LIMIT`` per address or license number
    in the lockout's window, ``CLEE_LINK_REQUESTS_PER_CLIENT_HOUR`` per client in an hour.
    Refused requests are not counted (they do not extend the wait), as for sign-in lockout."""
    window = dt.timedelta(hours=settings.AXES_COOLOFF_TIME)
    recent = LinkRequest.objects.filter(kind=kind, key=key, created_at__gt=now - window)
    if recent.count() >= settings.AXES_FAILURE_LIMIT:
        oldest = recent.order_by("created_at").values_list("created_at", flat=True)[0]
        raise RateLimitedError(
            f"Too many requests for this {what} in the last {int(window.total_seconds() // 60)} minutes. "
            f"Try again after {timezone.localtime(oldest + window):%-I:%M %p}."
        )
    if client_ip:
        from_client = LinkRequest.objects.filter(
            kind=kind, client_ip=client_ip, created_at__gt=now - CLIENT_WINDOW
        )
        if from_client.count() >= settings.CLEE_LINK_REQUESTS_PER_CLIENT_HOUR:
            oldest = from_client.order_by("created_at").values_list("created_at", flat=True)[0]
            raise RateLimitedError(
                "Too many requests from your network in the last hour. "
                f"Try again after {timezone.localtime(oldest + CLIENT_WINDOW):%-I:%M %p}."
            )


def _count_request(*, kind: str, key: str, client_ip: str | None, now: dt.datetime) -> LinkRequest:
    LinkRequest.objects.filter(created_at__lt=now - LINK_REQUESTS_KEPT).delete()
    return LinkRequest.objects.create(kind=kind, key=key[:254], client_ip=client_ip or None, created_at=now)


@dataclass(frozen=True)
class SignupClaim:
    """What an officer's sign-up link carries: the officer and the address it was sent to."""

    officer: Officer
    email: str


def signup_request(
    *,
    license_number: str,
    date_of_birth: dt.date,
    email: str,
    client_ip: str | None,
    site_url: str,
    now: dt.datetime | None = None,
) -> None:
    """An officer asks for an account: when the license number, date of birth and email address
    all match one officer's record, that address is sent a link to set up the account (or, if
    the officer has one already, a reminder of it). Nothing is said to the asker either way.
    RateLimitedError beyond the limits."""
    moment = now or timezone.now()
    key = license_number.strip().upper()
    address = clean_email(email)
    _limit(kind=LinkRequest.Kind.SIGNUP, key=key, client_ip=client_ip, now=moment, what="license number")
    officer = Officer.objects.filter(license_number__iexact=key, date_of_birth=date_of_birth).first()
    matched = officer is not None and bool(officer.email) and officer.email.lower() == address.lower()
    with transaction.atomic():
        request = _count_request(kind=LinkRequest.Kind.SIGNUP, key=key, client_ip=client_ip, now=moment)
        account = User.objects.filter(officer=officer).first() if matched and officer else None
        outcome = "no match" if not matched else ("account exists" if account else "link sent")
        record_event(
            actor=None,
            action=AuditAction.PEOPLE_SIGNUP_REQUEST,
            target=request,
            summary=f"officer sign-up asked for license {key[:40]} "
            f"from {_client_label(client_ip)}: {outcome}",
            data={"officer": officer.pk if matched and officer else None, "outcome": outcome},
        )
    if not matched or officer is None:
        return
    if account is not None:
        message = _message(
            subject="Your CLEE account",
            template="signup_existing",
            context={
                "officer": officer,
                "account": account,
                "reset_link": _link(site_url, "people:password_reset"),
                "has_password": account.has_usable_password(),
            },
            to=officer.email,
        )
    else:
        token = signing.dumps({"o": officer.pk, "e": officer.email.lower()}, salt=SIGNUP_SALT)
        message = _message(
            subject="Set up your CLEE account",
            template="signup",
            context={
                "officer": officer,
                "link": _link(site_url, "people:signup_finish", token),
                "hours": settings.CLEE_SIGNUP_LINK_HOURS,
            },
            to=officer.email,
        )
    _send_quietly(message, "sign-up email")


def signup_claim(token: str) -> SignupClaim:
    """The officer a sign-up link is for; ServiceError when it is forged, expired or used."""
    try:
        payload = signing.loads(token, salt=SIGNUP_SALT, max_age=settings.CLEE_SIGNUP_LINK_HOURS * 3600)
    except signing.SignatureExpired as error:
        raise ServiceError(
            f"This link has expired (links work for {settings.CLEE_SIGNUP_LINK_HOURS} hours). "
            "Ask for a new one."
        ) from error
    except signing.BadSignature as error:
        raise ServiceError("This link is not valid. Check that you copied the whole link.") from error
    officer = Officer.objects.filter(pk=payload.get("o")).first()
    if officer is None or officer.email.lower() != str(payload.get("e", "")):
        raise ServiceError("This link no longer matches the officer's record. Ask for a new one.")
    if User.objects.filter(officer=officer).exists():
        raise ServiceError(
            "This link has been used: your account is set up. Sign in, or reset your password from "
            "the sign-in page."
        )
    return SignupClaim(officer=officer, email=officer.email)


@transaction.atomic
def signup_finish(*, token: str, username: str, password: str) -> User:
    """Set up the officer's account from their sign-up link (which then no longer works)."""
    claim = signup_claim(token)
    officer = Officer.objects.select_for_update().get(pk=claim.officer.pk)
    user = _officer_account_new(officer=officer, email=claim.email, username=username, password=password)
    record_event(
        actor=user,
        action=AuditAction.ACCOUNT_CREATE,
        target=user,
        summary=f"officer {officer.license_number} set up the account {user.username} by signing up",
        data={"officer": officer.pk, "method": "signup"},
    )
    return user


# Password reset -----------------------------------------------------------------------------


def password_reset_request(
    *, email: str, client_ip: str | None, site_url: str, now: dt.datetime | None = None
) -> int:
    """Email a reset link (Django's token: it expires after ``PASSWORD_RESET_TIMEOUT`` and dies
    once the password changes) to each active account with this address and a password; returns
    how many were sent, which the caller must not show. RateLimitedError beyond the limits."""
    moment = now or timezone.now()
    address = clean_email(email)
    key = address.lower()
    _limit(
        kind=LinkRequest.Kind.PASSWORD_RESET, key=key, client_ip=client_ip, now=moment, what="email address"
    )
    accounts = [
        user
        for user in User.objects.filter(email__iexact=address, is_active=True)
        if user.has_usable_password()
    ]
    with transaction.atomic():
        request = _count_request(
            kind=LinkRequest.Kind.PASSWORD_RESET, key=key, client_ip=client_ip, now=moment
        )
        record_event(
            actor=None,
            action=AuditAction.PEOPLE_PASSWORD_RESET_REQUEST,
            target=request,
            summary=f"password reset asked for {key} from {_client_label(client_ip)}: "
            f"{len(accounts)} account{'s' if len(accounts) != 1 else ''}",
            data={"accounts": [user.pk for user in accounts]},
        )
        for user in accounts:
            record_event(
                actor=None,
                action=AuditAction.ACCOUNT_PASSWORD_RESET_REQUEST,
                target=user,
                summary=f"a password reset link was emailed to {user.email} "
                f"(asked from {_client_label(client_ip)})",
            )
    minutes = settings.PASSWORD_RESET_TIMEOUT // 60
    for user in accounts:
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        link = _link(site_url, "people:password_reset_confirm", uid, default_token_generator.make_token(user))
        _send_quietly(
            _message(
                subject="Reset your CLEE password",
                template="password_reset",
                context={"account": user, "link": link, "minutes": minutes},
                to=user.email,
            ),
            "password reset",
        )
    return len(accounts)


@transaction.atomic
def password_reset_complete(*, user: User, password: str) -> User:
    """Set the password chosen through a reset link (the caller checked the link and the rules).
    Every other session of the account ends (its password hash changed) and the link dies."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.set_password(password)
    user.save(update_fields=["password"])
    record_event(
        actor=user,
        action=AuditAction.ACCOUNT_PASSWORD_RESET,
        target=user,
        summary="reset their password by email",
    )
    _notify_after_commit(
        user,
        subject="Your CLEE password was changed",
        notice=f"The password of your CLEE account {user.username} was changed through a reset link "
        "sent to this address. Every other session of the account has ended.",
        advice=UNEXPECTED,
    )
    return user


# Email change -------------------------------------------------------------------------------


@transaction.atomic
def email_change_request(*, user: User, new_email: str, site_url: str) -> None:
    """Send a confirmation link to the new address; the account's address changes only when
    it is followed (signed in as this account) within ``CLEE_EMAIL_CHANGE_HOURS``."""
    address = clean_email(new_email, field="email")
    if address.lower() == user.email.lower():
        raise ServiceError("That is the address your account has now.", field="email")
    token = signing.dumps({"u": user.pk, "old": user.email.lower(), "new": address}, salt=EMAIL_CHANGE_SALT)
    record_event(
        actor=user,
        action=AuditAction.ACCOUNT_EMAIL_CHANGE_REQUEST,
        target=user,
        summary=f"asked to change their email from {user.email or 'none'} to {address}",
        data={"new": address},
    )
    _send_or_refuse(
        _message(
            subject="Confirm your new CLEE email address",
            template="email_change",
            context={
                "account": user,
                "address": address,
                "link": _link(site_url, "people:email_confirm", token),
                "hours": settings.CLEE_EMAIL_CHANGE_HOURS,
            },
            to=address,
        ),
        "confirmation email",
    )


def email_change_address(*, user: User, token: str) -> str:
    """The address a confirmation link would change ``user``'s to; ServiceError when the link is
    forged, expired, for another account, or used (the address it changes from is part of it)."""
    try:
        payload = signing.loads(
            token, salt=EMAIL_CHANGE_SALT, max_age=settings.CLEE_EMAIL_CHANGE_HOURS * 3600
        )
    except signing.SignatureExpired as error:
        raise ServiceError(
            "This confirmation link has expired. Ask for a new one from your account page."
        ) from error
    except signing.BadSignature as error:
        raise ServiceError(
            "This confirmation link is not valid. Check that you copied the whole link."
        ) from error
    if payload.get("u") != user.pk:
        raise ServiceError(
            "This confirmation link is for another account. Sign in as that account to use it."
        )
    if user.email.lower() != payload.get("old"):
        raise ServiceError("This confirmation link has been used, or a later change replaced it.")
    return str(payload["new"])


@transaction.atomic
def email_change_confirm(*, user: User, token: str) -> str:
    """Change the account's address to the one the link was sent to; returns it. The link works
    once and only for its own account. The former address is told of the change."""
    user = User.objects.select_for_update().get(pk=user.pk)
    new = email_change_address(user=user, token=token)
    old = user.email
    user.email = new
    user.save(update_fields=["email"])
    record_event(
        actor=user,
        action=AuditAction.ACCOUNT_EMAIL_CHANGE,
        target=user,
        summary=f"changed their email from {old or 'none'} to {new}",
        data={"old": old, "new": new},
    )
    _notify_after_commit(
        user,
        subject="Your CLEE email address was changed",
        notice=f"The email address of your CLEE account {user.username} was changed to {new}. "
        "CLEE writes to that address from now on.",
        advice=UNEXPECTED,
        to=old,
    )
    return new


# Deactivation -------------------------------------------------------------------------------


def _tokens_revoke(account: User, acting_user: User) -> int:
    tokens = list(ApiToken.objects.filter(created_by=account, revoked_at__isnull=True))
    for token in tokens:
        token_revoke(token=token, acting_user=acting_user)
    return len(tokens)


@transaction.atomic
def person_deactivate(*, account: User, reason: str, acting_user: User) -> User:
    """Deactivate a person's account: it cannot sign in, each of its sessions ends at once (the
    next request of any of them is signed out), and every API token it made is revoked."""
    if not may_manage(acting_user, account):
        raise ServiceError("You may not change this account.")
    if account.pk == acting_user.pk:
        raise ServiceError("You cannot deactivate your own account. Ask a colleague or POST staff.")
    account = account_deactivate(account=account, reason=reason, acting_user=acting_user)
    _tokens_revoke(account, acting_user)
    _notify_after_commit(
        account,
        subject="Your CLEE account was deactivated",
        notice=f"Your CLEE account {account.username} was deactivated by "
        f"{acting_user.get_full_name() or acting_user.get_username()}: it can no longer sign in, "
        "and its sessions and API tokens have ended.",
        advice="If you think this is a mistake, ask your agency administrator or POST staff.",
    )
    return account


@transaction.atomic
def person_reactivate(*, account: User, reason: str, acting_user: User) -> User:
    """Let a deactivated account sign in again. Its old sessions stay ended and its old API
    tokens stay revoked: it signs in afresh and makes new ones."""
    if not may_manage(acting_user, account):
        raise ServiceError("You may not change this account.")
    account = (
        User.objects.select_for_update(of=("self",)).select_related("commission__agency").get(pk=account.pk)
    )
    if account.is_active:
        raise ServiceError(f"{account.get_username()} is active already.")
    reason = reason.strip()
    if not reason:
        raise ServiceError("Say why the account is reactivated.", field="reason")
    commission = account.commission
    if commission is not None and commission.end is not None:
        raise ServiceError(
            f"{account.get_username()}'s access rested on their commission with {commission.agency.name}, "
            f"which ended on {commission.end}. Send a new invitation if they still administer the agency."
        )
    if account.agency is not None and not account.agency.active:
        raise ServiceError(f"{account.agency.name} is not an active agency.")
    # A token made before the deactivation never works again, even one that missed revocation
    # (an account deactivated by the end of its commission).
    _tokens_revoke(account, acting_user)
    account.is_active = True
    account.save(update_fields=["is_active"])
    record_event(
        actor=acting_user,
        action=AuditAction.ACCOUNT_REACTIVATE,
        target=account,
        summary=f"reactivated {account.get_username()}: {reason}",
        data={"reason": reason},
    )
    _notify_after_commit(
        account,
        subject="Your CLEE account is active again",
        notice=f"Your CLEE account {account.username} was reactivated by "
        f"{acting_user.get_full_name() or acting_user.get_username()}: you may sign in again. "
        "API tokens from before stay revoked.",
        advice=UNEXPECTED,
    )
    return account
