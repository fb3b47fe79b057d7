"""The officer's notification log: every notice about their license, newest first."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from clee.accounts.access import acting_user, role_required
from clee.accounts.models import User
from clee.core.paging import paginate
from clee.notices.models import Notice
from clee.officers.access import linked_officer


@role_required(User.Role.OFFICER)
@require_GET
def notices(request: HttpRequest) -> HttpResponse:
    officer = linked_officer(acting_user(request))
    if officer is None:
        return render(request, "portals/officer/not_linked.html", {"page_title": "Your notices"})
    log = Notice.objects.filter(officer=officer).select_related("period").order_by("-created_at", "-id")
    return render(request, "portals/officer/notices.html", {"officer": officer, **paginate(request, log)})
