"""Publishing the rules without a release: rule book versions from draft to force.

1. POST staff prepare a draft: upload a rule book file, or copy the version in force and edit it
   in the portal (``rule_book_draft_create``, ``rule_book_draft_update``). A draft may be saved
   while it is still wrong; its page shows each problem with the file, the key and the reason.
2. They preview its impact statewide on any period, then submit it with an effective date and
   the reason for the change (``rule_book_submit``); a malformed draft is refused there.
3. The Director publishes it (``rule_book_publish``) or returns it with a note. Publication
   gives the version its number; it is never changed again. From its effective date it is the
   version in force: every period whose rules it changes is re-decided under it (its results
   recomputed by a job) and names it; a period it leaves alike keeps the version it has.

``clee.compliance.calendar.rule_versions_apply`` puts versions into force: at publication when
the date has come, and each night (the calendar job) for versions published ahead of their date.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from clee.accounts.models import User
from clee.compliance.calendar import periods_on_record, program_today, rule_versions_apply, years_shown
from clee.compliance.models import ReportingPeriod, RuleBookVersion
from clee.compliance.rulebooks import forget_rule_book, number_in_force, rule_book, text_sha256
from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.errors import ServiceError
from clee.rules import NoPackError, PackError, RuleBook, book_from_text

# A rule book is a few kilobytes of YAML; anything near this is not one.
DRAFT_MAX_BYTES = 256 * 1024
PREPARERS = (User.Role.POST_STAFF,)
PUBLISHERS = (User.Role.DIRECTOR,)


def draft_name(draft: RuleBookVersion) -> str:
    """How errors name a draft: its file's name, or "draft N"."""
    return draft.source_name.split(" (")[0] if draft.source_name else f"draft {draft.pk}"


def draft_text_checked(content: bytes | str, name: str) -> str:
    """The text of an uploaded or typed rule book: UTF-8, at most 256 KB, ends with a newline."""
    if isinstance(content, str):
        content = content.encode("utf-8")
    if len(content) > DRAFT_MAX_BYTES:
        raise ServiceError(
            f"{name} is {len(content) // 1024} KB; a rule book may be at most 256 KB", field="text"
        )
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        raise ServiceError(f"{name} is not a YAML text file (UTF-8)", field="text") from None
    text = text.replace("\r\n", "\n")
    if not text.strip():
        raise ServiceError(f"{name} is empty", field="text")
    return text if text.endswith("\n") else text + "\n"


def draft_book(draft: RuleBookVersion) -> RuleBook:
    """The draft read as a rule book; PackError names the draft, the key and the reason."""
    book = book_from_text(draft.text, draft_name(draft), version=draft.number or 0)
    if book.jurisdiction != draft.jurisdiction:
        raise PackError(
            draft_name(draft), "jurisdiction", f"must be {draft.jurisdiction}, got {book.jurisdiction}"
        )
    return book


def draft_problem(draft: RuleBookVersion) -> PackError | None:
    """What is wrong with the draft (file, key, reason), or None when it reads as a rule book."""
    try:
        draft_book(draft)
    except PackError as error:
        return error
    return None


def _require(user: User | None, roles: tuple[str, ...], doing: str) -> None:
    if not isinstance(user, User) or user.role not in roles:
        raise ServiceError(f"only {' or '.join(User.Role(r).label for r in roles)} may {doing}")


@transaction.atomic
def rule_book_draft_create(
    *,
    jurisdiction: str,
    content: bytes | str,
    source_name: str,
    based_on: RuleBookVersion | None = None,
    acting_user: User | None,
) -> RuleBookVersion:
    """A new draft of the jurisdiction's rule book (uploaded, or copied from ``based_on``)."""
    _require(acting_user, PREPARERS, "prepare a rule book draft")
    name = source_name.strip()[:200] or "draft.yaml"
    text = draft_text_checked(content, name)
    draft = RuleBookVersion.objects.create(
        jurisdiction=jurisdiction.upper(),
        status=RuleBookVersion.Status.DRAFT,
        text=text,
        sha256=text_sha256(text),
        source_name=name,
        based_on=based_on,
        prepared_by=acting_user,
    )
    problem = draft_problem(draft)
    record_event(
        actor=acting_user,
        action=AuditAction.RULES_DRAFT_CREATE,
        target=draft,
        summary=f"rule book draft {draft.pk} prepared from {name}"
        + (f" (not usable yet: {problem})" if problem else ""),
        data={"sha256": draft.sha256, "based_on": based_on.number if based_on else None},
    )
    return draft


