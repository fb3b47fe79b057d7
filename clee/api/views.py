"""The endpoints of /api/v1/: parse the request, call a selector or a service, answer JSON.

Authorization: every object is looked up within the caller's provider or agency; anything
else is the same 404 as a missing object. An endpoint for another kind of caller is a 403.
"""

from __future__ import annotations

import re
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from clee.api import selectors
from clee.api.access import access_submission, submissions
from clee.api.auth import (
    AgencyToken,
    OfficerSessionAuthentication,
    ProviderOrAgencyToken,
    ProviderToken,
    SignedInOfficer,
    caller,
    caller_token,
)
from clee.api.pagination import MAX_PAGE_SIZE, Paging
from clee.api.rosters import CSV_TYPE, XLSX_TYPE, CsvParser, XlsxParser, roster_body
from clee.api.serializers import (
    AgencyOfficerDetailSerializer,
    AgencyOfficerSerializer,
    CourseSerializer,
    CourseSubmitSerializer,
    ErrorSerializer,
    LicenseListSerializer,
    OfferingSerializer,
    OwnRecordSerializer,
    RosterPreviewSerializer,
    RosterRowsSerializer,
    SubmissionSerializer,
)
from clee.api.services import UnreadableRosterError, course_submit_by_token, roster_submit, submission_view
from clee.compliance.models import ComplianceResult
from clee.core.parsers import MAX_REQUEST_BYTES, JsonParser
from clee.imports.services import import_preview
from clee.providers.access import access_own_course
from clee.providers.models import Course
from clee.training.models import ImportBatch

