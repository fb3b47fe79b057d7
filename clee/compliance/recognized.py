"""The recognized out-of-state list POST keeps (11 CSR 75-15.050; seed 000), as data.

Each entry recognizes one state POST (or IADLEST-approved courses) from a date, until a date or
until further notice, with the citation it rests on. POST staff add entries and end them; an
entry is never deleted, so the list in force on any past day can always be read again. The
engine reads the entries in force on each out-of-state credit's completion date.

A credit from a source that is not on the list for its date is never silently dropped: an
officer's request for it goes to staff marked with the reason (``recognition_issue``), and
staff decide it; approved anyway, it carries their reason and counts (``recognized_by``).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from clee.accounts.models import User
from clee.compliance.models import RecognizedSource, ReportingPeriod
from clee.compliance.outbox import results_mark_stale
from clee.compliance.rulebooks import SOURCE_NAMES, recognized_in_effect, recognized_list
from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.errors import ServiceError
from clee.training.models import TrainingRecord

EDITORS = (User.Role.POST_STAFF,)


def day_shown(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def recognition_issue(code: str, completed_on: dt.date, jurisdiction: str | None = None) -> str:
    """Why ``code`` is not a recognized out-of-state source for a course completed on
    ``completed_on``, or "" when it is (the list in force on that day)."""
    jurisdiction = (jurisdiction or settings.CLEE_JURISDICTION).upper()
    code = code.strip().upper()
    entries = recognized_list(jurisdiction)
    if entries is None:
        return ""  # no list kept yet: the rule book's own decides (the engine reads it)
    in_force = sorted({c for entry in entries if entry.in_effect_on(completed_on) for c in entry.value})
    if code in in_force:
        return ""
    day = day_shown(completed_on)
    if not in_force:
        return (
            f"{code} is not on the recognized list for {day}: no out-of-state source was "
            "recognized on that day"
        )
    states = [c for c in in_force if c != "IADLEST"]
    named = ", ".join(states) + (" and IADLEST-approved courses" if "IADLEST" in in_force else "")
    return f"{code} is not on the recognized list for {day} (recognized then: {named})"


def _require(user: User | None) -> None:
    if not isinstance(user, User) or user.role not in EDITORS:
        raise ServiceError("only POST staff keep the recognized out-of-state list")


def _years_touched(start: dt.date, until: dt.date | None) -> list[int]:
    """The periods on record an entry's window overlaps (their out-of-state credits may change)."""
    periods = ReportingPeriod.objects.filter(jurisdiction=settings.CLEE_JURISDICTION, ends__gte=start)
    if until is not None:
        periods = periods.filter(starts__lte=until)
    return list(periods.values_list("year", flat=True))


def _recompute_out_of_state(start: dt.date, until: dt.date | None, code: str) -> None:
    """Recompute, after the commit, the officers with an out-of-state record from ``code``
    completed in the window (their results may change)."""
    records = TrainingRecord.objects.filter(source="out_of_state", state=code, completed_on__gte=start)
    if until is not None:
        records = records.filter(completed_on__lte=until)
    officers = set(records.values_list("officer_id", flat=True))
    results_mark_stale(officers, _years_touched(start, until), reason=f"recognized list changed ({code})")