@transaction.atomic
def rule_book_draft_update(
    *, draft: RuleBookVersion, content: bytes | str, acting_user: User | None
) -> RuleBookVersion:
    """Replace a draft's text (a draft that is not submitted, published or withdrawn)."""
    _require(acting_user, PREPARERS, "edit a rule book draft")
    draft = RuleBookVersion.objects.select_for_update().get(pk=draft.pk)
    if draft.status != RuleBookVersion.Status.DRAFT:
        raise ServiceError(f"this draft is {draft.get_status_display().lower()}: it can no longer be edited")
    text = draft_text_checked(content, draft_name(draft))
    if text == draft.text:
        return draft
    before = draft.sha256
    draft.text, draft.sha256 = text, text_sha256(text)
    draft.save(update_fields=["text", "sha256", "updated_at"])
    problem = draft_problem(draft)
    record_event(
        actor=acting_user,
        action=AuditAction.RULES_DRAFT_UPDATE,
        target=draft,
        summary=f"rule book draft {draft.pk} edited" + (f" (not usable yet: {problem})" if problem else ""),
        data={"sha256_before": before, "sha256": draft.sha256},
    )
    return draft


@transaction.atomic
def rule_book_submit(
    *,
    draft: RuleBookVersion,
    effective_from: dt.date,
    reason: str,
    acting_user: User | None,
    today: dt.date | None = None,
) -> RuleBookVersion:
    """Send a usable draft to the Director with its effective date and the reason for it."""
    _require(acting_user, PREPARERS, "submit a rule book draft")
    today = today or program_today()
    draft = RuleBookVersion.objects.select_for_update().get(pk=draft.pk)
    if draft.status != RuleBookVersion.Status.DRAFT:
        raise ServiceError(f"this draft is {draft.get_status_display().lower()}: it cannot be submitted")
    reason = " ".join(reason.split())
    if not reason:
        raise ServiceError("say why the rules change: the reason is kept with the version", field="reason")
    if effective_from < today:
        raise ServiceError(
            f"the effective date must be today or later (today is {today}); a change takes effect "
            "from the day it is in force",
            field="effective_from",
        )
    problem = draft_problem(draft)
    if problem is not None:
        raise ServiceError(f"this draft cannot be used: {problem}", field="text")
    in_force = rule_book(draft.jurisdiction, number_in_force(draft.jurisdiction, today))
    if _same_rules(draft_book(draft), in_force, today):
        raise ServiceError(
            f"this draft decides every period exactly as version {in_force.version} in force does: "
            "there is nothing to publish",
            field="text",
        )
    draft.status = RuleBookVersion.Status.SUBMITTED
    draft.effective_from = effective_from
    draft.reason = reason
    draft.submitted_at = timezone.now()
    draft.returned_note = ""
    draft.save(
        update_fields=["status", "effective_from", "reason", "submitted_at", "returned_note", "updated_at"]
    )
    record_event(
        actor=acting_user,
        action=AuditAction.RULES_DRAFT_SUBMIT,
        target=draft,
        summary=f"rule book draft {draft.pk} submitted to the Director, effective {effective_from}: {reason}",
        data={"effective_from": effective_from.isoformat(), "reason": reason, "sha256": draft.sha256},
    )
    return draft


