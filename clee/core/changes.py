"""What a service changed, in the plain values an audit row keeps, and model validation as
a ServiceError."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models

from clee.core.errors import ServiceError


def plain(value: Any) -> Any:
    """A value as JSON keeps it: dates in ISO form, hours as exact text (``4.00`` as ``4``, so a
    value read back from the database compares equal to the one given)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        text = f"{value:f}"
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The plain values of ``fields`` (field names; a foreign key gives its id)."""
    values = {}
    for name in fields:
        field = instance._meta.get_field(name)
        values[name] = plain(getattr(instance, field.attname))  # type: ignore[union-attr]
    return values


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for every field whose value differs."""
    return {name: [before.get(name), value] for name, value in after.items() if before.get(name) != value}


def refuse_invalid(instance: models.Model, *, exclude: Iterable[str] = ()) -> None:
    """Run the model's own validation (validators, uniqueness, constraints) or raise a
    ServiceError naming each field at fault."""
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as error:
        raise service_error(instance, error) from error


def service_error(instance: models.Model, error: ValidationError) -> ServiceError:
    parts, first_field = [], None
    for name, messages in error.message_dict.items():
        if name == NON_FIELD_ERRORS:
            parts.extend(messages)
            continue
        first_field = first_field or name
        label = str(getattr(instance._meta.get_field(name), "verbose_name", name))
        parts.extend(f"{label}: {message}" for message in messages)
    return ServiceError("; ".join(parts), field=first_field)
