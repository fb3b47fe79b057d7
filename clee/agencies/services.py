"""Writes about agencies: adding one and changing its details, each with an audit row."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction

from clee.agencies.models import Agency
from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.changes import changes, refuse_invalid, snapshot
from clee.core.errors import ServiceError

if TYPE_CHECKING:
    from clee.accounts.models import User

AGENCY_FIELDS = ("ori", "name", "agency_type", "active")


def agency_validate(agency: Agency) -> None:
    """Refuse an agency that cannot be kept: a bad or taken ORI, or retiring an agency that
    still commissions officers (their commissions end first, so no officer is left under an
    agency that no longer exists). The model's own checks are ``refuse_invalid``'s."""
    if agency.pk is not None and not agency.active:
        open_commissions = agency.commissions.filter(end__isnull=True).count()
        if open_commissions:
            raise ServiceError(
                f"{agency.name} still commissions {open_commissions} officer"
                f"{'' if open_commissions == 1 else 's'}: end those commissions before making "
                "the agency inactive",
                field="active",
            )


def _normalize(agency: Agency) -> None:
    agency.ori = agency.ori.strip().upper()
    agency.name = agency.name.strip()


@transaction.atomic
def agency_create(
    *,
    ori: str,
    name: str,
    agency_type: str = Agency.Type.POLICE,
    active: bool = True,
    acting_user: User | None,
) -> Agency:
    """A new agency; refused (ServiceError naming the field) for a bad or taken ORI."""
    agency = Agency(ori=ori, name=name, agency_type=agency_type, active=active)
    _normalize(agency)
    agency_validate(agency)
    refuse_invalid(agency)
    agency.save()
    record_event(
        actor=acting_user,
        action=AuditAction.AGENCY_CREATE,
        target=agency,
        summary=f"added agency {agency}",
        data={"values": snapshot(agency, AGENCY_FIELDS)},
    )
    return agency


@transaction.atomic
def agency_update(*, agency: Agency, data: Mapping[str, Any], acting_user: User | None) -> Agency:
    """Change some of an agency's ``ori``, ``name``, ``agency_type`` and ``active``.

    Returns the stored agency; writes nothing (and no audit row) when nothing changes.
    """
    unknown = sorted(set(data) - set(AGENCY_FIELDS))
    if unknown:
        raise ServiceError(f"an agency has no field {', '.join(unknown)}", field=unknown[0])
    stored = Agency.objects.select_for_update().get(pk=agency.pk)
    before = snapshot(stored, AGENCY_FIELDS)
    for name, value in data.items():
        setattr(stored, name, value)
    _normalize(stored)
    agency_validate(stored)
    refuse_invalid(stored)
    changed = changes(before, snapshot(stored, AGENCY_FIELDS))
    if not changed:
        return stored
    stored.save(update_fields=[*changed, "updated_at"])
    record_event(
        actor=acting_user,
        action=AuditAction.AGENCY_UPDATE,
        target=stored,
        summary=f"changed {', '.join(changed)} of agency {stored}",
        data={"changes": changed},
    )
    return stored
