"""Preparing and delivering notices by email.

``notices_prepare`` turns each calendar date reached into Notice rows (idempotent: a step is
prepared once, and the unique constraints refuse a second notice of a kind to anyone);
``notices_deliver`` claims queued notices (``sending``, short transaction), hands them to the
mail server with no row lock held, and records each one in its own short transaction. A failing
server only delays a notice: it stays queued with its error and a later attempt time. A sender
that dies mid-send leaves its claim to expire; the notice is then sent again under the same
Message-ID (docs/operations.md §3.4 says what window remains).

The license-expiry job (``licenses_expire``) is here too: it expires licenses and queues each
holder's notice in the same transaction, so it lives above ``clee.officers`` (issue 15).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import secrets
import smtplib
import socket
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone

from clee.accounts.models import User
from clee.compliance.models import ComplianceResult, ReportingPeriod
from clee.compliance.selectors import decision_queue
from clee.core.actions import AuditAction
from clee.core.audit import record_event, record_events_by_id
from clee.core.errors import ServiceError
from clee.notices.models import Notice, NoticeCalendar, NoticeKind, NoticeRun, Step
from clee.officers.models import Commission, LicenseStatus, LicenseStatusChange, Officer
from clee.officers.services import license_status_change

logger = logging.getLogger(__name__)

OFFICER_STEPS = (Step.REMINDER_OCT, Step.REMINDER_NOV, Step.REMINDER_DEC, Step.DEFICIENCY, Step.FINAL)
REMINDERS = (Step.REMINDER_OCT, Step.REMINDER_NOV, Step.REMINDER_DEC)
DELIVERY_BATCH = 200
FIRST_RETRY = dt.timedelta(minutes=5)
LONGEST_RETRY = dt.timedelta(hours=6)
SUBJECTS = {
    NoticeKind.REMINDER_OCT: "Reminder: your {year} continuing education is not complete",
    NoticeKind.REMINDER_NOV: "Reminder: your {year} continuing education is not complete",
    NoticeKind.REMINDER_DEC: "Last reminder: your {year} continuing education ends December 31",
    NoticeKind.DEFICIENCY: "Deficiency notice: {year} continuing education requirement not met",
    NoticeKind.FINAL: "Final notice: {year} continuing education grace deadline",
    NoticeKind.AGENCY_LIST: "Officers not yet compliant for {year}",
    NoticeKind.DIRECTOR_LIST: "Officers not compliant for {year} after the grace deadline",
    NoticeKind.LICENSE_EXPIRED: "Your Missouri peace officer license has expired",
}


# License expiry ----------------------------------------------------------------------------


def license_expired_notice(
    officer: Officer, *, today: dt.date, now: dt.datetime | None = None
) -> Notice | None:
    """Queue the notice telling ``officer`` their license expired on ``today`` (called by the
    license-expiry job in the transaction that expires it). Filed under the reporting period
    containing ``today``; None when there is no such period or the notice exists already.
    Without an email address the notice is kept in the log as not deliverable."""
    now = now or timezone.now()
    period = ReportingPeriod.objects.filter(starts__lte=today, ends__gte=today).first()
    if period is None:
        logger.warning("no reporting period contains %s: no expiry notice for %s", today, officer)
        return None
    last_commission = (
        Commission.objects.filter(officer=officer, end__isnull=False)
        .order_by("-end")
        .values_list("end", flat=True)
    ).first()
    notice = Notice(
        officer=officer,
        period=period,
        kind=NoticeKind.LICENSE_EXPIRED,
        step=Step.LICENSE_EXPIRED,
        recipient=officer.email,
        status=Notice.Status.QUEUED if officer.email else Notice.Status.NO_ADDRESS,
        content={
            "name": officer.full_name,
            "license_number": officer.license_number,
            "expired_on": today.isoformat(),
            "last_commission_ended": last_commission.isoformat() if last_commission else "",
        },
        next_attempt_at=now,
        created_at=now,
    )
    try:
        with transaction.atomic():
            notice.save()
    except IntegrityError:
        return None  # told already: one expiry notice per officer and period
    record_event(
        actor=None,
        action=AuditAction.NOTICES_LICENSE_EXPIRED,
        target=notice,
        summary=f"license expiry notice for {officer.full_name} ({officer.license_number}) queued",
    )
    return notice


LICENSE_EXPIRY_REASON = "not commissioned for five consecutive years (11 CSR 75-15; DESIGN §2)"


def _five_years_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 5)
    except ValueError:  # February 29 in a year five years after a non-leap one
        return day.replace(year=day.year - 5, day=28)


@transaction.atomic
def licenses_expire(*, today: dt.date, acting_user: User | None = None) -> list[LicenseStatusChange]:
    """Expire every active or inactive license whose holder, licensed at least five years ago,
    held no commission at any time in the five years up to ``today``; returns the license
    history rows written (none on a second run the same day: the job is safe to run twice).

    Each change goes through ``license_status_change`` (history and audit with who and why).
    Each expired holder is sent a notice (``license_expired_notice``), queued in the same
    transaction.
    """
    window_start = _five_years_before(today)
    commissioned_in_window = Commission.objects.filter(officer=OuterRef("pk"), start__lte=today).filter(
        Q(end__isnull=True) | Q(end__gte=window_start)
    )
    candidates = (
        Officer.objects.filter(
            license_status__in=[LicenseStatus.ACTIVE, LicenseStatus.INACTIVE], licensed_on__lte=window_start
        )
        .exclude(Exists(commissioned_in_window))
        .order_by("pk")
    )
    changes = []
    for officer in candidates:
        try:
            with transaction.atomic():
                change = license_status_change(
                    officer=officer,
                    to_status=LicenseStatus.EXPIRED,
                    reason=LICENSE_EXPIRY_REASON,
                    effective_on=today,
                    acting_user=acting_user,
                )
                license_expired_notice(officer, today=today)
        except ServiceError:
            continue  # changed meanwhile by another run or by staff: nothing to do
        changes.append(change)
    return changes


# The calendar ------------------------------------------------------------------------------


def default_calendar(period: ReportingPeriod) -> dict[str, dt.date]:
    """The default notice dates of ``period``: reminders October 1, November 15 and December 15,
    a deficiency notice January 15, a final notice March 1 (before the March 15 grace deadline,
    11 CSR 75-15.080), and the Director's list the day after the grace deadline."""
    year = period.ends.year
    return {
        Step.REMINDER_OCT: dt.date(year, 10, 1),
        Step.REMINDER_NOV: dt.date(year, 11, 15),
        Step.REMINDER_DEC: dt.date(year, 12, 15),
        Step.DEFICIENCY: dt.date(year + 1, 1, 15),
        Step.FINAL: min(dt.date(year + 1, 3, 1), period.grace_deadline - dt.timedelta(days=1)),
        Step.DIRECTOR_LIST: period.grace_deadline + dt.timedelta(days=1),
    }


