"""The statewide summary POST staff and the Director open on."""

from __future__ import annotations

from typing import Any

from clee.compliance.models import ComplianceResult, Extension, ReportingPeriod
from clee.officers.models import Officer
from clee.portals.selectors import Figure, status_counts
from clee.providers.models import Course
from clee.training.models import CreditRequest


def statewide_context(period: ReportingPeriod | None) -> dict[str, Any]:
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
    context: dict[str, Any] = {"figures": figures, "period": period}
    if period is not None:
        figures.append(
            Figure(
                "Extension requests awaiting a decision",
                Extension.objects.filter(period=period, status=Extension.Status.REQUESTED).count(),
            )
        )
        context["status_counts"] = status_counts(ComplianceResult.objects.filter(period=period))
    return context