@transaction.atomic
def rule_book_return(*, draft: RuleBookVersion, note: str, acting_user: User | None) -> RuleBookVersion:
    """The Director sends a submitted draft back to staff, saying why."""
    _require(acting_user, PUBLISHERS, "return a rule book draft")
    draft = RuleBookVersion.objects.select_for_update().get(pk=draft.pk)
    if draft.status != RuleBookVersion.Status.SUBMITTED:
        raise ServiceError(
            f"this draft is {draft.get_status_display().lower()}: only a submitted one is returned"
        )
    note = " ".join(note.split())
    if not note:
        raise ServiceError("say what should change before the draft comes back", field="note")
    if len(note) > 500:
        raise ServiceError(f"the note must be at most 500 characters (it has {len(note)})", field="note")
    draft.status = RuleBookVersion.Status.DRAFT
    draft.returned_note = note
    draft.save(update_fields=["status", "returned_note", "updated_at"])
    record_event(
        actor=acting_user,
        action=AuditAction.RULES_DRAFT_RETURN,
        target=draft,
        summary=f"rule book draft {draft.pk} returned to staff: {note}",
        data={"note": note},
    )
    return draft


@transaction.atomic
def rule_book_withdraw(*, draft: RuleBookVersion, acting_user: User | None) -> RuleBookVersion:
    """Staff give up a draft (it is kept, marked withdrawn)."""
    _require(acting_user, PREPARERS, "withdraw a rule book draft")
    draft = RuleBookVersion.objects.select_for_update().get(pk=draft.pk)
    if draft.status not in (RuleBookVersion.Status.DRAFT, RuleBookVersion.Status.SUBMITTED):
        raise ServiceError(f"this draft is {draft.get_status_display().lower()}: it cannot be withdrawn")
    draft.status = RuleBookVersion.Status.WITHDRAWN
    draft.save(update_fields=["status", "updated_at"])
    record_event(
        actor=acting_user,
        action=AuditAction.RULES_DRAFT_WITHDRAW,
        target=draft,
        summary=f"rule book draft {draft.pk} withdrawn",
    )
    return draft


@transaction.atomic
def rule_book_publish(
    *, draft: RuleBookVersion, acting_user: User | None, today: dt.date | None = None
) -> RuleBookVersion:
    """Publish a submitted draft: it gets the next version number and is never changed again.
    When its effective date has come it is in force at once (an effective date that passed
    while it waited becomes today); otherwise from that date."""
    _require(acting_user, PUBLISHERS, "publish a rule book version")
    today = today or program_today()
    # One publication at a time per jurisdiction: the numbers follow each other.
    list(
        RuleBookVersion.objects.select_for_update()
        .filter(jurisdiction=draft.jurisdiction, status=RuleBookVersion.Status.PUBLISHED)
        .values_list("pk", flat=True)
    )
    draft = RuleBookVersion.objects.select_for_update().get(pk=draft.pk)
    if draft.status != RuleBookVersion.Status.SUBMITTED:
        raise ServiceError(
            f"this draft is {draft.get_status_display().lower()}: only a submitted draft is published"
        )
    problem = draft_problem(draft)
    if problem is not None:  # checked at submission; never expected
        raise ServiceError(f"this draft cannot be used: {problem}")
    assert draft.effective_from is not None
    latest = RuleBookVersion.objects.filter(jurisdiction=draft.jurisdiction).aggregate(top=Max("number"))[
        "top"
    ]
    draft.number = (latest or 0) + 1
    forget_rule_book(draft.jurisdiction, draft.number)
    draft.status = RuleBookVersion.Status.PUBLISHED
    asked = draft.effective_from
    draft.effective_from = max(asked, today)
    draft.published_by = acting_user
    draft.published_at = timezone.now()
    draft.save(
        update_fields=["number", "status", "effective_from", "published_by", "published_at", "updated_at"]
    )
    changed = [str(c.period.year) for c in period_changes(draft, today=today) if c.changed]
    record_event(
        actor=acting_user,
        action=AuditAction.RULES_BOOK_PUBLISH,
        target=draft,
        summary=f"{draft} published, in force from {draft.effective_from}"
        + (f" (asked {asked}, passed while it waited)" if asked < today else "")
        + f": {draft.reason}",
        data={
            "number": draft.number,
            "effective_from": draft.effective_from.isoformat(),
            "reason": draft.reason,
            "prepared_by": draft.prepared_by.get_username() if draft.prepared_by else None,
            "sha256": draft.sha256,
            "periods_changed": changed,
        },
    )
    rule_versions_apply(today=today)
    return draft


