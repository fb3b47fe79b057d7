"""The rules in force, read from the database: rule book versions and the recognized list.

A period is decided under the rule book version its ``pack_version`` names; the pack is that
version's pack for the period, with the recognized out-of-state list POST keeps in place of
the book's own. Published versions never change, so a parsed book is kept per process by
(jurisdiction, number, checksum); the recognized list is read each time (a few dozen rows).

The shipped defaults (``clee/rules/packs/``) are installed once, when the database is first
migrated: the book as version 1 and its recognized list (``install_shipped_rules``). A later
release never changes the rules of a running program: only a version POST publishes does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import Any

from django.db import transaction
from django.db.models import Q

from clee.compliance.models import RecognizedSource, ReportingPeriod, RuleBookVersion
from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.rules import Dated, NoPackError, RuleBook, RulePack, book_from_text, load_book, with_recognized

logger = logging.getLogger(__name__)

# Names of recognized sources for the list's page (codes outside it keep their code).
SOURCE_NAMES = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "DC": "District of Columbia",
    "FL": "Florida", "GA": "Georgia", "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois",
    "IN": "Indiana", "IA": "Iowa", "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana",
    "ME": "Maine", "MD": "Maryland", "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota",
    "MS": "Mississippi", "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada",
    "NH": "New Hampshire", "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York",
    "NC": "North Carolina", "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon",
    "PA": "Pennsylvania", "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota",
    "TN": "Tennessee", "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia",
    "WA": "Washington", "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
    "IADLEST": "IADLEST-approved courses",
}  # fmt: skip

# Published versions never change and their numbers are never reused: a book read once is kept
# per process by (jurisdiction, number). Publishing forgets the number it gives (a test database
# may have rolled an earlier publication of that number back).
_books: dict[tuple[str, int], RuleBook] = {}


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def rule_book(jurisdiction: str, number: int) -> RuleBook:
    """Published version ``number`` of the jurisdiction's rule book; NoPackError when there is
    none (the shipped book stands in while the database has no version yet)."""
    jurisdiction = jurisdiction.upper()
    found = _books.get((jurisdiction, number))
    if found is not None:
        return found
    row = (
        RuleBookVersion.objects.filter(
            jurisdiction=jurisdiction, number=number, status=RuleBookVersion.Status.PUBLISHED
        )
        .values_list("text", "sha256")
        .first()
    )
    if row is None:
        shipped = load_book(jurisdiction)
        if (
            shipped.version == number
            and not RuleBookVersion.objects.filter(jurisdiction=jurisdiction).exists()
        ):
            return shipped
        raise NoPackError(f"no published version {number} of the {jurisdiction} rule book")
    text, _ = row
    book = _books[(jurisdiction, number)] = book_from_text(
        text, f"{jurisdiction} rule book v{number}", version=number
    )
    return book


def forget_rule_book(jurisdiction: str, number: int) -> None:
    """Drop a kept book (its number is being given to a new publication)."""
    _books.pop((jurisdiction.upper(), number), None)


def version_in_force(jurisdiction: str, day: dt.date) -> RuleBookVersion | None:
    """The published version in force on ``day``: the latest effective date on or before it
    (the higher number when two share a date)."""
    return (
        RuleBookVersion.objects.filter(
            jurisdiction=jurisdiction.upper(),
            status=RuleBookVersion.Status.PUBLISHED,
            effective_from__lte=day,
        )
        .order_by("-effective_from", "-number")
        .first()
    )


def number_in_force(jurisdiction: str, day: dt.date) -> int:
    """The number of the version in force on ``day``; the shipped book's before any is stored."""
    found = version_in_force(jurisdiction, day)
    return found.number if found is not None and found.number is not None else load_book(jurisdiction).version


def book_in_force(jurisdiction: str, day: dt.date) -> RuleBook:
    return rule_book(jurisdiction, number_in_force(jurisdiction, day))


