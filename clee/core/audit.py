"""The audit trail: every service records who did what, in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from clee.core.bulk import insert_rows
from clee.core.models import AuditEvent

SYSTEM = "system"


def record_event(
    *,
    actor: Any,
    action: str,
    target: models.Model,
    summary: str,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit row for ``target``; ``actor`` is a user or None for the system itself."""
    label = SYSTEM if actor is None else (actor.get_username() or f"user {actor.pk}")
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=label,
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        summary=summary[:300],
        data=data or {},
    )


def record_events(*, actor: Any, action: str, targets: list[models.Model], summary: str) -> None:
    """One audit row per target, written in bulk (imports, demo state, bulk services)."""
    if not targets:
        return
    label = SYSTEM if actor is None else (actor.get_username() or f"user {actor.pk}")
    object_type = targets[0]._meta.label_lower
    now = timezone.now()
    actor_id = None if actor is None else actor.pk
    insert_rows(
        AuditEvent,
        ("actor_id", "actor_label", "action", "object_type", "object_id", "summary", "data", "created_at"),
        [
            (
                actor_id,
                label,
                action,
                object_type if target._meta.label_lower == object_type else target._meta.label_lower,
                str(target.pk),
                summary[:300],
                {},
                now,
            )
            for target in targets
        ],
    )


def events_for(target: models.Model) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=target._meta.label_lower, object_id=str(target.pk))
