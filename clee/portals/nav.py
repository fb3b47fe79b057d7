"""The primary navigation of each role: what the header shows once signed in."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from clee.accounts.models import User

# (label, URL name) per role, in the order the header shows them.
NAVIGATION: dict[str, list[tuple[str, str]]] = {
    User.Role.OFFICER: [
        ("Dashboard", "officer:index"),
        ("Transcript", "officer:transcript"),
        ("Credentials", "officer:credentials"),
        ("Credit requests", "officer:requests"),
        ("Find courses", "officer:courses"),
        ("Notices", "officer:notices"),
    ],
    User.Role.AGENCY_ADMIN: [
        ("Officers", "agency:index"),
        ("Report training", "agency:training"),
        ("In-service courses", "agency:courses"),
        ("Overview", "agency:overview"),
        ("Invitations", "sso:invitations"),
        ("People", "people:index"),
        ("API tokens", "api:tokens"),
    ],
    User.Role.PROVIDER: [
        ("Courses", "provider:index"),
        ("Offerings", "provider:offerings"),
        ("Rosters", "provider:rosters"),
        ("People", "people:index"),
        ("API tokens", "api:tokens"),
    ],
    User.Role.POST_STAFF: [
        ("Home", "staff:index"),
        ("Course reviews", "staff:courses"),
        ("Credit requests", "staff:requests"),
        ("Extensions", "staff:extensions"),
        ("Make-up training", "staff:makeup"),
        ("Officers", "staff:officers"),
        ("Agency training", "staff:held"),
        ("Providers", "staff:providers"),
        ("Catalog", "staff:catalog"),
        ("Commissions", "staff:commissions"),
        ("Invitations", "sso:invitations"),
        ("People", "people:index"),
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


@cache
def _links(role: str) -> tuple[tuple[str, str, bool], ...]:
    """``(label, url, is_index)`` of the role's pages. Reversed once per process: the URLconf
    does not change while it runs, and this runs on every page."""
    links = []
    for label, name in NAVIGATION.get(role, []):
        try:
            url = reverse(name)
        except NoReverseMatch:  # a page not built yet is left out, never a broken link
            continue
        links.append((label, url, name.endswith(":index")))
    return tuple(links)


def portal_nav(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {"portal_nav": []}
    path = request.path
    # A section is current on its own pages; the role's index (the prefix of every page of the
    # portal) only on itself.
    return {
        "portal_nav": [
            {"label": label, "url": url, "current": path == url or (not is_index and path.startswith(url))}
            for label, url, is_index in _links(user.role)
        ]
    }
