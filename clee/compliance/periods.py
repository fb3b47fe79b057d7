"""Writes about reporting periods: adding one from its rule pack and changing it, audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from clee.compliance.models import ReportingPeriod
from clee.core.audit import record_event
from clee.core.changes import changes, refuse_invalid, snapshot
from clee.core.errors import ServiceError
from clee.core.wording import day_text
from clee.rules import NoPackError, PackError, RulePack, load_pack

PERIOD_FIELDS = ("jurisdiction", "year", "starts", "ends", "grace_deadline", "pack_version", "is_current")


def period_validate(period: ReportingPeriod) -> RulePack:
    """The rule pack that decides ``period``; refused when there is none or its dates clash."""
    try:
        pack = load_pack(period.jurisdiction, str(period.year))
    except (NoPackError, PackError) as error:
        raise ServiceError(str(error), field="year") from error
    grace_deadline = period.grace_deadline or pack.grace_deadline.value
    if grace_deadline <= pack.ends:
        raise ServiceError(
            f"the grace deadline must fall after the period ends ({day_text(pack.ends)})",
            field="grace_deadline",
        )
    return pack


@transaction.atomic
def period_save(*, period: ReportingPeriod, acting_user: Any) -> ReportingPeriod:
    """Add or change a reporting period. Its dates and pack version come from its rule pack;
    the grace deadline too unless given. Making a period current ends the previous one's turn.

    Results are not recomputed here: a new period (or a changed pack) is recomputed with
    ``manage.py recompute_compliance --year YYYY`` or the back office's action.
    """
    created = period.pk is None
    stored = None if created else ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    before = {} if stored is None else snapshot(stored, PERIOD_FIELDS)
    period.jurisdiction = period.jurisdiction.strip().upper()
    pack = period_validate(period)
    period.starts, period.ends, period.pack_version = pack.starts, pack.ends, pack.version
    period.grace_deadline = period.grace_deadline or pack.grace_deadline.value
    refuse_invalid(period)
    after = snapshot(period, PERIOD_FIELDS)
    changed = changes(before, after)
    if created:
        period.save()
    elif changed:
        period.save(update_fields=[*changed, "updated_at"])
    if period.is_current:
        ReportingPeriod.objects.filter(jurisdiction=period.jurisdiction, is_current=True).exclude(
            pk=period.pk
        ).update(is_current=False)
    if created or changed:
        record_event(
            actor=acting_user,
            action="period.create" if created else "period.update",
            target=period,
            summary=f"added reporting period {period}"
            if created
            else f"changed {', '.join(changed)} of reporting period {period}",
            data={"values": after} if created else {"changes": changed},
        )
    return period