def notice_calendar(period: ReportingPeriod) -> dict[str, dt.date]:
    """The notice dates of ``period``: its own ``NoticeCalendar`` where set, else the defaults."""
    dates = default_calendar(period)
    own = NoticeCalendar.objects.filter(period=period).first()
    if own is not None:
        for step in list(dates):
            value = getattr(own, step)
            if value is not None:
                dates[step] = value
    return dates


# Preparing ---------------------------------------------------------------------------------


def _requirement_rows(requirements: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"label": r["label"], "required": r["required"], "counted": r["counted"], "short": r["short"]}
        for r in requirements
    ]


def _deadline(period: ReportingPeriod, step: str) -> dt.date:
    return period.ends if step in REMINDERS else period.grace_deadline


@dataclass(frozen=True)
class _Entry:
    officer_id: int
    name: str
    license_number: str
    email: str
    sentence: str
    additional_hours: str

    def as_row(self) -> dict[str, str]:
        return {
            "name": self.name,
            "license_number": self.license_number,
            "email": self.email,
            "sentence": self.sentence,
            "additional_hours": self.additional_hours,
        }


def _officer_notices(period: ReportingPeriod, step: str, today: dt.date, now: dt.datetime) -> NoticeRun:
    """The notices of an officer step: one per deficient officer (not extended past today,
    license active), and one list per administrator of each agency commissioning them."""
    results = (
        ComplianceResult.objects.filter(
            period=period,
            status=ComplianceResult.Status.DEFICIENT,
            officer__license_status=LicenseStatus.ACTIVE,
        )
        .filter(Q(extended_until__isnull=True) | Q(extended_until__lt=today))
        .select_related("officer")
        .only(
            "officer__id",
            "officer__first_name",
            "officer__last_name",
            "officer__license_number",
            "officer__email",
            "still_needed",
            "requirements",
            "additional_hours_needed",
            "counted_hours",
        )
        .order_by("officer__last_name", "officer__first_name", "officer_id")
    )
    deadline = _deadline(period, step).isoformat()
    notices: list[Notice] = []
    entries: dict[int, _Entry] = {}
    without_address = 0
    for result in results:
        officer = result.officer
        sentence = str(result.still_needed.get("sentence", ""))
        entries[officer.pk] = _Entry(
            officer.pk,
            officer.full_name,
            officer.license_number,
            officer.email,
            sentence,
            f"{result.additional_hours_needed.normalize():f}",
        )
        without_address += not officer.email
        notices.append(
            Notice(
                officer_id=officer.pk,
                period=period,
                kind=step,
                step=step,
                recipient=officer.email,
                status=Notice.Status.QUEUED if officer.email else Notice.Status.NO_ADDRESS,
                content={
                    "name": officer.full_name,
                    "sentence": sentence,
                    "deadline": deadline,
                    "counted_hours": f"{result.counted_hours.normalize():f}",
                    "additional_hours": f"{result.additional_hours_needed.normalize():f}",
                    "requirements": _requirement_rows(result.requirements),
                },
                next_attempt_at=now,
                created_at=now,
            )
        )
    Notice.objects.bulk_create(notices, batch_size=1000, ignore_conflicts=True)

    by_agency: dict[int, list[_Entry]] = defaultdict(list)
    commissions = (
        Commission.objects.filter(officer_id__in=results.values("officer_id"), start__lte=today)
        .filter(Q(end__isnull=True) | Q(end__gte=today))
        .values_list("officer_id", "agency_id")
    )
    for officer_id, agency_id in commissions:
        if officer_id in entries:
            by_agency[agency_id].append(entries[officer_id])
    administrators = (
        User.objects.filter(role=User.Role.AGENCY_ADMIN, is_active=True, agency_id__in=list(by_agency))
        .exclude(email="")
        .select_related("agency")
    )
    lists = []
    for admin in administrators:
        assert admin.agency is not None
        listed = sorted(by_agency[admin.agency.pk], key=lambda e: (e.name.split()[-1], e.name))
        lists.append(
            Notice(
                user=admin,
                agency=admin.agency,
                period=period,
                kind=NoticeKind.AGENCY_LIST,
                step=step,
                recipient=admin.email,
                content={
                    "agency": admin.agency.name,
                    "step": Step(step).label,
                    "deadline": deadline,
                    "officers": [e.as_row() for e in listed],
                    "without_email": sum(1 for e in listed if not e.email),
                },
                next_attempt_at=now,
                created_at=now,
            )
        )
    Notice.objects.bulk_create(lists, batch_size=500, ignore_conflicts=True)
    return NoticeRun(
        officer_notices=len(notices) - without_address,
        without_address=without_address,
        list_notices=len(lists),
    )


