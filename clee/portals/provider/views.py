"""The training provider's pages."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clee.accounts.models import User
from clee.portals.access import acting_user, role_required
from clee.portals.selectors import Figure, current_period
from clee.providers.models import Course, Offering
from clee.training.models import TrainingRecord


@role_required(User.Role.PROVIDER)
def index(request: HttpRequest) -> HttpResponse:
    user = acting_user(request)
    period = current_period()
    provider = user.provider
    context: dict[str, Any] = {"period": period, "provider": provider}
    if provider is not None:
        courses = provider.courses.aggregate(
            approved=Count("id", filter=Q(status=Course.Status.APPROVED)),
            pending=Count("id", filter=Q(status=Course.Status.PENDING)),
        )
        figures = [
            Figure("Approved courses", courses["approved"]),
            Figure("Courses awaiting POST review", courses["pending"]),
        ]
        if period is not None:
            offerings = Offering.objects.filter(
                course__provider=provider, ends_on__gte=period.starts, starts_on__lte=period.ends
            )
            completions = TrainingRecord.objects.filter(
                course__provider=provider, completed_on__gte=period.starts, completed_on__lte=period.ends
            )
            figures += [
                Figure(f"Offerings in {period.year}", offerings.count()),
                Figure(f"Completions reported for {period.year}", completions.count()),
            ]
        context["figures"] = figures
    return render(request, "portals/provider/index.html", context)
