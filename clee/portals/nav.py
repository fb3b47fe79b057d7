"""The primary navigation of each role: what the header shows once signed in."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from clee.accounts.models import User

# (label, URL name) per role, in the order the header shows them.
NAVIGATION: dict[str, list[tuple[str, str]]] = {
    User.Role.OFFICER: [
        ("Dashboard", "officer:index"),
    ],
    User.Role.AGENCY_ADMIN: [
        ("Officers", "agency:index"),
    ],
    User.Role.PROVIDER: [
        ("Courses", "provider:index"),
    ],
    User.Role.POST_STAFF: [
        ("Overview", "staff:index"),
    ],
    User.Role.DIRECTOR: [
        ("Decisions", "director:index"),
    ],
}


def portal_nav(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {"portal_nav": []}
    items = []
    for label, name in NAVIGATION.get(user.role, []):
        try:
            url = reverse(name)
        except NoReverseMatch:  # a page not built yet is left out, never a broken link
            continue
        # A section is current on its own pages; the role's index (the prefix of every page of
        # the portal) only on itself.
        section = not name.endswith(":index") and request.path.startswith(url)
        items.append({"label": label, "url": url, "current": request.path == url or section})
    return {"portal_nav": items}