def _director_notices(period: ReportingPeriod, step: str, today: dt.date, now: dt.datetime) -> NoticeRun:
    """The non-compliant list after the grace deadline, one notice per Director's account."""
    queue = (
        decision_queue(period, today)
        .select_related("officer")
        .order_by("officer__last_name", "officer__first_name", "officer_id")
    )
    rows = [
        {
            "name": r.officer.full_name,
            "license_number": r.officer.license_number,
            "email": r.officer.email,
            "sentence": str(r.still_needed.get("sentence", "")),
            "additional_hours": f"{r.additional_hours_needed.normalize():f}",
        }
        for r in queue
    ]
    directors = User.objects.filter(role=User.Role.DIRECTOR, is_active=True).exclude(email="")
    lists = [
        Notice(
            user=director,
            period=period,
            kind=NoticeKind.DIRECTOR_LIST,
            step=step,
            recipient=director.email,
            content={"deadline": period.grace_deadline.isoformat(), "officers": rows},
            next_attempt_at=now,
            created_at=now,
        )
        for director in directors
    ]
    Notice.objects.bulk_create(lists, ignore_conflicts=True)
    return NoticeRun(list_notices=len(lists))


@transaction.atomic
def _prepare_step(
    *, period: ReportingPeriod, step: str, scheduled_on: dt.date, today: dt.date, skip: bool, now: dt.datetime
) -> NoticeRun | None:
    """Prepare (or pass over) one step once; None when it was already done."""
    # The period row is the lock: two workers preparing at once wait for each other here.
    ReportingPeriod.objects.select_for_update().filter(pk=period.pk).first()
    if NoticeRun.objects.filter(period=period, step=step).exists():
        return None
    if skip:
        counts = NoticeRun()
    elif step == Step.DIRECTOR_LIST:
        counts = _director_notices(period, step, today, now)
    else:
        counts = _officer_notices(period, step, today, now)
    run = NoticeRun.objects.create(
        period=period,
        step=step,
        scheduled_on=scheduled_on,
        prepared_on=today,
        skipped=skip,
        officer_notices=counts.officer_notices,
        without_address=counts.without_address,
        list_notices=counts.list_notices,
    )
    label = Step(step).label
    record_event(
        actor=None,
        action=AuditAction.NOTICES_PREPARE,
        target=run,
        summary=(
            f"{label} {period.year} passed over: a later notice was due"
            if skip
            else f"{label} {period.year}: {run.officer_notices} officer notices, "
            f"{run.without_address} without email (listed for the agency), {run.list_notices} lists"
        ),
    )
    return run