@transaction.atomic
def recognized_source_add(
    *,
    code: str,
    recognized_from: dt.date,
    recognized_until: dt.date | None,
    reference: str,
    name: str = "",
    acting_user: User | None,
) -> RecognizedSource:
    """Recognize a state POST (or IADLEST) from a date, with the citation; refused when it
    overlaps an entry of the same source."""
    _require(acting_user)
    code = code.strip().upper()
    if not code or not (code.isalpha() and (len(code) == 2 or code == "IADLEST")):
        raise ServiceError("give a two-letter state code (such as MN) or IADLEST", field="code")
    if code == settings.CLEE_JURISDICTION.upper():
        raise ServiceError(
            f"{code} is this program's own state: its courses are not out-of-state", field="code"
        )
    reference = " ".join(reference.split())
    if not reference:
        raise ServiceError(
            "give the citation: the memo, agreement or rule the recognition rests on", field="reference"
        )
    if len(reference) > 300:
        raise ServiceError(
            f"the citation must be at most 300 characters (it has {len(reference)})", field="reference"
        )
    if recognized_until is not None and recognized_until < recognized_from:
        raise ServiceError(
            f"the recognition ends ({recognized_until}) before it starts ({recognized_from})",
            field="recognized_until",
        )
    jurisdiction = settings.CLEE_JURISDICTION.upper()
    overlapping = RecognizedSource.objects.select_for_update().filter(jurisdiction=jurisdiction, code=code)
    overlapping = overlapping.filter(
        Q(recognized_until__isnull=True) | Q(recognized_until__gte=recognized_from)
    )
    if recognized_until is not None:
        overlapping = overlapping.filter(recognized_from__lte=recognized_until)
    clash = overlapping.first()
    if clash is not None:
        raise ServiceError(
            f"{code} is already recognized from {clash.recognized_from}"
            + (f" to {clash.recognized_until}" if clash.recognized_until else " until further notice")
            + ": end that entry first, or start this one after it",
            field="recognized_from",
        )
    entry = RecognizedSource.objects.create(
        jurisdiction=jurisdiction,
        code=code,
        name=(name.strip() or SOURCE_NAMES.get(code, code))[:100],
        recognized_from=recognized_from,
        recognized_until=recognized_until,
        reference=reference,
        added_by=acting_user,
    )
    record_event(
        actor=acting_user,
        action=AuditAction.RULES_RECOGNIZED_ADD,
        target=entry,
        summary=f"{entry.name} ({code}) recognized from {recognized_from}"
        + (f" to {recognized_until}" if recognized_until else " until further notice")
        + f": {reference}",
        data={
            "code": code,
            "from": recognized_from.isoformat(),
            "until": recognized_until.isoformat() if recognized_until else None,
            "reference": reference,
        },
    )
    _recompute_out_of_state(recognized_from, recognized_until, code)
    return entry


@transaction.atomic
def recognized_source_end(
    *, entry: RecognizedSource, last_day: dt.date, reason: str, acting_user: User | None
) -> RecognizedSource:
    """End a recognition on ``last_day`` (the day before it starts withdraws it whole), saying
    why. Courses completed after that day no longer count from that source."""
    _require(acting_user)
    entry = RecognizedSource.objects.select_for_update().get(pk=entry.pk)
    reason = " ".join(reason.split())
    if not reason:
        raise ServiceError("say why the recognition ends", field="reason")
    if len(reason) > 300:
        raise ServiceError(
            f"the reason must be at most 300 characters (it has {len(reason)})", field="reason"
        )
    if last_day < entry.recognized_from - dt.timedelta(days=1):
        raise ServiceError(
            f"the last day must be on or after {entry.recognized_from - dt.timedelta(days=1)} "
            "(the day before the recognition starts withdraws it whole)",
            field="last_day",
        )
    if entry.recognized_until is not None and last_day >= entry.recognized_until:
        raise ServiceError(
            f"this recognition already ends on {entry.recognized_until}: give an earlier last day",
            field="last_day",
        )
    before = entry.recognized_until
    entry.recognized_until = last_day
    entry.ended_by = acting_user
    entry.end_reason = reason
    entry.save(update_fields=["recognized_until", "ended_by", "end_reason", "updated_at"])
    record_event(
        actor=acting_user,
        action=AuditAction.RULES_RECOGNIZED_END,
        target=entry,
        summary=f"recognition of {entry.name} ({entry.code}) ends {last_day}: {reason}",
        data={
            "last_day": last_day.isoformat(),
            "was": before.isoformat() if before else None,
            "reason": reason,
        },
    )
    _recompute_out_of_state(last_day + dt.timedelta(days=1), before, entry.code)
    return entry


def recognized_now(today: dt.date) -> list[RecognizedSource]:
    return recognized_in_effect(settings.CLEE_JURISDICTION, today)
