"""The unsigned Open Badges 3.0 credentials (``OpenBadgeCredential`` on the W3C Verifiable
Credentials 2.0 data model) CLEE issues: one per completed course, one per compliant period.

A course credential's achievement is the course: its title and number, its hours, the core
areas (and subjects and topics) its hours were credited in as alignments to the core curricula
of 11 CSR 75-15.020, the provider's class of credit and the delivery. A period credential's
achievement is the period's requirement, naming the rule book version it was decided under.
The officer is named by two unhashed identity objects (name, license number): the credential is
meant to be shown to another state's POST or a hiring agency.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from clee.compliance.models import ComplianceResult, ReportingPeriod
from clee.core.choices import CoreArea, Delivery, ProviderCredit, Source, Subject, Topic
from clee.credentials.contexts import OB_V3, VC_V2
from clee.credentials.identity import issuer_profile, program_name, site_url, status_list_url
from clee.credentials.proofs import timestamp
from clee.officers.models import Officer
from clee.training.models import CreditLine, TrainingRecord

CONTEXT = [VC_V2, OB_V3]
TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
FRAMEWORK = "Continuing law enforcement education core curricula (11 CSR 75-15.020)"
FIELD = "Law enforcement continuing education"
# Records are kept six years (11 CSR 75-15.020): the program vouches for a credential, and can
# revoke it, as long as it keeps the record it rests on.
KEPT_YEARS = 6


def hours_text(value: Decimal | float) -> str:
    number = Decimal(str(value)).quantize(Decimal("0.01")).normalize()
    return f"{number:f}"


def _hours(value: Decimal | float) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.01")))


def _day_text(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _local_midnight(day: dt.date) -> str:
    """A date as the dateTime Open Badges asks for: its start, in the program's time zone."""
    moment = dt.datetime.combine(day, dt.time(0), tzinfo=timezone.get_current_timezone())
    return moment.isoformat()


def kept_until(day: dt.date) -> dt.datetime:
    """The end of the record-keeping period for something completed on ``day``."""
    end = dt.date(day.year + KEPT_YEARS, 12, 31)
    return dt.datetime.combine(end, dt.time(23, 59, 59), tzinfo=timezone.get_current_timezone())


def _identifiers(officer: Officer) -> list[dict[str, Any]]:
    return [
        {
            "type": "IdentityObject",
            "identityType": "name",
            "hashed": False,
            "identityHash": officer.full_name,
        },
        {
            "type": "IdentityObject",
            "identityType": "identifier",
            "hashed": False,
            "identityHash": officer.license_number,
        },
    ]