def notices_prepare(*, today: dt.date, now: dt.datetime | None = None) -> list[NoticeRun]:
    """Prepare the notices of every calendar date reached and not yet prepared, for the
    jurisdiction's periods. Of several officer steps due at once (the job did not run for
    weeks) only the latest is sent; the others are recorded as passed over. Returns the runs
    written by this call (none when everything was already prepared). Safe to run twice."""
    now = now or timezone.now()
    periods = ReportingPeriod.objects.filter(
        jurisdiction=settings.CLEE_JURISDICTION, starts__lte=today, ends__gte=today - dt.timedelta(days=500)
    ).order_by("year")
    runs: list[NoticeRun] = []
    for period in periods:
        calendar = notice_calendar(period)
        done = set(NoticeRun.objects.filter(period=period).values_list("step", flat=True))
        due_officer_steps = [s for s in OFFICER_STEPS if calendar[s] <= today and s not in done]
        for step in due_officer_steps:
            run = _prepare_step(
                period=period,
                step=step,
                scheduled_on=calendar[step],
                today=today,
                skip=step != due_officer_steps[-1],
                now=now,
            )
            if run is not None:
                runs.append(run)
        if calendar[Step.DIRECTOR_LIST] <= today and Step.DIRECTOR_LIST not in done:
            run = _prepare_step(
                period=period,
                step=Step.DIRECTOR_LIST,
                scheduled_on=calendar[Step.DIRECTOR_LIST],
                today=today,
                skip=False,
                now=now,
            )
            if run is not None:
                runs.append(run)
    return runs


# Delivering --------------------------------------------------------------------------------


@dataclass
class Delivery:
    """What one delivery run did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    withdrawn: int = 0


def _hours(value: Any) -> str:
    return f"{float(value):g}"


def _table(requirements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The requirement table, numbers formatted once here (template filters cost more, and
    the December reminder renders thousands)."""
    rows = []
    for row in requirements:
        required, counted, short = _hours(row["required"]), _hours(row["counted"]), _hours(row["short"])
        label = str(row["label"])
        rows.append(
            {
                "label": label,
                "required": required,
                "counted": counted,
                "short": short,
                "is_short": float(row["short"]) > 0,
                "line": f"{label[:45]:<45} {required:>8} {counted:>8} {short:>6}",
            }
        )
    return rows


