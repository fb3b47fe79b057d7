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
    by_type: dict[type[models.Model], list[Any]] = {}
    for target in targets:
        by_type.setdefault(type(target), []).append(target.pk)
    for model, ids in by_type.items():
        record_events_by_id(actor=actor, action=action, model=model, ids=ids, summary=summary)


def record_events_by_id(
    *, actor: Any, action: str, model: type[models.Model], ids: list[Any], summary: str
) -> None:
    """One audit row per row of ``model`` whose key is in ``ids``, when the caller wrote plain
    rows and holds no instances (bulk record entry)."""
    if not ids:
        return
    label = SYSTEM if actor is None else (actor.get_username() or f"user {actor.pk}")
    object_type = model._meta.label_lower
    now = timezone.now()
    actor_id = None if actor is None else actor.pk
    text = summary[:300]
    insert_rows(
        AuditEvent,
        ("actor_id", "actor_label", "action", "object_type", "object_id", "summary", "data", "created_at"),
        [(actor_id, label, action, object_type, str(pk), text, {}, now) for pk in ids],
    )


def events_for(target: models.Model) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=target._meta.label_lower, object_id=str(target.pk))
