"""Errors a service raises for input it refuses; views and commands show ``message``."""

from __future__ import annotations


class ServiceError(Exception):
    """A refused write; nothing was changed. ``field`` names the input at fault, if one."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
