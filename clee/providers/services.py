"""Writes about providers, and what the provider services share.

Each ``*_save`` here and in ``courses`` (courses with the split of their hours, their review),
``offerings`` and ``catalog`` (recognized out-of-state courses) takes an instance carrying the
wanted values (new or already stored), checks it, stores it and writes one audit row naming the
acting user with what changed (``audit_save``). The ``*_validate`` checks are public so a form
can show the same refusal before anything is saved.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction

from clee.core.actions import AuditAction
from clee.core.audit import record_event
from clee.core.changes import changes, plain, refuse_invalid, snapshot
from clee.core.choices import ProviderCredit
from clee.core.errors import ServiceError
from clee.core.wording import ends_before
from clee.providers.models import Provider

if TYPE_CHECKING:
    from clee.accounts.models import User

# A provider's own values: what provider_save audits, the staff page's form edits and the back
# office shows.
PROVIDER_FIELDS = (
    "number",
    "name",
    "kind",
    "credit_class",
    "agency",
    "state",
    "approved_from",
    "approved_until",
)


# The class of credit a provider's courses earn unless POST decides otherwise (15.030-15.060;
# seed 001: out-of-state and college credit count as Approved Provider credit, military as
# Licensed Provider credit).
DEFAULT_CREDIT_CLASS: dict[str, str] = {
    Provider.Kind.LICENSED: ProviderCredit.APPROVED,
    Provider.Kind.IN_SERVICE: ProviderCredit.LICENSED,
    Provider.Kind.OUT_OF_STATE: ProviderCredit.APPROVED,
    Provider.Kind.COLLEGE: ProviderCredit.APPROVED,
    Provider.Kind.MILITARY: ProviderCredit.LICENSED,
}


def hours_text(hours: Decimal | float) -> str:
    """Hours as people write them: ``4``, ``2.5``."""
    return str(plain(Decimal(str(hours))))


# The audit actions of adding and of changing each kind of row audit_save writes.
SAVE_ACTIONS: dict[str, tuple[AuditAction, AuditAction]] = {
    "provider": (AuditAction.PROVIDER_CREATE, AuditAction.PROVIDER_UPDATE),
    "course": (AuditAction.COURSE_CREATE, AuditAction.COURSE_UPDATE),
    "offering": (AuditAction.OFFERING_CREATE, AuditAction.OFFERING_UPDATE),
    "recognized_course": (AuditAction.RECOGNIZED_COURSE_CREATE, AuditAction.RECOGNIZED_COURSE_UPDATE),
}


def audit_save(
    *,
    target: Any,
    kind: str,
    created: bool,
    before: dict[str, Any],
    after: dict[str, Any],
    acting_user: User | None,
) -> None:
    """Write the audit row of a ``*_save``: the values of a row added, or what changed (none
    when nothing did)."""
    added, updated = SAVE_ACTIONS[kind]
    if created:
        record_event(
            actor=acting_user,
            action=added,
            target=target,
            summary=f"added {kind} {target}",
            data={"values": after},
        )
        return
    changed = changes(before, after)
    if changed:
        record_event(
            actor=acting_user,
            action=updated,
            target=target,
            summary=f"changed {', '.join(changed)} of {kind} {target}",
            data={"changes": changed},
        )


# Providers ------------------------------------------------------------------------------


def provider_validate(provider: Provider) -> None:
    """Refuse a provider the program cannot use; the ServiceError names the field.

    The model's own checks (a taken number, field formats) are ``refuse_invalid``'s."""
    if provider.kind == Provider.Kind.IN_SERVICE and provider.agency_id is None:
        raise ServiceError("an agency in-service provider belongs to an agency: choose it", field="agency")
    if provider.kind == Provider.Kind.OUT_OF_STATE:
        if len(provider.state) != 2 or not provider.state.isalpha():
            raise ServiceError(
                "a recognized out-of-state source needs its state's two-letter code", field="state"
            )
        if provider.state == "MO":
            raise ServiceError("a Missouri provider is not an out-of-state source", field="state")
    if (
        provider.approved_from is not None
        and provider.approved_until is not None
        and provider.approved_until < provider.approved_from
    ):
        raise ServiceError(
            ends_before("approval", provider.approved_from, provider.approved_until),
            field="approved_until",
        )


@transaction.atomic
def provider_save(*, provider: Provider, acting_user: User | None) -> Provider:
    """Add or change a provider; its credit class defaults from its kind."""
    created = provider.pk is None
    before = (
        {} if created else snapshot(Provider.objects.select_for_update().get(pk=provider.pk), PROVIDER_FIELDS)
    )
    provider.number = provider.number.strip().upper()
    provider.name = provider.name.strip()
    provider.state = provider.state.strip().upper()
    if not provider.credit_class:
        provider.credit_class = DEFAULT_CREDIT_CLASS.get(provider.kind, ProviderCredit.LICENSED)
    provider_validate(provider)
    refuse_invalid(provider)
    after = snapshot(provider, PROVIDER_FIELDS)
    if created:
        provider.save()
    elif changes(before, after):
        provider.save(update_fields=[*changes(before, after), "updated_at"])
    audit_save(
        target=provider, kind="provider", created=created, before=before, after=after, acting_user=acting_user
    )
    return provider