def _label(choices: Any, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def area_label(core_area: str, subject: str) -> str:
    label = _label(CoreArea, core_area)
    return f"{label} – {_label(Subject, subject)}" if subject else label


def _alignments(lines: Sequence[CreditLine]) -> list[dict[str, Any]]:
    aligned = []
    for line in lines:
        topics = sorted(line.topics.items())
        described = f"{hours_text(line.hours)} hours"
        if topics:
            described += " including " + ", ".join(
                f"{hours_text(hours)} h on {_label(Topic, topic).lower()}" for topic, hours in topics
            )
        aligned.append(
            {
                "type": ["Alignment"],
                "targetType": "ext:CoreCurriculaArea",
                "targetName": area_label(line.core_area, line.subject),
                "targetCode": f"{line.core_area}/{line.subject}" if line.subject else line.core_area,
                "targetDescription": described,
                "targetFramework": FRAMEWORK,
                "targetUrl": settings.CLEE_RULES_URL,
            }
        )
    return aligned


def provider_profile(number: str, name: str) -> dict[str, Any]:
    return {"id": f"{site_url()}/credentials/providers/{number}", "type": ["Profile"], "name": name}


def course_achievement(record: TrainingRecord, lines: Sequence[CreditLine]) -> dict[str, Any]:
    """The achievement of a record: its course (or the training a request described)."""
    course = record.course
    delivery = _label(Delivery, record.delivery)
    credit_class = _label(ProviderCredit, record.credit_class)
    source = _label(Source, record.source)
    achievement: dict[str, Any] = {"type": ["Achievement"], "achievementType": "Course"}
    if course is not None:
        provider = course.provider
        achievement |= {
            "id": f"{site_url()}/credentials/achievements/course/{course.pk}",
            "name": course.title,
            "description": course.synopsis.strip()
            or f"{course.title}: a course of {provider.name} approved by the {program_name()}.",
            "humanCode": course.number,
            "creditsAvailable": _hours(course.hours),
            "creator": provider_profile(provider.number, provider.name),
        }
        by = f"{provider.name} (provider {provider.number})"
    else:
        title = record.description or source
        achievement |= {
            "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{site_url()}/records/{record.pk}')}",
            "name": title,
            "description": f"{title}: {source.lower()} credited by the {program_name()}.",
        }
        by = source.lower() + (f" from {record.state}" if record.state else "")
    achievement |= {
        "criteria": {
            "narrative": (
                f"Completion of {achievement['name']} ({by}), {hours_text(record.hours)} hours of continuing "
                f"law enforcement education: {credit_class.lower()} credit, {delivery.lower()}, "
                f"accepted by the {program_name()}."
            )
        },
        "fieldOfStudy": FIELD,
        "tag": [credit_class, delivery, source, *sorted({area_label(x.core_area, x.subject) for x in lines})],
        "alignment": _alignments(lines),
    }
    return achievement


def _status_entry(list_id: int, index: int) -> dict[str, Any]:
    url = status_list_url(list_id)
    return {
        "id": f"{url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": str(index),
        "statusListCredential": url,
    }


def course_credential(
    *,
    credential_id: uuid.UUID,
    record: TrainingRecord,
    lines: Sequence[CreditLine],
    issued: dt.datetime,
    status: tuple[int, int],
) -> dict[str, Any]:
    """The unsigned credential of one completed course."""
    officer = record.officer
    achievement = course_achievement(record, lines)
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": _identifiers(officer),
        "activityEndDate": _local_midnight(record.completed_on),
        "creditsEarned": _hours(record.hours),
        "achievement": achievement,
    }
    if record.course is not None:
        subject["source"] = achievement["creator"]
    return {
        "@context": CONTEXT,
        "id": f"urn:uuid:{credential_id}",
        "type": TYPES,
        "name": (
            f"{achievement['name']}: {hours_text(record.hours)} hours of continuing law enforcement education"
        ),
        "description": (
            f"{officer.full_name} (peace officer license {officer.license_number}) completed "
            f"{achievement['name']} on {_day_text(record.completed_on)}."
        ),
        "issuer": issuer_profile(),
        "validFrom": timestamp(issued),
        "validUntil": timestamp(kept_until(record.completed_on)),
        "credentialSubject": subject,
        "credentialStatus": _status_entry(*status),
    }


def period_achievement(period: ReportingPeriod, pack: str) -> dict[str, Any]:
    jurisdiction = period.jurisdiction
    return {
        "id": f"{site_url()}/credentials/achievements/period/{jurisdiction}/{period.year}",
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": f"{period.year} continuing law enforcement education requirement ({jurisdiction})",
        "description": (
            f"The continuing law enforcement education requirement of the {program_name()} for the "
            f"reporting period {_day_text(period.starts)} to {_day_text(period.ends)} (11 CSR 75-15.010)."
        ),
        "criteria": {
            "narrative": (
                f"Met the requirement of the {period.year} reporting period as decided under rule book "
                f"version {pack}, or exempt from it for the period."
            )
        },
        "humanCode": f"{jurisdiction}-{period.year}",
        "version": pack,
        "fieldOfStudy": FIELD,
    }


def period_credential(
    *,
    credential_id: uuid.UUID,
    officer: Officer,
    period: ReportingPeriod,
    result: ComplianceResult,
    issued: dt.datetime,
    status: tuple[int, int],
) -> dict[str, Any]:
    """The unsigned credential of a compliant (or exempt) period, naming its rule book version."""
    achievement = period_achievement(period, result.pack)
    if result.status == ComplianceResult.Status.EXEMPT:
        verdict = f"was exempt from the {period.year} requirement ({result.exemption})"
        title = f"Exempt from the {period.year} {period.jurisdiction} CLEE requirement"
    else:
        verdict = f"met the {period.year} requirement with {hours_text(result.counted_hours)} hours counted"
        title = f"Met the {period.year} {period.jurisdiction} CLEE requirement"
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": _identifiers(officer),
        "activityStartDate": _local_midnight(period.starts),
        "activityEndDate": _local_midnight(period.ends),
        "creditsEarned": _hours(result.counted_hours),
        "narrative": f"{officer.full_name} {verdict}, decided under rule book version {result.pack}.",
        "achievement": achievement,
    }
    return {
        "@context": CONTEXT,
        "id": f"urn:uuid:{credential_id}",
        "type": TYPES,
        "name": title,
        "description": f"{officer.full_name} (peace officer license {officer.license_number}) {verdict}.",
        "issuer": issuer_profile(),
        "validFrom": timestamp(issued),
        "validUntil": timestamp(kept_until(period.ends)),
        "credentialSubject": subject,
        "credentialStatus": _status_entry(*status),
    }
