"""What POST staff's pages share: the role check, the rows of a queue and its filters, documents
and lines as a review page shows them, the lines a reviewer decides, the queue a reviewer came
from, and the error summary.

Each kind of page has its own module, with its forms (the kit of ``clee.core.forms``): forms
check what a person typed (dates, numbers, choices, a reason where one is needed); the services
check the rules, and their refusals are put back on the form by ``PortalForm.refuse``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import QueryDict

from clee.accounts.access import role_required
from clee.accounts.models import User
from clee.core.choices import CoreArea, Subject, Topic
from clee.core.forms import PortalForm
from clee.portals.split import HourSplitFormSet, split_formset, split_initial
from clee.providers.courses import PortionSpec
from clee.providers.models import CourseDocument
from clee.training.models import RequestDocument

staff_only = role_required(User.Role.POST_STAFF)

# A reviewer's decision on a course, a credit request or agency training held for review.
APPROVE, DENY = "approve", "deny"

# A service's refusal naming one of these is about the lines as a whole.
LINE_FIELDS = ("lines", "portions", "hours")

LINE_SPARE_ROWS = 2


def lines_formset(
    data: Any = None, *, initial: list[PortionSpec] | None = None, prefix: str = "lines"
) -> HourSplitFormSet:
    """The lines a reviewer decides (the split form of every page), then spare empty rows."""
    return split_formset(data, initial=split_initial(initial or []), prefix=prefix, spare=LINE_SPARE_ROWS)


class FilterForm(PortalForm):
    """The filters of a list (a GET form: a wrong value is ignored, never an error page)."""

    def value(self, name: str) -> Any:
        if not self.is_valid():
            return self.fields[name].initial or ""
        return self.cleaned_data.get(name) or ""


@dataclass(frozen=True)
class QueueRow:
    item: Any
    age_days: int | None


@dataclass(frozen=True)
class ShownDocument:
    """A document of a submission as the review page shows it: inline and to download."""

    kind: str
    pk: int
    name: str
    content_type: str
    size: int

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"


@dataclass(frozen=True)
class ShownLine:
    """A line of a split in words: ``Skill Development, Firearms: 2 h (of them 1 h de-escalation)``."""

    area: str
    hours: Decimal
    topics: str


def shown_documents(links: Iterable[CourseDocument | RequestDocument]) -> list[ShownDocument]:
    """The documents linked to a course or a request, as the review page shows them."""
    return [
        ShownDocument(
            link.get_kind_display(),
            link.document.pk,
            link.document.original_name,
            link.document.content_type,
            link.document.size,
        )
        for link in links
    ]


def shown_lines(parts: list[PortionSpec]) -> list[ShownLine]:
    """Portions of hours in words, for a summary of a split."""
    lines = []
    for part in parts:
        area = CoreArea(part.core_area).label if part.core_area in CoreArea.values else part.core_area
        if part.subject:
            area = f"{area}, {Subject(part.subject).label}"
        topics = ", ".join(
            f"{Topic(topic).label.lower()} {hours.normalize():f} h" for topic, hours in part.topics.items()
        )
        lines.append(ShownLine(area, part.hours, topics))
    return lines


def kept_queue(query: str) -> str:
    """The queue's filters carried from the list to a review page and on to the next item;
    only the filters, never a page number."""
    kept = QueryDict(query, mutable=True)
    kept.pop("page", None)
    return kept.urlencode()


def with_query(url: str, query: str) -> str:
    """``url`` with a query string, if one."""
    return f"{url}?{query}" if query else url


def review_errors(form: Any, lines: HourSplitFormSet | None = None) -> list[tuple[str, str]]:
    """The error summary: (anchor, message) for each error of the form and the lines."""
    summary: list[tuple[str, str]] = [("", str(error)) for error in form.non_field_errors()]
    for field in form:
        summary.extend((f"#{field.auto_id}", f"{field.label}: {error}") for error in field.errors)
    if lines is not None and lines.is_bound:
        summary.extend((f"#{lines.prefix}-heading", message) for message in lines.all_errors())
    return summary
