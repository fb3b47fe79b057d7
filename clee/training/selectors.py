"""Reads of training rows that need no account."""

from __future__ import annotations

from clee.training.models import Certificate
from clee.training.services import certificate_code_normalize


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate with this verification code as typed (any case, dashes or spaces), or
    None. Public: anyone holding a code may check it, which is what the code is for."""
    normalized = certificate_code_normalize(code)
    if not normalized:
        return None
    return Certificate.objects.filter(code=normalized).select_related("officer", "period").first()