def _template(kind: str) -> str:
    if kind == NoticeKind.LICENSE_EXPIRED:
        return "notices/email/license_expired"
    if kind == NoticeKind.AGENCY_LIST:
        return "notices/email/agency_list"
    if kind == NoticeKind.DIRECTOR_LIST:
        return "notices/email/director_list"
    return "notices/email/officer"


def _date_or_none(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def notice_message(notice: Notice, connection: Any = None) -> EmailMultiAlternatives:
    """The email of ``notice``: a text body and an HTML alternative from its templates."""
    period = notice.period
    context = {
        "notice": notice,
        "content": notice.content,
        "period": period,
        "deadline": _date_or_none(notice.content.get("deadline")),
        "expired_on": _date_or_none(notice.content.get("expired_on")),
        "last_commission_ended": _date_or_none(notice.content.get("last_commission_ended")),
        "step_label": Step(notice.step).label,
        "reminder": notice.kind in REMINDERS,
    }
    if notice.officer_id is not None:
        context["table"] = _table(notice.content.get("requirements", []))
    base = _template(notice.kind)
    message = EmailMultiAlternatives(
        subject=SUBJECTS[NoticeKind(notice.kind)].format(year=period.year),
        body=render_to_string(f"{base}.txt", context),
        to=[notice.recipient],
        connection=connection,
        headers={"X-CLEE-Notice": str(notice.pk), "Message-ID": notice_message_id(notice.pk)},
    )
    message.attach_alternative(render_to_string(f"{base}.html", context), "text/html")
    return message


def _retry_at(now: dt.datetime, attempts: int) -> dt.datetime:
    delay: dt.timedelta = FIRST_RETRY * (2 ** min(max(attempts - 1, 0), 10))
    return now + min(delay, LONGEST_RETRY)


def _permanent(error: Exception) -> bool:
    """A refusal the server will repeat (a 5xx reply): retrying cannot help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    return isinstance(error, smtplib.SMTPResponseException) and error.smtp_code >= 500


def _note_failure(notice: Notice, error: Exception, now: dt.datetime) -> bool:
    """Record a failed attempt; True when the notice is given up (a permanent refusal)."""
    notice.attempts += 1
    notice.last_error = f"{type(error).__name__}: {error}"[:500]
    if _permanent(error):
        notice.status = Notice.Status.FAILED
        return True
    notice.next_attempt_at = _retry_at(now, notice.attempts)
    return False


def _withdraw_stale(batch: list[Notice], now: dt.datetime) -> list[Notice]:
    """Withdraw the officer notices that are no longer due (the officer became compliant or
    exempt, was extended, or lost an active license while the notice waited for the mail
    server): nobody is told they are short after they finished. Returns the batch."""
    # A license-expiry notice stays due: the expiry it tells of is not undone by a result.
    about = [n for n in batch if n.officer_id is not None and n.kind != NoticeKind.LICENSE_EXPIRED]
    if not about:
        return batch
    today = timezone.localdate(now)
    still_due = set(
        ComplianceResult.objects.filter(
            officer_id__in=[n.officer_id for n in about],
            period_id__in={n.period_id for n in about},
            status=ComplianceResult.Status.DEFICIENT,
            officer__license_status=LicenseStatus.ACTIVE,
        )
        .filter(Q(extended_until__isnull=True) | Q(extended_until__lt=today))
        .values_list("officer_id", "period_id")
    )
    stale = [n for n in about if (n.officer_id, n.period_id) not in still_due]
    if stale:
        Notice.objects.filter(pk__in=[n.pk for n in stale]).update(
            status=Notice.Status.WITHDRAWN, claimed_by="", claimed_until=None
        )
        for notice in stale:
            notice.status = Notice.Status.WITHDRAWN
        record_events_by_id(
            actor=None,
            action=AuditAction.NOTICES_WITHDRAWN,
            model=Notice,
            ids=[n.pk for n in stale],
            summary="notice withdrawn: no longer due when it could be sent",
        )
    return batch


def notice_message_id(notice_id: int) -> str:
    """The notice's own Message-ID, the same at every attempt: a copy delivered again after a
    sender died between the server's acceptance and its record is recognisable as the same
    message (by people, and by mail systems that drop a repeated Message-ID)."""
    return f"<notice-{notice_id}@{_message_domain()}>"


def _message_domain() -> str:
    """The site's domain (``CLEE_SITE_URL``), else the sender address's domain."""
    host = urlsplit(settings.CLEE_SITE_URL).hostname if settings.CLEE_SITE_URL else None
    if not host:
        host = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]
    return host or "clee.invalid"


def _claim_seconds() -> dt.timedelta:
    return dt.timedelta(seconds=float(settings.CLEE_NOTICE_CLAIM_SECONDS))


def sender_id() -> str:
    """This sender's name on the notices it claims: host, process and a token of its own (a
    process id can be reused after a restart)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"[:100]


