"""The Director's pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clee.accounts.models import User
from clee.portals.access import role_required
from clee.portals.selectors import current_period
from clee.portals.statewide import statewide_context


@role_required(User.Role.DIRECTOR)
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "portals/director/index.html", statewide_context(current_period()))
