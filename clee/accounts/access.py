"""Who may see what, for every way in (the portals, the API's pages, single sign-on, security
and people pages): the acting user of a request, the roles a view admits, and the one 404
sentence for "missing" and "not yours" (a stranger learns nothing from the difference).
The apps' own ``access.py`` helpers return an object or raise that same 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from clee.accounts.models import User

NOT_FOUND = "No such page."

View = TypeVar("View", bound=Callable[..., HttpResponse])
M = TypeVar("M", bound=Model)


def role_required(*roles: str) -> Callable[[View], View]:
    """Only signed-in users of these roles reach the view; anyone else gets a 404 (or the
    sign-in page when not signed in)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not isinstance(user, User) or user.role not in roles or not user.is_active:
                raise Http404(NOT_FOUND)
            return view(request, *args, **kwargs)

        return login_required(wrapper)  # type: ignore[return-value]

    return decorate


def acting_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise Http404(NOT_FOUND)
    return user


def is_post(user: User) -> bool:
    """POST staff and the Director see every officer."""
    return user.role in (User.Role.POST_STAFF, User.Role.DIRECTOR)


def access_as_post_staff(user: User, queryset: QuerySet[M], key: int) -> M:
    """The row of ``queryset`` with this key, if ``user`` is active POST staff; otherwise 404.
    Staff review every provider's courses and every officer's requests, so the apps' staff
    helpers check the role and the key: a missing row and a wrong role give the same 404."""
    if user.role != User.Role.POST_STAFF or not user.is_active:
        raise Http404(NOT_FOUND)
    found = queryset.filter(pk=key).first()
    if found is None:
        raise Http404(NOT_FOUND)
    return found