MAX_LICENSES = 200
# License numbers are letters and digits, perhaps with hyphens (P1000001, B-20451), 20 at most.
LICENSE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]*$"
LICENSE_LENGTH = 20
# Longest query string answered: 200 license numbers fit (``number=`` 200 times, 20 characters
# each: 5,600). Longer is a 414 in the API's shape, here and behind gunicorn (whose request line
# limit docs/operations.md sets to 8,190).
MAX_QUERY_STRING = 8000
# An Idempotency-Key: 1 to 255 visible ASCII characters (a UUID fits).
KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The error responses an operation may give, all in the one shape."""
    words = {
        400: "The request is malformed or a value is invalid",
        401: "No token, or an unknown or revoked one",
        403: "This kind of caller may not use this endpoint",
        404: "No such object, or not the caller's",
        409: "Other writers changed the same records at the same moment: send it again",
        414: f"The query string is longer than {MAX_QUERY_STRING:,} characters",
        422: "Refused: the values are well-formed but cannot be accepted",
        429: "Too many requests: wait for the seconds in Retry-After",
    }
    return {code: OpenApiResponse(ErrorSerializer, description=words[code]) for code in codes}


def page_of(item: type[serializers.Serializer[Any]]) -> serializers.Serializer[Any]:
    """The documented shape of a page of ``item``s."""
    name = item.__name__.removesuffix("Serializer")
    return inline_serializer(
        name=f"Paginated{name}List",
        fields={
            "count": serializers.IntegerField(help_text="Items on every page together"),
            "next": serializers.URLField(allow_null=True, help_text="The next page, null on the last"),
            "previous": serializers.URLField(
                allow_null=True, help_text="The previous page, null on the first"
            ),
            "results": item(many=True),
        },
    )


# Every operation may meet a query string too long (414), an unknown or revoked token (401), an
# endpoint for another kind of caller (403) and the rate limit (429).
TOKEN_ERRORS = (401, 403, 414, 429)
PAGE_PARAMETERS = [
    OpenApiParameter(
        "page", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}, description="Page number, from 1"
    ),
    OpenApiParameter(
        "page_size",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        description=f"Items a page, at most {MAX_PAGE_SIZE} (100 if not given)",
    ),
]
YEARS = (1900, 2999)
PERIOD_PARAMETER = OpenApiParameter(
    "period",
    {"type": "integer", "minimum": YEARS[0], "maximum": YEARS[1]},
    description="The reporting period's year (the current period if not given)",
)


def single(request: Request, name: str) -> str | None:
    """The one value of query parameter ``name`` (None when absent); 400 when given twice."""
    values = request.query_params.getlist(name)
    if len(values) > 1:
        raise ValidationError({name: ["give it once"]})
    return values[0] if values else None


def int_param(request: Request, name: str, *, low: int = 1, high: int = 2**31 - 1) -> int | None:
    raw = single(request, name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: ["a whole number"]}) from None
    if not low <= value <= high:
        raise ValidationError({name: [f"between {low} and {high}"]})
    return value


def choice_param(request: Request, name: str, choices: list[str]) -> str:
    raw = single(request, name)
    if raw is None:
        return ""
    if raw not in choices:
        raise ValidationError({name: [f"one of {', '.join(choices)}"]})
    return raw


class UriTooLong(APIException):
    status_code = 414
    default_code = "uri_too_long"
    default_detail = f"the query string is longer than {MAX_QUERY_STRING:,} characters"


class ApiView(APIView):
    """An endpoint that refuses query parameters it does not take (a mistyped filter would
    otherwise be ignored in silence), once the caller is known."""

    query_names: tuple[str, ...] = ()

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if len(request.META.get("QUERY_STRING", "")) > MAX_QUERY_STRING:
            raise UriTooLong()
        super().initial(request, *args, **kwargs)
        unknown = sorted(set(request.query_params) - set(self.query_names))
        if unknown:
            takes = ", ".join(self.query_names) or "none"
            raise ValidationError(
                {name: [f"not a parameter of this endpoint (it takes: {takes})"] for name in unknown}
            )


def paged(view: ApiView, request: Request, items: Any, shape: Any) -> Response:
    """One page of ``items``, each shaped by ``shape``; page and page_size checked (400), a page
    past the last is a 404."""
    int_param(request, "page")
    int_param(request, "page_size", high=MAX_PAGE_SIZE)
    paginator = Paging()
    page = paginator.paginate_queryset(items, request, view=view) or []
    return paginator.get_paginated_response([shape(item) for item in page])


class LicenseLookup(ApiView):
    query_names = ("number",)
    permission_classes = [ProviderOrAgencyToken]

    @extend_schema(
        operation_id="licenses_lookup",
        summary="Look up license numbers",
        description=(
            "For checking a roster before sending it: whether each license number is on file and whether "
            "the license is active. The name on file (first initial and last name) only for an officer the "
            "calling agency commissions now, null otherwise: a license number does not tell a provider or "
            "another agency whose it is (send a roster's last_name column to have it checked). Up to "
            f"{MAX_LICENSES} numbers a request."
        ),
        parameters=[
            OpenApiParameter(
                "number",
                {
                    "type": "array",
                    "items": {"type": "string", "pattern": LICENSE_PATTERN, "maxLength": LICENSE_LENGTH},
                    "minItems": 1,
                    "maxItems": MAX_LICENSES,
                },
                required=True,
                explode=True,
                description="A license number; repeat for more",
            )
        ],
        responses={200: LicenseListSerializer, **errors(400, *TOKEN_ERRORS)},
        tags=["licenses"],
    )
    def get(self, request: Request) -> Response:
        numbers = request.query_params.getlist("number")
        if not numbers:
            raise ValidationError({"number": ["give one or more license numbers (?number=...)"]})
        if len(numbers) > MAX_LICENSES:
            raise ValidationError({"number": [f"at most {MAX_LICENSES} license numbers a request"]})
        if any(len(n) > LICENSE_LENGTH or not re.fullmatch(LICENSE_PATTERN, n) for n in numbers):
            raise ValidationError(
                {
                    "number": [
                        f"a license number is letters and digits (and hyphens), at most {LICENSE_LENGTH}"
                    ]
                }
            )
        return Response({"results": selectors.licenses(numbers, caller_token(request))})


class CourseList(ApiView):
    query_names = ("status", "page", "page_size")
    permission_classes = [ProviderToken]

    @extend_schema(
        operation_id="courses_list",
        summary="The provider's courses",
        parameters=[
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=Course.Status.values,
                description="Only courses of this status",
            ),
            *PAGE_PARAMETERS,
        ],
        responses={200: page_of(CourseSerializer), **errors(400, 404, *TOKEN_ERRORS)},
        tags=["courses"],
    )
    def get(self, request: Request) -> Response:
        wanted = choice_param(request, "status", Course.Status.values)
        courses = selectors.provider_courses(caller_token(request), wanted)
        return paged(self, request, courses, selectors.course_view)

    @extend_schema(
        operation_id="courses_submit",
        summary="Submit a course for POST's approval",
        description=(
            "The same checks as the provider portal's form: a synopsis, learning objectives, a split of the "
            "hours over core areas that accounts for every hour, the instructor record and a sample "
            "certificate (PDF, PNG or JPEG, base64), a course number the provider has not used."
        ),
        request=CourseSubmitSerializer,
        responses={201: CourseSerializer, **errors(400, 422, *TOKEN_ERRORS)},
        tags=["courses"],
    )
    def post(self, request: Request) -> Response:
        token = caller_token(request)
        form = CourseSubmitSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        portions, documents = form.specs()
        data = form.validated_data
        assert token.provider is not None
        candidate = Course(provider=token.provider)
        for name in ("number", "title", "hours", "delivery", "synopsis", "learning_objectives"):
            setattr(candidate, name, data[name])
        course = course_submit_by_token(token=token, course=candidate, portions=portions, documents=documents)
        return Response(
            selectors.course_view(access_own_course(caller(request), course.pk)),
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/v1/courses/{course.pk}/"},
        )


class CourseDetail(ApiView):
    query_names = ()
    permission_classes = [ProviderToken]

    @extend_schema(
        operation_id="courses_read",
        summary="One of the provider's courses",
        responses={200: CourseSerializer, **errors(404, *TOKEN_ERRORS)},
        tags=["courses"],
    )
    def get(self, request: Request, course_id: int) -> Response:
        return Response(selectors.course_view(access_own_course(caller(request), course_id)))


class OfferingList(ApiView):
    query_names = ("course", "page", "page_size")
    permission_classes = [ProviderToken]

    @extend_schema(
        operation_id="offerings_list",
        summary="The offerings of the provider's courses",
        parameters=[
            OpenApiParameter(
                "course", {"type": "integer", "minimum": 1}, description="Only this course's offerings"
            ),
            *PAGE_PARAMETERS,
        ],
        responses={200: page_of(OfferingSerializer), **errors(400, 404, *TOKEN_ERRORS)},
        tags=["courses"],
    )
    def get(self, request: Request) -> Response:
        course_id = int_param(request, "course")
        offerings = selectors.provider_offerings(caller_token(request), course_id)
        return paged(self, request, offerings, selectors.offering_view)


ROSTER_DESCRIPTION = (
    "Checks every row as the portal's roster upload does (every error named by row and column) and "
    "records the whole roster in one transaction, or nothing when any row is wrong (422 with the row "
    "errors). Send JSON rows, or the roster file itself as text/csv or as an XLSX body. The "
    "Idempotency-Key header is required: a request retried with the same key returns the first "
    "response (header Idempotent-Replayed: true) and records nothing again; the same key with another "
    "roster is refused (422). With ?dry_run=true the roster is only checked and nothing is kept under "
    "the key. A CSV or XLSX body that is no table at all (damaged, XML that does not parse, beyond the "
    "limits of docs/imports.md) is a 400 with code unreadable_file, and nothing is kept under the key."
)


class RosterList(ApiView):
    query_names = ("dry_run", "page", "page_size")
    permission_classes = [ProviderOrAgencyToken]
    parser_classes = [JsonParser, CsvParser, XlsxParser]

    @extend_schema(
        operation_id="rosters_list",
        summary="Rosters sent through the API, latest first",
        parameters=PAGE_PARAMETERS,
        responses={200: page_of(SubmissionSerializer), **errors(400, 404, *TOKEN_ERRORS)},
        tags=["rosters"],
    )
    def get(self, request: Request) -> Response:
        return paged(self, request, submissions(caller(request)), submission_view)

    @extend_schema(
        operation_id="rosters_submit",
        summary="Send a completion roster",
        description=ROSTER_DESCRIPTION,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                {"type": "string", "minLength": 1, "maxLength": 255, "pattern": KEY_PATTERN},
                location=OpenApiParameter.HEADER,
                required=True,
                description="A new unique value (a UUID) for each roster; 1 to 255 visible ASCII characters. "
                "A dry run records nothing under it.",
            ),
            OpenApiParameter(
                "dry_run", OpenApiTypes.BOOL, description="true: only check the roster; record nothing"
            ),
        ],
        request={
            "application/json": RosterRowsSerializer,
            CSV_TYPE: {"type": "string", "format": "binary", "minLength": 1},
            XLSX_TYPE: {"type": "string", "format": "binary", "minLength": 1},
        },
        responses={
            200: OpenApiResponse(RosterPreviewSerializer, description="The dry run's findings"),
            201: OpenApiResponse(SubmissionSerializer, description="Recorded"),
            **errors(400, 409, 422, *TOKEN_ERRORS),
        },
        tags=["rosters"],
    )
    def post(self, request: Request) -> Response:
        token = caller_token(request)
        dry_run = choice_param(request, "dry_run", ["true", "false"]) == "true"
        key = request.headers.get("Idempotency-Key")
        if not key:
            raise ValidationError(
                {"Idempotency-Key": ["required: a new unique value (a UUID) for each roster"]}
            )
        if not re.fullmatch(KEY_PATTERN, key):
            raise ValidationError({"Idempotency-Key": ["1 to 255 visible ASCII characters, no spaces"]})
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if declared.isdigit() and int(declared) > MAX_REQUEST_BYTES:
            raise ValidationError({"body": [f"a roster request is at most {MAX_REQUEST_BYTES // 2**20} MB"]})
        body = roster_body(request)
        file_name = f"API roster {key[:100]}.{body.extension}"
        if dry_run:
            report = import_preview(
                kind=ImportBatch.Kind.ROSTER,
                table=body.table(file_name),
                actor=token.created_by,
                provider=token.provider,
                agency=token.agency,
            )
            if report.unreadable and body.is_file:
                raise UnreadableRosterError(report)
            return Response(
                {
                    "dry_run": True,
                    "rows": report.rows,
                    "would_add": len(report.to_add),
                    "already_present": len(report.already_present),
                    "errors": [
                        {"row": e.row, "field": e.field, "reason": e.reason} for e in report.errors[:1000]
                    ],
                }
            )
        submitted = roster_submit(
            token=token,
            idempotency_key=key,
            body=body,
            file_name=file_name,
        )
        submission = submitted.submission
        headers = {"Location": f"/api/v1/rosters/{submission.pk}/"}
        if submitted.replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(submission.response_body, status=submission.response_status, headers=headers)


class RosterDetail(ApiView):
    query_names = ()
    permission_classes = [ProviderOrAgencyToken]

    @extend_schema(
        operation_id="rosters_read",
        summary="A roster sent through the API: applied or rejected, and why",
        responses={200: SubmissionSerializer, **errors(404, *TOKEN_ERRORS)},
        tags=["rosters"],
    )
    def get(self, request: Request, submission_id: int) -> Response:
        return Response(submission_view(access_submission(caller(request), submission_id)))


STATUS_VALUES = [*ComplianceResult.Status.values, "none"]


class AgencyOfficerList(ApiView):
    query_names = ("period", "status", "page", "page_size")
    permission_classes = [AgencyToken]

    @extend_schema(
        operation_id="officers_list",
        summary="The officers the agency commissions now, with their compliance results",
        description="Ordered by name. Officers whose commission ended are not listed.",
        parameters=[
            PERIOD_PARAMETER,
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=STATUS_VALUES,
                description="Only this result (none: no result yet)",
            ),
            *PAGE_PARAMETERS,
        ],
        responses={200: page_of(AgencyOfficerSerializer), **errors(400, 404, *TOKEN_ERRORS)},
        tags=["officers"],
    )
    def get(self, request: Request) -> Response:
        token = caller_token(request)
        wanted = choice_param(request, "status", STATUS_VALUES)
        asked = int_param(request, "period", low=YEARS[0], high=YEARS[1])
        period = selectors.period_for(caller(request), asked)
        assert token.agency is not None
        rows = selectors.agency_officers(token.agency, period, wanted)
        year = period.year if period else None
        return paged(self, request, rows, lambda row: selectors.officer_view(row, year))


class AgencyOfficerDetail(ApiView):
    query_names = ("period",)
    permission_classes = [AgencyToken]

    @extend_schema(
        operation_id="officers_read",
        summary="One officer the agency commissions now, with the result's details",
        parameters=[PERIOD_PARAMETER],
        responses={200: AgencyOfficerDetailSerializer, **errors(400, 404, *TOKEN_ERRORS)},
        tags=["officers"],
    )
    def get(self, request: Request, license_number: str) -> Response:
        token = caller_token(request)
        asked = int_param(request, "period", low=YEARS[0], high=YEARS[1])
        period = selectors.period_for(caller(request), asked)
        assert token.agency is not None
        return Response(selectors.agency_officer(token.agency, period, license_number))


class OwnRecord(ApiView):
    query_names = ("period",)
    authentication_classes = [OfficerSessionAuthentication]
    permission_classes = [SignedInOfficer]

    @extend_schema(
        operation_id="me_read",
        summary="The signed-in officer's own transcript and result",
        description="For an officer's browser session (officers have no API tokens).",
        parameters=[PERIOD_PARAMETER],
        responses={200: OwnRecordSerializer, **errors(400, 401, 403, 404, 414, 429)},
        tags=["officer"],
    )
    def get(self, request: Request) -> Response:
        asked = int_param(request, "period", low=YEARS[0], high=YEARS[1])
        period = selectors.period_for(caller(request), asked)
        officer = request.user.officer  # type: ignore[union-attr]
        assert officer is not None  # SignedInOfficer let only a linked officer in
        return Response(selectors.own_record(officer, period))
