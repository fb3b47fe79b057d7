"""What CLEE publishes for anyone verifying its credentials, without signing in: the DID
document (its keys), the status lists, and the achievements and providers its credentials
name. Plain JSON, open to other sites' scripts (CORS), cacheable for a minute."""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from clee.compliance.calendar import period_of_year
from clee.core.errors import ServiceError
from clee.credentials.badges import CONTEXT, period_achievement, provider_profile
from clee.credentials.identity import did_document
from clee.credentials.models import StatusList
from clee.credentials.services import STATUS_LIST_MAX_AGE, status_list_published
from clee.providers.models import Course, Provider

NOT_FOUND = "No such document."


def _public(body: str, content_type: str, *, max_age: int) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"public, max-age={max_age}"
    return response


def _json(document: dict[str, Any], *, max_age: int = 300) -> HttpResponse:
    return _public(json.dumps(document, indent=2) + "\n", "application/json", max_age=max_age)


@require_GET
def did_json(request: HttpRequest) -> HttpResponse:
    """The program's DID document (did:web): the keys its credentials are signed with."""
    return _public(
        json.dumps(did_document(), indent=2) + "\n", "application/did+json", max_age=STATUS_LIST_MAX_AGE
    )


@require_GET
def status_list(request: HttpRequest, list_id: int) -> HttpResponse:
    """A signed ``BitstringStatusListCredential``: revocations show within a minute."""
    found = StatusList.objects.filter(pk=list_id).first()
    if found is None:
        raise Http404(NOT_FOUND)
    try:
        body = status_list_published(status_list=found)
    except ServiceError as error:
        return HttpResponse(error.message, status=503, content_type="text/plain")
    return _public(body, "application/vc", max_age=STATUS_LIST_MAX_AGE)


@require_GET
def course_achievement(request: HttpRequest, course_id: int) -> HttpResponse:
    """An approved course as the achievement its credentials name (public catalog data)."""
    course = (
        Course.objects.select_related("provider").filter(pk=course_id, status=Course.Status.APPROVED).first()
    )
    if course is None:
        raise Http404(NOT_FOUND)
    return _json(
        {
            "@context": CONTEXT,
            "id": request.build_absolute_uri(),
            "type": ["Achievement"],
            "achievementType": "Course",
            "name": course.title,
            "humanCode": course.number,
            "creditsAvailable": float(course.hours),
            "creator": provider_profile(course.provider.number, course.provider.name),
        }
    )


@require_GET
def period_requirement(request: HttpRequest, jurisdiction: str, year: int) -> HttpResponse:
    # Only the stored (capital) spelling names a period: the achievement's id repeats it.
    period = period_of_year(year, jurisdiction) if jurisdiction == jurisdiction.upper() else None
    if period is None:
        raise Http404(NOT_FOUND)
    achievement = period_achievement(period, f"{jurisdiction}-{year}-v{period.pack_version}")
    return _json({"@context": CONTEXT, **achievement})


@require_GET
def provider(request: HttpRequest, number: str) -> HttpResponse:
    found = Provider.objects.filter(number=number).first()
    if found is None:
        raise Http404(NOT_FOUND)
    return _json({"@context": CONTEXT, **provider_profile(found.number, found.name)})
