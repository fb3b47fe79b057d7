"""An uploaded roster kept between its preview and the administrator's confirmation.

The file goes to the private document storage (shared by every web process, like uploaded
documents) under the uploader's own folder, named by its SHA-256; the session remembers which
file it is. On confirmation the file is read back and its hash checked, so what is applied is
byte for byte what was previewed, and only by the account that uploaded it. A user keeps at
most one draft: a new upload replaces the previous one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.contrib.sessions.backends.base import SessionBase
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from clee.accounts.models import User

FOLDER = "roster-drafts"
SESSION_KEY = "agency_roster_draft"


@dataclass(frozen=True)
class Draft:
    sha256: str
    file_name: str
    scope: str
    path: str


def _folder(user: User) -> str:
    return f"{FOLDER}/{user.pk}"


def draft_save(session: SessionBase, user: User, *, content: bytes, file_name: str, scope: str) -> Draft:
    """Keep ``content`` as ``user``'s draft (replacing any earlier one) and return it."""
    digest = hashlib.sha256(content).hexdigest()
    path = f"{_folder(user)}/{digest}"
    _drop_files(user, keep=path)
    if not default_storage.exists(path):
        path = default_storage.save(path, ContentFile(content))
    draft = Draft(sha256=digest, file_name=file_name[:255], scope=scope, path=path)
    session[SESSION_KEY] = {
        "sha256": draft.sha256,
        "file_name": draft.file_name,
        "scope": draft.scope,
        "path": draft.path,
    }
    return draft


def draft_load(session: SessionBase, user: User) -> tuple[Draft, bytes] | None:
    """``user``'s draft and its content, or None when there is none (or it is not intact)."""
    stored = session.get(SESSION_KEY)
    if not isinstance(stored, dict):
        return None
    draft = Draft(
        sha256=str(stored.get("sha256", "")),
        file_name=str(stored.get("file_name", "")),
        scope=str(stored.get("scope", "")),
        path=str(stored.get("path", "")),
    )
    if not draft.path.startswith(_folder(user) + "/") or not default_storage.exists(draft.path):
        return None
    with default_storage.open(draft.path, "rb") as handle:
        content = handle.read()
    if hashlib.sha256(content).hexdigest() != draft.sha256:
        return None
    return draft, content


def draft_drop(session: SessionBase, user: User) -> None:
    """Forget ``user``'s draft and delete its file."""
    session.pop(SESSION_KEY, None)
    _drop_files(user)


def _drop_files(user: User, keep: str = "") -> None:
    folder = _folder(user)
    if not default_storage.exists(folder):
        return
    _, files = default_storage.listdir(folder)
    for name in files:
        path = f"{folder}/{name}"
        if path != keep:
            default_storage.delete(path)