def recognized_list(jurisdiction: str) -> tuple[Dated[frozenset[str]], ...] | None:
    """The recognized out-of-state list POST keeps, as the engine reads it (one dated entry
    per source); None while the database holds none (the book's own list stands)."""
    rows = (
        RecognizedSource.objects.filter(jurisdiction=jurisdiction.upper())
        .order_by("code", "recognized_from", "id")
        .values_list("code", "recognized_from", "recognized_until", "reference")
    )
    entries = tuple(
        Dated(frozenset([code]), start, until, reference) for code, start, until, reference in rows
    )
    return entries or None


def recognized_in_effect(jurisdiction: str, day: dt.date) -> list[RecognizedSource]:
    """The list's entries in force on ``day``, by code."""
    return list(
        RecognizedSource.objects.filter(jurisdiction=jurisdiction.upper(), recognized_from__lte=day)
        .filter(Q(recognized_until__isnull=True) | Q(recognized_until__gte=day))
        .order_by("code")
    )


def book_pack(period: ReportingPeriod) -> RulePack:
    """The period's pack as its rule book version gives it (the book's own recognized list)."""
    return rule_book(period.jurisdiction, period.pack_version).pack(str(period.year))


def period_pack(period: ReportingPeriod) -> RulePack:
    """The pack that decides ``period``: its rule book version's, with the recognized list POST
    keeps (the same arguments give the same object, so compiled packs are reused)."""
    pack = book_pack(period)
    recognized = recognized_list(period.jurisdiction)
    return pack if recognized is None else with_recognized(pack, recognized)


# Installing the shipped defaults --------------------------------------------------------------


@transaction.atomic
def install_shipped_rules(*, jurisdiction: str, today: dt.date | None = None) -> list[str]:
    """Store the shipped rule book (as version 1, in force from its first period) and its
    recognized list, when the database has none yet for ``jurisdiction``; returns what was
    installed (nothing on every later call: POST's own versions and list are left alone)."""
    installed = []
    book = load_book(jurisdiction)
    if not RuleBookVersion.objects.filter(jurisdiction=book.jurisdiction).exists():
        text = _read(book.path)
        version = RuleBookVersion.objects.create(
            jurisdiction=book.jurisdiction,
            number=book.version,
            status=RuleBookVersion.Status.PUBLISHED,
            text=text,
            sha256=text_sha256(text),
            source_name="clee/rules/packs/" + book.path.rsplit("/", 1)[-1] + " (shipped with CLEE)",
            effective_from=dt.date(book.first, 1, 1),
            reason="The rules shipped with CLEE: seeds 000 and 001, 11 CSR 75-15.",
        )
        record_event(
            actor=None,
            action=AuditAction.RULES_BOOK_INSTALL,
            target=version,
            summary=f"shipped {version} installed, in force from {version.effective_from}",
        )
        installed.append(str(version))
    if not RecognizedSource.objects.filter(jurisdiction=book.jurisdiction).exists():
        rule = book.pack(str(book.first)).sources.get("out_of_state")
        rows = [
            RecognizedSource(
                jurisdiction=book.jurisdiction,
                code=code,
                name=SOURCE_NAMES.get(code, code),
                recognized_from=entry.start,
                recognized_until=entry.until,
                reference=entry.reference,
            )
            for entry in (rule.recognized or () if rule else ())
            for code in sorted(entry.value)
        ]
        for row in RecognizedSource.objects.bulk_create(rows):
            record_event(
                actor=None,
                action=AuditAction.RULES_RECOGNIZED_INSTALL,
                target=row,
                summary=f"recognized out-of-state source {row} installed from the shipped rules",
            )
        if rows:
            installed.append(f"{len(rows)} recognized out-of-state sources")
    return installed


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def install_after_migrate(**kwargs: Any) -> None:
    """``post_migrate`` receiver: install the shipped rules into a new database."""
    from django.conf import settings

    using = kwargs.get("using", "default")
    if using != "default":
        return
    installed = install_shipped_rules(jurisdiction=settings.CLEE_JURISDICTION)
    if installed and kwargs.get("verbosity", 1) >= 1:
        logger.info("installed the shipped rules: %s", ", ".join(installed))
