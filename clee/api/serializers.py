"""The API's inputs (checked here, then handed to the services) and outputs (documented here
for the OpenAPI document; the views build plain dicts of the same shape)."""

from __future__ import annotations

import base64
import binascii
import re
from decimal import Decimal
from typing import Any

from django.core.validators import RegexValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from clee.api.models import RosterSubmission
from clee.api.rosters import ROSTER_COLUMNS
from clee.compliance.models import ComplianceResult
from clee.core.choices import CoreArea, Delivery, Subject, Topic
from clee.imports.tables import MAX_ROWS
from clee.officers.models import LicenseStatus
from clee.providers.courses import DocumentUpload, PortionSpec
from clee.providers.models import Course, CourseDocument

# Hours are sent as a decimal string, 0.01 to 9999.99, to the hundredth at most (a JSON number's
# float would not keep 0.1 exact). The pattern is the whole rule: the document says what the
# server takes.
HOURS_PATTERN = r"^(0\.(0[1-9]|[1-9][0-9]?)|[1-9][0-9]{0,3}(\.[0-9]{1,2})?)$"
# Strict base64, as ``base64.b64decode(validate=True)`` takes it.
BASE64_PATTERN = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
# Text: any characters but NUL (which no database column takes).
NO_NUL = RegexValidator(r"^[^\x00]*$", message="a text may not hold the NUL character")


@extend_schema_field(
    {"type": "string", "pattern": HOURS_PATTERN, "example": "4.5", "description": "Hours as a decimal string"}
)
class HoursField(serializers.Field):  # type: ignore[type-arg]
    default_error_messages = {
        "invalid": 'hours are a decimal string from "0.01" to "9999.99", to the hundredth at most ("4.5")'
    }

    def to_internal_value(self, data: Any) -> Decimal:
        if not isinstance(data, str) or not re.fullmatch(HOURS_PATTERN, data):
            self.fail("invalid")
        return Decimal(data)

    def to_representation(self, value: Any) -> str:
        return f"{Decimal(value):.2f}"


HOURS_SCHEMA = {"type": "string", "pattern": HOURS_PATTERN, "example": "1"}


@extend_schema_field(
    {
        "type": "object",
        "properties": dict.fromkeys(Topic.values, HOURS_SCHEMA),
        "additionalProperties": False,
    }
)
class TopicsField(serializers.DictField):
    """Topic hours by topic: only the topics there are."""


def text(**options: Any) -> serializers.CharField:
    """A text field taken as sent (spaces kept: the services judge them), without NUL."""
    return serializers.CharField(trim_whitespace=False, validators=[NO_NUL], **options)


# Errors ------------------------------------------------------------------------------------


class RowErrorSerializer(serializers.Serializer[Any]):
    row = serializers.IntegerField(
        allow_null=True, help_text="Row as a spreadsheet numbers it: header 1, first row 2"
    )
    field = serializers.CharField()
    reason = serializers.CharField()


class ErrorDetailSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    message = serializers.CharField()
    # Named as in the error body; DRF's metaclass takes declared fields off the class.
    fields = serializers.DictField(required=False, help_text="Input name -> its messages")  # type: ignore[assignment]
    rows = RowErrorSerializer(many=True, required=False)
    submission_id = serializers.IntegerField(required=False)


class ErrorSerializer(serializers.Serializer[Any]):
    error = ErrorDetailSerializer()


# Licenses ----------------------------------------------------------------------------------


class LicenseSerializer(serializers.Serializer[Any]):
    license_number = serializers.CharField()
    found = serializers.BooleanField()
    first_initial = serializers.CharField(allow_null=True)
    last_name = serializers.CharField(allow_null=True)
    active = serializers.BooleanField(help_text="The license is active (false when not found)")


class LicenseListSerializer(serializers.Serializer[Any]):
    results = LicenseSerializer(many=True)


# Courses and offerings ---------------------------------------------------------------------


class PortionSerializer(serializers.Serializer[Any]):
    core_area = serializers.ChoiceField(choices=CoreArea.choices)
    subject = serializers.ChoiceField(choices=Subject.choices, required=False, default="", allow_blank=True)
    hours = HoursField()
    topics = TopicsField(
        child=HoursField(),
        required=False,
        default=dict,
        help_text=f"Topic hours inside these hours; topics: {', '.join(Topic.values)}",
    )

    def validate_topics(self, value: dict[str, Decimal]) -> dict[str, Decimal]:
        unknown = sorted(set(value) - set(Topic.values))
        if unknown:
            raise serializers.ValidationError(
                f"not a topic: {', '.join(unknown)} (topics: {', '.join(Topic.values)})"
            )
        return value


class DocumentSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=CourseDocument.Kind.choices)
    name = text(max_length=255)
    content_base64 = serializers.CharField(
        help_text="The file (PDF, PNG or JPEG), base64-encoded",
        trim_whitespace=False,
        validators=[RegexValidator(BASE64_PATTERN, message="this is not base64")],
    )

    def validate_content_base64(self, value: str) -> bytes:
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError("this is not base64") from None


