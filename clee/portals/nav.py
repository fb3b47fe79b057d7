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
        ("Transcript", "officer:transcript"),
        ("Credit requests", "officer:requests"),
        ("Find courses", "officer:courses"),
    ],
    User.Role.AGENCY_ADMIN: [
        ("Officers", "agency:index"),
        ("Report training", "agency:training"),
        ("In-service courses", "agency:courses"),
        ("Overview", "agency:overview"),
    ],
    User.Role.PROVIDER: [
        ("Courses", "provider:index"),
        ("Offerings", "provider:offerings"),
        ("Rosters", "provider:rosters"),
    ],
    User.Role.POST_STAFF: [
        ("Home", "staff:index"),
        ("Course reviews", "staff:courses"),
        ("Credit requests", "staff:requests"),
        ("Extensions", "staff:extensions"),
        ("Providers", "staff:providers"),
        ("Catalog", "staff:catalog"),
        ("Statewide", "oversight:statewide"),
        ("Rule packs", "oversight:packs"),
    ],
    User.Role.DIRECTOR: [
        ("Decisions", "director:index"),
        ("Reactivations", "director:reactivations"),
        ("Statewide", "oversight:statewide"),
        ("Rule packs", "oversight:packs"),
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
