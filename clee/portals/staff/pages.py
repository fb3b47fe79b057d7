"""What POST staff's pages share: the role check, the rows of a queue and its filters, documents
and lines as a review page shows them, the lines a reviewer decides, the queue a reviewer came
from, and the error summary.

Each kind of page has its own module, with its forms (the kit of ``clee.core.forms``): forms
check what a person typed (dates, numbers, choices, a reason where one is needed); the services
check the rules, and their refusals are put back on the form by ``PortalForm.refuse``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import QuerySet, TextChoices
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse

from clee.accounts.access import role_required
from clee.accounts.models import User
from clee.core.choices import CoreArea, Subject, Topic
from clee.core.forms import PortalForm
from clee.core.paging import paginate
from clee.portals.split import HourSplitFormSet, split_formset, split_initial
from clee.portals.staff.selectors import age_in_days
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
    """An item of a review queue, with the day it came in (waiting) or was decided, and the days since."""

    item: Any
    since: dt.datetime | None
    age_days: int | None


@dataclass(frozen=True)
class ReviewQueue:
    """A review queue of staff's (course submissions, credit requests): its list, oldest first,
    filtered (``portals/staff/queue.html``), and the way on from a decision to the next item
    waiting in it. Its review page (``portals/staff/review.html``) links back to the list."""

    label: str  # the list's heading: "Course submissions"
    statuses: type[TextChoices]
    waiting: str  # the status of an item waiting for a decision, the list's default
    filters: Callable[[QueryDict | None], FilterForm]
    items: Callable[[FilterForm, str], QuerySet[Any]]  # what the filters and a status select
    submitted_at: str  # the field of the day an item came in
    template: str
    list_view: str
    review_view: str
    none_left: str  # what the reviewer is told when nothing more waits

    def status(self, filters: FilterForm) -> str:
        return str(filters.value("status") or self.waiting)

    def page(self, request: HttpRequest) -> HttpResponse:
        """The list: a page of the items the filters select."""
        filters = self.filters(request.GET)
        status = self.status(filters)
        waiting = status == self.waiting
        paging = paginate(request, self.items(filters, status))
        rows = []
        for item in paging["page_obj"]:
            since = getattr(item, self.submitted_at if waiting else "decided_at")
            rows.append(QueueRow(item, since, age_in_days(since)))
        return render(
            request,
            self.template,
            {
                **paging,
                "filters": filters,
                "rows": rows,
                "status": status,
                "status_label": self.statuses(status).label,
                "waiting": waiting,
                "review_queue": self,
                "queue": kept_queue(request.GET.urlencode()),
            },
        )

    def next_after(self, request: HttpRequest, decided: Any, queue: str) -> HttpResponseRedirect:
        """The oldest item still waiting in the reviewer's queue (with its filters), else the
        queue."""
        filters = self.filters(QueryDict(queue))
        upcoming = None
        if filters.value("status") in ("", self.waiting):
            upcoming = self.items(filters, self.waiting).exclude(pk=decided.pk).first()
        if upcoming is None:
            messages.info(request, self.none_left)
            return redirect(with_query(reverse(self.list_view), queue))
        query = urlencode({"queue": queue}) if queue else ""
        return redirect(with_query(reverse(self.review_view, args=[upcoming.pk]), query))


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


def review_errors(
    form: Any, lines: HourSplitFormSet | None = None, *, anchors: Mapping[str, str] | None = None
) -> list[tuple[str, str]]:
    """The error summary: (anchor, message) for each error of the form and the lines. A field's
    error links to its control, or to the anchor ``anchors`` gives it (a list of checkboxes is
    reached by its legend)."""
    summary: list[tuple[str, str]] = [("", str(error)) for error in form.non_field_errors()]
    for field in form:
        anchor = (anchors or {}).get(field.name, f"#{field.auto_id}")
        summary.extend((anchor, f"{field.label}: {error}") for error in field.errors)
    if lines is not None and lines.is_bound:
        summary.extend((f"#{lines.prefix}-heading", message) for message in lines.all_errors())
    return summary