class _Clock:
    """The caller's ``now`` moving on with the real time elapsed since the run began, so claim
    expiry is judged on the same clock as ``now`` (tests pass a date of their own)."""

    def __init__(self, now: dt.datetime) -> None:
        self.start = now
        self.began = time.monotonic()

    def __call__(self) -> dt.datetime:
        return self.start + dt.timedelta(seconds=time.monotonic() - self.began)


def _claim_batch(
    *, clock: _Clock, batch_size: int, claimer: str, delivery: Delivery
) -> tuple[list[Notice], dt.datetime] | None:
    """Claim up to ``batch_size`` due notices for ``claimer`` in one short transaction: queued
    ones whose time has come, and ones being sent by a sender whose claim expired (it died
    mid-send). Returns the claimed notices and the claim's end; None when nothing is due."""
    now = clock()
    with transaction.atomic():
        # Locked only while this transaction lasts (SKIP LOCKED: another sender takes other
        # rows on PostgreSQL; on SQLite the write transaction keeps senders one at a time).
        due = list(
            Notice.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                Q(status=Notice.Status.QUEUED, next_attempt_at__lte=now)
                | Q(status=Notice.Status.SENDING, claimed_until__lt=now)
            )
            .select_related("period")
            .order_by("next_attempt_at", "id")[:batch_size]
        )
        if not due:
            return None
        expired = [n for n in due if n.status == Notice.Status.SENDING]
        for notice in expired:
            notice.status = Notice.Status.QUEUED
        _withdraw_stale(due, now)
        delivery.withdrawn += sum(1 for n in due if n.status == Notice.Status.WITHDRAWN)
        claimed = [n for n in due if n.status == Notice.Status.QUEUED]
        until = now + _claim_seconds()
        Notice.objects.filter(pk__in=[n.pk for n in claimed]).update(
            status=Notice.Status.SENDING, claimed_by=claimer, claimed_until=until
        )
        for notice in claimed:
            notice.status, notice.claimed_by, notice.claimed_until = Notice.Status.SENDING, claimer, until
        reclaimed = [n.pk for n in expired if n.status != Notice.Status.WITHDRAWN]
        if reclaimed:
            logger.warning("%d notices whose sender stopped mid-send are sent again", len(reclaimed))
            record_events_by_id(
                actor=None,
                action=AuditAction.NOTICES_CLAIM_EXPIRED,
                model=Notice,
                ids=reclaimed,
                summary="its sender stopped before recording the delivery: sent again, same Message-ID",
            )
    return claimed, until


def _renew_claim(*, pending: list[Notice], claimer: str, until: dt.datetime) -> list[Notice]:
    """Extend the claim on ``pending`` to ``until``; returns those this sender still holds (a
    sender paused past its claim loses the notices another one took)."""
    with transaction.atomic():
        held = set(
            Notice.objects.select_for_update()
            .filter(pk__in=[n.pk for n in pending], status=Notice.Status.SENDING, claimed_by=claimer)
            .values_list("pk", flat=True)
        )
        Notice.objects.filter(pk__in=held).update(claimed_until=until)
    for notice in pending:
        notice.claimed_until = until
    lost = len(pending) - len(held)
    if lost:
        logger.warning("%d notices were claimed by another sender meanwhile: left to it", lost)
    return [n for n in pending if n.pk in held]


def _record_outcome(notice: Notice, claimer: str, **fields: Any) -> bool:
    """Write the outcome of a claimed notice (its own short transaction) and release the claim;
    False when the claim was lost meanwhile (another sender owns the notice now)."""
    return bool(
        Notice.objects.filter(pk=notice.pk, status=Notice.Status.SENDING, claimed_by=claimer).update(
            claimed_by="", claimed_until=None, **fields
        )
    )


