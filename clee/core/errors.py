"""Errors a service raises for input it refuses; views and commands show ``sentence``."""

from __future__ import annotations


def sentence(text: str) -> str:
    """A message as a sentence: capital first (unless the first word is a name such as
    ``roster.csv``), full stop last."""
    text = text.strip()
    first = text.split(" ", 1)[0].rstrip(":,")
    if first.replace("'", "").replace("-", "").isalpha():
        text = text[:1].upper() + text[1:]
    return text + ("" if text.endswith((".", "?", "!")) else ".")


class ServiceError(Exception):
    """A refused write; nothing was changed. ``field`` names the input at fault, if one.

    ``message`` is written to follow a colon ("Not added: the officer is not on the list");
    ``sentence`` is the same words to show on their own."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    @property
    def sentence(self) -> str:
        """The message as a sentence: capital first, full stop last."""
        return sentence(self.message)