class CourseSubmitSerializer(serializers.Serializer[Any]):
    number = text(max_length=30)
    title = text(max_length=200)
    hours = HoursField()
    delivery = serializers.ChoiceField(choices=Delivery.choices, default=Delivery.LIVE)
    synopsis = text()
    learning_objectives = text()
    portions = PortionSerializer(many=True, help_text="How the hours split over the core areas")
    documents = DocumentSerializer(
        many=True,
        help_text="At least the instructor record and a sample certificate",
        required=False,
        default=list,
    )

    def specs(self) -> tuple[list[PortionSpec], list[DocumentUpload]]:
        data = self.validated_data
        portions = [
            PortionSpec(core_area=p["core_area"], subject=p["subject"], hours=p["hours"], topics=p["topics"])
            for p in data["portions"]
        ]
        documents = [
            DocumentUpload(kind=d["kind"], name=d["name"], content=d["content_base64"])
            for d in data["documents"]
        ]
        return portions, documents


class PortionOutSerializer(serializers.Serializer[Any]):
    core_area = serializers.CharField()
    subject = serializers.CharField(allow_blank=True)
    hours = serializers.CharField(help_text="Hours as a decimal string")
    topics = serializers.DictField(child=serializers.CharField())


class CourseSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.CharField()
    title = serializers.CharField()
    hours = serializers.CharField(help_text="Hours as a decimal string")
    delivery = serializers.ChoiceField(choices=Delivery.choices)
    status = serializers.ChoiceField(choices=Course.Status.choices)
    approved_from = serializers.DateField(allow_null=True)
    approved_until = serializers.DateField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    decision_reason = serializers.CharField(allow_blank=True)
    portions = PortionOutSerializer(many=True)


class OfferingSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    course_id = serializers.IntegerField()
    course_number = serializers.CharField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    location = serializers.CharField(allow_blank=True)


# Rosters -----------------------------------------------------------------------------------


ROSTER_VALUE = {"anyOf": [{"type": "string", "minLength": 1, "pattern": "^[^\\x00]*$"}, {"type": "number"}]}


@extend_schema_field(
    {
        "type": "array",
        "minItems": 1,
        "maxItems": MAX_ROWS,
        "items": {
            "type": "object",
            "minProperties": 1,
            "properties": dict.fromkeys(ROSTER_COLUMNS, ROSTER_VALUE),
            "additionalProperties": False,
        },
    }
)
class RosterRowsField(serializers.ListField):
    pass


class RosterRowsSerializer(serializers.Serializer[Any]):
    rows = RosterRowsField(
        help_text=(
            "One object per completion, keyed by the roster's column names (license_number, course_number, "
            "completion_date, and optionally hours, offering, last_name; an agency's ad-hoc in-service rows: "
            "title, hours and the split columns). Values are strings or numbers."
        ),
    )


class SubmissionSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=RosterSubmission.Status.choices)
    submitted_at = serializers.DateTimeField()
    rows = serializers.IntegerField()
    added = serializers.IntegerField()
    already_present = serializers.IntegerField()
    batch_id = serializers.IntegerField(allow_null=True)
    errors = RowErrorSerializer(many=True)  # type: ignore[assignment]


class RosterPreviewSerializer(serializers.Serializer[Any]):
    dry_run = serializers.BooleanField()
    rows = serializers.IntegerField()
    would_add = serializers.IntegerField()
    already_present = serializers.IntegerField()
    errors = RowErrorSerializer(many=True)  # type: ignore[assignment]


# Officers and results ----------------------------------------------------------------------


class ResultSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=ComplianceResult.Status.choices, allow_null=True)
    counted_hours = serializers.CharField(allow_null=True)
    additional_hours_needed = serializers.CharField(allow_null=True)
    extended_until = serializers.DateField(allow_null=True)
    exemption = serializers.CharField(allow_null=True)
    stale = serializers.BooleanField(
        help_text=(
            "true while the result is being recomputed after a change to the officer's record or the "
            "rules (usually seconds): the values are the last computed ones, not yet current. Ask again."
        )
    )


class AgencyOfficerSerializer(serializers.Serializer[Any]):
    license_number = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    license_status = serializers.ChoiceField(choices=LicenseStatus.choices)
    commissioned_since = serializers.DateField()
    period = serializers.IntegerField(allow_null=True, help_text="The reporting period's year")
    result = ResultSerializer(help_text="The stored result of the period; every value null when none yet")


class ResultDetailSerializer(ResultSerializer):
    requirements = serializers.ListField(child=serializers.DictField())
    still_needed = serializers.DictField()
    computed_at = serializers.DateTimeField(allow_null=True)


class AgencyOfficerDetailSerializer(AgencyOfficerSerializer):
    result = ResultDetailSerializer()


class PeriodSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField()
    starts = serializers.DateField()
    ends = serializers.DateField()
    grace_deadline = serializers.DateField()


class CreditLineSerializer(serializers.Serializer[Any]):
    core_area = serializers.CharField()
    subject = serializers.CharField(allow_blank=True)
    hours = serializers.CharField()
    topics = serializers.DictField(child=serializers.CharField())


class TranscriptRecordSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    completed_on = serializers.DateField()
    title = serializers.CharField(allow_blank=True)
    course_number = serializers.CharField(allow_null=True)
    provider = serializers.CharField(allow_blank=True)
    hours = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]
    status = serializers.CharField()
    lines = CreditLineSerializer(many=True)


class OwnRecordSerializer(serializers.Serializer[Any]):
    license_number = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    license_status = serializers.ChoiceField(choices=LicenseStatus.choices)
    period = PeriodSerializer(allow_null=True)
    result = ResultDetailSerializer(allow_null=True)
    records = TranscriptRecordSerializer(many=True)
