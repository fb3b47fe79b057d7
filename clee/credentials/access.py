"""Who may open an issued credential in the portal: the officer it names (the same 404 for
one that does not exist and one that is someone else's)."""

from __future__ import annotations

import uuid
from typing import Any

from django.http import Http404

from clee.credentials.models import IssuedCredential

NOT_FOUND = "No such page."


def access_own_credential(user: Any, credential_id: uuid.UUID) -> IssuedCredential:
    officer_id = getattr(user, "officer_id", None)
    if getattr(user, "role", None) != "officer" or officer_id is None:
        raise Http404(NOT_FOUND)
    found = (
        IssuedCredential.objects.select_related("officer", "record__course", "period", "status_list")
        .filter(credential_id=credential_id, officer_id=officer_id)
        .first()
    )
    if found is None:
        raise Http404(NOT_FOUND)
    return found