def _record_sent(notice: Notice, claimer: str, moment: dt.datetime) -> bool:
    with transaction.atomic():
        marked = _record_outcome(
            notice,
            claimer,
            status=Notice.Status.SENT,
            attempts=F("attempts") + 1,
            sent_at=moment,
            last_error="",
        )
        if marked:
            record_event(
                actor=None,
                action=AuditAction.NOTICES_SENT,
                target=notice,
                summary="notice accepted by the mail server",
            )
    if not marked:
        logger.error("notice %s was sent but another sender had taken it over", notice.pk)
    return marked


def _record_failure(notice: Notice, claimer: str, error: Exception, now: dt.datetime) -> bool:
    """Record a failed attempt (retry later, or failed for good); True when given up."""
    permanent = _note_failure(notice, error, now)
    _record_outcome(
        notice,
        claimer,
        status=Notice.Status.FAILED if permanent else Notice.Status.QUEUED,
        attempts=notice.attempts,
        last_error=notice.last_error,
        next_attempt_at=notice.next_attempt_at,
    )
    return permanent


def _release(notices: list[Notice], claimer: str) -> None:
    """Give claimed notices back unsent and unattempted (the connection dropped before them)."""
    Notice.objects.filter(
        pk__in=[n.pk for n in notices], status=Notice.Status.SENDING, claimed_by=claimer
    ).update(status=Notice.Status.QUEUED, claimed_by="", claimed_until=None)


def _deliver_batch(*, clock: _Clock, batch_size: int, claimer: str, delivery: Delivery) -> bool:
    """Claim one batch, send it with no row lock held while the mail server is talked to, and
    record each notice as it goes; False when there is nothing more to do in this run."""
    claim = _claim_batch(clock=clock, batch_size=batch_size, claimer=claimer, delivery=delivery)
    if claim is None:
        return False
    pending, until = claim
    if not pending:
        return True
    claim_length = _claim_seconds()
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as error:
        logger.warning("mail server unavailable, %d notices wait: %s", len(pending), error)
        for notice in pending:
            _record_failure(notice, claimer, error, clock())
        delivery.retrying += len(pending)
        return False
    try:
        while pending:
            # Half the claim left: extend it before the next send, so no other sender takes a
            # notice while this one may still be handing it to the server.
            if clock() >= until - claim_length / 2:
                until = clock() + claim_length
                pending = _renew_claim(pending=pending, claimer=claimer, until=until)
                if not pending:
                    break
            notice = pending.pop(0)
            try:
                connection.send_messages([notice_message(notice, connection)])
            except (OSError, smtplib.SMTPException) as error:
                if _record_failure(notice, claimer, error, clock()):
                    delivery.failed += 1
                    continue
                # The connection is likely gone: the rest of the batch waits for the next run.
                delivery.retrying += 1
                _release(pending, claimer)
                return False
            if _record_sent(notice, claimer, clock()):
                delivery.sent += 1
    finally:
        with contextlib.suppress(OSError, smtplib.SMTPException):
            connection.close()
    return True


def notices_deliver(*, now: dt.datetime, batch_size: int = DELIVERY_BATCH) -> Delivery:
    """Send the queued notices due at ``now`` through the configured mail backend, one
    connection per batch. Each notice is claimed first (``sending``, short transaction), handed
    to the server with no row lock held, and recorded in its own short transaction: sent once
    the server accepted it; on an error queued again with ``attempts`` + 1, the error and a
    later ``next_attempt_at`` (a 5xx refusal of the address marks it failed). A notice whose
    sender died mid-send is sent again once its claim expires (``CLEE_NOTICE_CLAIM_SECONDS``),
    with the same Message-ID. Returns the counts. Safe to run twice, and from two workers at
    once: at most one sender holds a notice at a time."""
    delivery = Delivery()
    clock = _Clock(now)
    claimer = sender_id()
    while _deliver_batch(clock=clock, batch_size=batch_size, claimer=claimer, delivery=delivery):
        pass
    return delivery
