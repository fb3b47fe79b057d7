"""Rule packs as the oversight pages show them: every value with the dates it is in effect and
the rule section or seed document it comes from; the rule book versions of the rules page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from clee.compliance.calendar import period_of_year, program_today
from clee.compliance.models import ReportingPeriod, RuleBookVersion
from clee.compliance.rulebooks import number_in_force, rule_book, version_in_force
from clee.rules import Dated, NoPackError, PackError, RulePack
from clee.rules.vocabulary import CORE_AREA_LABELS, SOURCE_LABELS

ATTRIBUTE_LABELS = {
    "core_area": "core area",
    "subject": "subject",
    "topic": "topic",
    "provider_class": "provider",
    "delivery": "delivery",
    "source": "source",
}
VALUE_LABELS = {
    **CORE_AREA_LABELS,
    **SOURCE_LABELS,
    "approved": "approved provider",
    "licensed": "licensed provider",
    "computer_based": "computer-based",
    "live": "live",
    "none": "none",
    "firearms": "firearms",
}


@dataclass(frozen=True)
class PackRow:
    """One period's pack in the list (``error`` when it cannot be read)."""

    year: str
    pack: RulePack | None
    period: ReportingPeriod | None
    error: str = ""

    @property
    def minimums(self) -> str:
        return (
            ", ".join(f"{r.label} {r.minimum.value:g}" for r in self.pack.requirements) if self.pack else ""
        )

    @property
    def caps(self) -> str:
        return ", ".join(f"{c.label} ≤ {c.maximum.value:g}" for c in self.pack.caps) if self.pack else ""


def pack_rows() -> list[PackRow]:
    """The pack of every period on record, and of next year (under the version in force),
    latest first, each under the rule book version that decides it."""
    jurisdiction = settings.CLEE_JURISDICTION.upper()
    today = program_today()
    periods = {p.year: p for p in ReportingPeriod.objects.filter(jurisdiction=jurisdiction)}
    in_force = number_in_force(jurisdiction, today)
    rows = []
    for year in sorted({*periods, today.year + 1}, reverse=True):
        period = periods.get(year)
        try:
            pack = rule_book(jurisdiction, period.pack_version if period else in_force).pack(str(year))
        except (PackError, NoPackError) as error:
            rows.append(PackRow(str(year), None, period, str(error)))
        else:
            rows.append(PackRow(str(year), pack, period))
    return rows


def pack_of_year(year: str) -> tuple[RulePack, ReportingPeriod | None]:
    """The pack of ``year``: its period's version's, or (not opened yet) the version in force's."""
    jurisdiction = settings.CLEE_JURISDICTION.upper()
    period = period_of_year(int(year), jurisdiction)
    number = period.pack_version if period else number_in_force(jurisdiction, program_today())
    return rule_book(jurisdiction, number).pack(year), period


def versions_context() -> dict[str, Any]:
    """The version in force, versions published ahead of their date, the published history and
    the open drafts (for the rules page)."""
    jurisdiction = settings.CLEE_JURISDICTION.upper()
    today = program_today()
    versions = RuleBookVersion.objects.filter(jurisdiction=jurisdiction).select_related(
        "prepared_by", "published_by"
    )
    in_force = version_in_force(jurisdiction, today)
    return {
        "in_force": in_force,
        "scheduled": versions.filter(
            status=RuleBookVersion.Status.PUBLISHED, effective_from__gt=today
        ).order_by("effective_from"),
        "published": versions.filter(status=RuleBookVersion.Status.PUBLISHED).order_by("-number"),
        "drafts": versions.filter(
            status__in=[RuleBookVersion.Status.DRAFT, RuleBookVersion.Status.SUBMITTED]
        ).order_by("-updated_at"),
    }


def where_text(pack: RulePack, where: Any) -> str:
    """``where`` in words: "core area: Legal Studies; delivery: live"."""
    if not where:
        return "every hour"
    parts = []
    for attribute, values in sorted(where.items()):
        shown = sorted(pack.topics.get(v) or VALUE_LABELS.get(v) or v.replace("_", " ") for v in values)
        parts.append(f"{ATTRIBUTE_LABELS.get(attribute, attribute)}: {' or '.join(shown)}")
    return "; ".join(parts)


def _dated(value: Dated[Any]) -> dict[str, Any]:
    return {"start": value.start, "until": value.until, "reference": value.reference}


def pack_context(pack: RulePack) -> dict[str, Any]:
    """Requirements, caps, sources, exemptions, topics and the grace deadline of ``pack``, each
    value with ``start``, ``until`` (None: open) and ``reference``."""
    grace: Dated[dt.date] = pack.grace_deadline
    return {
        "pack": pack,
        "grace": {"value": grace.value, **_dated(grace)},
        "requirements": [
            {
                "key": r.key,
                "label": r.label,
                "value": r.minimum.value,
                "where": where_text(pack, r.where),
                **_dated(r.minimum),
            }
            for r in pack.requirements
        ],
        "caps": [
            {
                "key": c.key,
                "label": c.label,
                "value": c.maximum.value,
                "where": where_text(pack, c.where),
                **_dated(c.maximum),
            }
            for c in pack.caps
        ],
        "sources": [
            {
                "key": s.key,
                "label": SOURCE_LABELS.get(s.key, s.key).capitalize(),
                "provider_class": {
                    "from_credit": "as the provider's class",
                    "approved": "approved provider",
                    "licensed": "licensed provider",
                }.get(s.provider_class, s.provider_class),
                "unit": s.unit.replace("_", " ").removesuffix("s"),
                "rate": s.hours_per_unit.value,
                "recognized": [
                    {"codes": ", ".join(sorted(entry.value)), **_dated(entry)} for entry in s.recognized or ()
                ],
                **_dated(s.hours_per_unit),
            }
            for s in pack.sources.values()
        ],
        "exemptions": pack.exemptions,
        "topics": sorted(pack.topics.items(), key=lambda item: item[1]),
    }
