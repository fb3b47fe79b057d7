"""A password validator for words of this site: NIST SP 800-63B asks that a password not be
built from context-specific words (the service's name, the username)."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError

# Words of this service an attacker tries first; lower case.
SERVICE_WORDS = ("clee", "missouri", "post", "peace officer", "password")
# What must remain once those words, the username and anything not a letter or digit are taken out.
MINIMUM_REST = 8


class ContextWordsValidator:
    """Refuses a password that is mostly this site's name, the program's name or the username
    ("Missouri-POST-2024", "alice.clee.alice"); a passphrase that merely contains such a word
    ("compost heap behind the shed") is accepted."""

    def __init__(self, minimum_rest: int = MINIMUM_REST) -> None:
        self.minimum_rest = minimum_rest

    def context_words(self, user: Any) -> list[str]:
        words = list(SERVICE_WORDS)
        if user is not None:
            username = (getattr(user, "username", "") or "").lower()
            email = (getattr(user, "email", "") or "").lower().split("@")[0]
            words += [w for w in (username, email) if len(w) >= 3]
        return sorted(words, key=len, reverse=True)

    def validate(self, password: str, user: Any = None) -> None:
        rest = password.lower()
        for word in self.context_words(user):
            rest = rest.replace(word, "")
            rest = rest.replace(word.replace(" ", ""), "")
        rest = re.sub(r"[\W_]+", "", rest)
        if len(rest) < self.minimum_rest:
            raise ValidationError(
                "This password is mostly your username or the name of this site (CLEE, Missouri "
                "POST). Choose words of your own.",
                code="password_context_words",
            )

    def get_help_text(self) -> str:
        return "Your password cannot be made mostly of your username or the name of this site."
