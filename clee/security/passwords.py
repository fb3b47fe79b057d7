"""Password validators beyond Django's: NIST SP 800-63B asks that a password not be one that is
commonly used, expected or compromised, nor built from context-specific words (the service's
name, the username, the person's own name).

- ``ContextWordsValidator``: not mostly the site's words or the person's own (username, email,
  name, date of birth, license number); never containing the license number, which anyone
  with the agency's roster knows.
- ``BreachedPasswordValidator``: not guessable from the lists of breached and common passwords,
  words and names shipped in the ``zxcvbn`` package (no network at run time), nor from the
  patterns people use to lengthen them (sequences, keyboard rows, repeats, dates, l33t):
  ``123456789012345``, ``password1234567890`` and ``qwertyuiopasdfgh`` are all refused, however
  long."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, ValidationError

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
            words += [w for w in personal_words(user) if len(w) >= 3]
        return sorted(set(words), key=len, reverse=True)

    def validate(self, password: str, user: Any = None) -> None:
        number = license_number_of(user)
        if number and _letters_and_digits(number) in _letters_and_digits(password):
            raise ValidationError(
                "This password contains your license number, which is on your agency's roster. "
                "Choose words of your own.",
                code="password_license_number",
            )
        rest = password.lower()
        for word in self.context_words(user):
            rest = rest.replace(word, "")
            rest = rest.replace(word.replace(" ", ""), "")
        rest = re.sub(r"[\W_]+", "", rest)
        if len(rest) < self.minimum_rest:
            raise ValidationError(
                "This password is mostly your username or the name of this site (CLEE, Missouri POST), "
                "or your own name or date of birth. Choose words of your own.",
                code="password_context_words",
            )

    def get_help_text(self) -> str:
        return (
            "Your password cannot be made mostly of your username, your name or the name of this site, "
            "nor contain your license number."
        )


def _letters_and_digits(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def _officer(user: Any) -> Any:
    try:
        return getattr(user, "officer", None)
    except ObjectDoesNotExist:
        return None


def license_number_of(user: Any) -> str:
    officer = _officer(user) if user is not None else None
    return str(getattr(officer, "license_number", "") or "")


def personal_words(user: Any) -> list[str]:
    """What a person's password must not be made of: their username, email's name, names, date
    of birth (as people write it) and license number, lower case."""
    words = [
        getattr(user, "username", "") or "",
        (getattr(user, "email", "") or "").split("@")[0],
        getattr(user, "first_name", "") or "",
        getattr(user, "last_name", "") or "",
    ]
    officer = _officer(user)
    if officer is not None:
        words += [officer.first_name, officer.last_name, officer.license_number, officer.email.split("@")[0]]
        born = officer.date_of_birth
        if born:
            words += [born.strftime(f) for f in ("%Y%m%d", "%m%d%Y", "%Y-%m-%d", "%m/%d/%Y", "%Y")]
    return [w.strip().lower() for w in words if w and w.strip()]


# zxcvbn's estimate of the guesses needed, as a power of ten, below which a password is refused:
# 10^10 is its "strong protection from an offline slow-hash attack" (its score 4).
MINIMUM_GUESSES_LOG10 = 10
# zxcvbn's work grows quickly with length; the first characters decide whether a password is
# guessable (more characters only add to it).
ANALYSED_LENGTH = 72


class BreachedPasswordValidator:
    """Refuses a password found in, or easily made from, the breached and common passwords,
    words and names of the ``zxcvbn`` package, with the person's own details counted as known."""

    def __init__(self, minimum_guesses_log10: float = MINIMUM_GUESSES_LOG10) -> None:
        self.minimum_guesses_log10 = minimum_guesses_log10

    def validate(self, password: str, user: Any = None) -> None:
        from zxcvbn import zxcvbn

        known = personal_words(user) if user is not None else []
        estimate = zxcvbn(password[:ANALYSED_LENGTH], user_inputs=[*known, *SERVICE_WORDS])
        if estimate["guesses_log10"] >= self.minimum_guesses_log10:
            return
        warning = estimate["feedback"].get("warning") or "It is made of common words or patterns."
        raise ValidationError(
            f"This password is easy to guess: it appears in lists of breached or common passwords, or "
            f"is built from one the way people usually do. {warning} A few unrelated words of your "
            "own make a strong password.",
            code="password_breached",
        )

    def get_help_text(self) -> str:
        return "Your password cannot be a commonly used or breached password, however long."
