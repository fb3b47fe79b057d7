"""The audit trail: every service records who did what, in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from clee.core.actions import AuditAction
from clee.core.bulk import insert_rows
from clee.core.models import AuditEvent
from clee.core.where import current_where

__all__ = ["SYSTEM", "AuditAction", "events_for", "record_event", "record_events", "record_events_by_id"]

SYSTEM = "system"


def record_event(
    *,
    actor: Any,
    action: AuditAction,
    target: models.Model | None,
    summary: str,
    data: dict[str, Any] | None = None,
    actor_label: str = "",
    target_type: type[models.Model] | None = None,
) -> AuditEvent:
    """Write one audit row for ``target``; ``actor`` is a user or None for the system itself.

    ``target`` None with ``target_type``: an event about no row of it (a failed sign-in with a
    username nobody has). ``actor_label`` names an actor who is no account (the username tried).
    Written while a request is served, the row says where the request came from.
    """
    label = actor_label or (SYSTEM if actor is None else (actor.get_username() or f"user {actor.pk}"))
    kind = target if target is not None else target_type
    assert kind is not None, "an audit row is about a target or at least a kind of target"
    where = current_where()
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=label[:150],
        action=action,
        object_type=kind._meta.label_lower,
        object_id="" if target is None else str(target.pk),
        summary=summary[:300],
        data=data or {},
        ip=where.ip if where else None,
        user_agent=where.user_agent if where else "",
    )


def record_events(*, actor: Any, action: AuditAction, targets: list[models.Model], summary: str) -> None:
    """One audit row per target, written in bulk (imports, demo state, bulk services)."""
    by_type: dict[type[models.Model], list[Any]] = {}
    for target in targets:
        by_type.setdefault(type(target), []).append(target.pk)
    for model, ids in by_type.items():
        record_events_by_id(actor=actor, action=action, model=model, ids=ids, summary=summary)


def record_events_by_id(
    *, actor: Any, action: AuditAction, model: type[models.Model], ids: list[Any], summary: str
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
    where = current_where()
    ip, user_agent = (where.ip, where.user_agent) if where else (None, "")
    insert_rows(
        AuditEvent,
        (
            "actor_id",
            "actor_label",
            "action",
            "object_type",
            "object_id",
            "summary",
            "data",
            "created_at",
            "ip",
            "user_agent",
        ),
        [(actor_id, label, action.value, object_type, str(pk), text, {}, now, ip, user_agent) for pk in ids],
    )


def events_for(target: models.Model) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(object_type=target._meta.label_lower, object_id=str(target.pk))
