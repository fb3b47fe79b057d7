"""Signing in and the home page every role lands on.

The home page shows an officer their stored compliance result for the current period, and
the other roles a short, true summary of what their portal will hold (the portals come later).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clee.accounts.models import User
from clee.compliance.models import ComplianceResult, Extension, ReportingPeriod
from clee.demo.accounts import demo_accounts_listed
from clee.officers.models import Commission, Officer
from clee.providers.models import Course, Offering
from clee.training.models import CreditRequest, TrainingRecord

# A deficient officer this close to the requirement is shown apart: a nudge, not a case.
NEARLY_HOURS = Decimal(4)

# What each role's portal will offer (DESIGN.md §1); the portals are a later release.
PORTAL_PLANS = {
    User.Role.OFFICER: [
        "Your full transcript, period by period.",
        "Credit requests for out-of-state, college and military training and courses you taught, "
        "with their documents.",
        "A transcript and a compliance certificate to download.",
    ],
    User.Role.AGENCY_ADMIN: [
        "Which officers your agency commissions, and starting or ending a commission.",
        "Your officers' records and compliance, with lists to export.",
        "Reporting in-service training rosters.",
    ],
    User.Role.PROVIDER: [
        "Submitting courses for approval with their synopsis, objectives and instructor records.",
        "Reporting completion rosters by upload or through the API.",
    ],
    User.Role.POST_STAFF: [
        "Reviewing course submissions and officers' credit requests.",
        "Granting extensions and waivers; managing providers, rule packs and reporting periods.",
        "Running the non-compliance process after the grace deadline.",
    ],
    User.Role.DIRECTOR: [
        "Deciding on license inactivation after the grace deadline.",
        "Deciding on the eligibility of military training.",
    ],
}


class LoginView(auth_views.LoginView):
    """Django's sign-in; in demo mode the page also lists the demo accounts."""

    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["demo_accounts"] = demo_accounts_listed() if settings.DEMO_MODE else []
        return context


@dataclass(frozen=True)
class StatusCount:
    label: str
    count: int
    note: str = ""
    part_of_previous: bool = False

    @property
    def shown(self) -> str:
        return f"{self.count:,}"


@dataclass(frozen=True)
class Figure:
    label: str
    count: int

    @property
    def shown(self) -> str:
        return f"{self.count:,}"


def current_period() -> ReportingPeriod | None:
    """The period marked current, else the latest one."""
    return (
        ReportingPeriod.objects.filter(jurisdiction=settings.CLEE_JURISDICTION)
        .order_by("-is_current", "-year")
        .first()
    )


def _status_counts(results: QuerySet[ComplianceResult]) -> list[StatusCount]:
    totals = results.aggregate(
        compliant=Count("id", filter=Q(status=ComplianceResult.Status.COMPLIANT)),
        deficient=Count("id", filter=Q(status=ComplianceResult.Status.DEFICIENT)),
        nearly=Count(
            "id",
            filter=Q(status=ComplianceResult.Status.DEFICIENT, additional_hours_needed__lte=NEARLY_HOURS),
        ),
        extended=Count(
            "id", filter=Q(status=ComplianceResult.Status.DEFICIENT, extended_until__isnull=False)
        ),
        exempt=Count("id", filter=Q(status=ComplianceResult.Status.EXEMPT)),
    )
    return [
        StatusCount("Compliant", totals["compliant"]),
        StatusCount("Deficient", totals["deficient"], "not yet meeting the requirement"),
        StatusCount("of them 4 hours or fewer short", totals["nearly"], part_of_previous=True),
        StatusCount("of them with an extension granted", totals["extended"], part_of_previous=True),
        StatusCount("Exempt", totals["exempt"], "licensed, upgraded or exempted this period"),
    ]


def _officer_context(user: User, period: ReportingPeriod | None) -> dict[str, Any]:
    officer = user.officer
    if officer is None:
        return {"officer": None}
    result = None
    if period is not None:
        result = ComplianceResult.objects.filter(officer=officer, period=period).first()
    required = counted_of = None
    if result is not None:
        total = next((r for r in result.requirements if r["key"] == "total"), None)
        if total is not None:
            required, counted_of = total["required"], total["counted"]
    return {
        "officer": officer,
        "commissions": Commission.objects.filter(officer=officer, end__isnull=True).select_related("agency"),
        "result": result,
        "hours_required": required,
        "hours_counted": counted_of,
    }


def _agency_context(user: User, period: ReportingPeriod | None) -> dict[str, Any]:
    agency = user.agency
    if agency is None:
        return {"agency": None}
    officer_ids = Commission.objects.filter(agency=agency, end__isnull=True).values("officer_id")
    results = ComplianceResult.objects.filter(period=period, officer_id__in=officer_ids)
    return {
        "agency": agency,
        "commissioned": Commission.objects.filter(agency=agency, end__isnull=True).count(),
        "status_counts": _status_counts(results) if period else [],
    }


def _provider_context(user: User, period: ReportingPeriod | None) -> dict[str, Any]:
    provider = user.provider
    if provider is None:
        return {"provider": None}
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
    return {"provider": provider, "figures": figures}


def _statewide_context(period: ReportingPeriod | None) -> dict[str, Any]:
    figures = [
        Figure("Licensed officers on file", Officer.objects.count()),
        Figure(
            "Credit requests awaiting review",
            CreditRequest.objects.filter(status=CreditRequest.Status.SUBMITTED).count(),
        ),
        Figure(
            "Course submissions awaiting review", Course.objects.filter(status=Course.Status.PENDING).count()
        ),
    ]
    context: dict[str, Any] = {"figures": figures}
    if period is not None:
        figures.append(
            Figure(
                "Extension requests awaiting a decision",
                Extension.objects.filter(period=period, status=Extension.Status.REQUESTED).count(),
            )
        )
        context["status_counts"] = _status_counts(ComplianceResult.objects.filter(period=period))
    return context


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    period = current_period()
    context: dict[str, Any] = {
        "period": period,
        "role_label": user.get_role_display(),
        "portal_plans": PORTAL_PLANS.get(User.Role(user.role), []),
    }
    if user.role == User.Role.OFFICER:
        context.update(_officer_context(user, period))
    elif user.role == User.Role.AGENCY_ADMIN:
        context.update(_agency_context(user, period))
    elif user.role == User.Role.PROVIDER:
        context.update(_provider_context(user, period))
    else:
        context.update(_statewide_context(period))
    return render(request, "home.html", context)