def _same_rules(book: RuleBook, other: RuleBook, today: dt.date) -> bool:
    """Whether two books decide every period alike: each period from the first either has to
    the year after the latest change either makes (later years read the same values)."""
    last = max(book.latest_change(), other.latest_change(), today.year) + 1
    years = [str(year) for year in range(min(book.first, other.first), last + 1)]
    for year in years:
        try:
            mine = book.pack(year).digest
        except NoPackError:
            mine = None
        try:
            theirs = other.pack(year).digest
        except NoPackError:
            theirs = None
        if mine != theirs:
            return False
    return book.first == other.first and book.last == other.last


@dataclass(frozen=True)
class PeriodChange:
    """How a version would decide a period on record, against the version deciding it now."""

    period: ReportingPeriod
    now_number: int
    changed: bool
    # Why it cannot decide the period (its rules have no such period), or "".
    problem: str = ""


def period_changes(version: RuleBookVersion, *, today: dt.date | None = None) -> list[PeriodChange]:
    """For each period on record, whether ``version`` decides it differently from the version
    that decides it now (the period's phase matters to the reader: a closed period changed is a
    retroactive change)."""
    book = draft_book(version)
    changes = []
    for period in periods_on_record(version.jurisdiction).order_by("year"):
        try:
            now = rule_book(period.jurisdiction, period.pack_version).pack(str(period.year)).digest
        except NoPackError:
            now = ""
        try:
            mine = book.pack(str(period.year)).digest
        except NoPackError as error:
            changes.append(PeriodChange(period, period.pack_version, True, str(error)))
            continue
        changes.append(PeriodChange(period, period.pack_version, mine != now))
    return changes


def later_changes(version: RuleBookVersion, *, today: dt.date | None = None) -> str:
    """The years after the periods on record whose rules ``version`` changes against the version
    in force, in words ("2030 on", "2028 and 2029"; "" for none). Years after the latest change
    either makes read alike as that change's year."""
    today = today or program_today()
    book = draft_book(version)
    in_force = rule_book(version.jurisdiction, number_in_force(version.jurisdiction, today))
    on_record = list(periods_on_record(version.jurisdiction).values_list("year", flat=True))
    first = max([*on_record, today.year]) + 1
    last = max(book.latest_change(), in_force.latest_change(), first) + 1
    changed = []
    for year in range(first, last + 1):
        try:
            mine = book.pack(str(year)).digest
        except NoPackError:
            mine = ""
        try:
            theirs = in_force.pack(str(year)).digest
        except NoPackError:
            theirs = ""
        if mine != theirs:
            changed.append(year)
    if not changed:
        return ""
    if changed[-1] == last:  # it goes on: the last year read stands for every later one
        start = changed[-1]
        while len(changed) > 1 and changed[-2] == start - 1:
            changed.pop()
            start -= 1
        changed[-1] = start
        head = changed[:-1]
        return (f"{', '.join(map(str, head))} and " if head else "") + f"{start} on"
    return years_shown(changed)


def version_diff(version: RuleBookVersion, against: RuleBookVersion | None) -> list[str]:
    """A unified diff of ``version``'s text against ``against``'s (lines, for the page)."""
    if against is None:
        return []
    return list(
        difflib.unified_diff(
            against.text.splitlines(),
            version.text.splitlines(),
            fromfile=str(against),
            tofile=str(version) if version.number else f"draft {version.pk}",
            lineterm="",
            n=2,
        )
    )
