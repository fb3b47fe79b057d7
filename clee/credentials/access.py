"""Who may open an issued credential in the portal: the officer it names (the same 404 for
one that does not exist and one that is someone else's)."""

from __future__ import annotations

import uuid

from django.http import Http404

from clee.accounts.access import NOT_FOUND
from clee.accounts.models import User
from clee.credentials.models import IssuedCredential


def access_own_credential(user: User, credential_id: uuid.UUID) -> IssuedCredential:
    """A credential issued to the officer the account is linked to."""
    officer_id = user.officer_id
    if user.role != User.Role.OFFICER or officer_id is None:
        raise Http404(NOT_FOUND)
    found = (
        IssuedCredential.objects.select_related("officer", "record__course", "period", "status_list")
        .filter(credential_id=credential_id, officer_id=officer_id)
        .first()
    )
    if found is None:
        raise Http404(NOT_FOUND)
    return found
