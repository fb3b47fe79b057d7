"""Agency training held for POST's review: sessions an agency reported by title, without an
in-service course POST approved in advance (11 CSR 75-15.060). They count only once POST
approves them as an in-service course; staff see what approving does to each officer first, or
refuse them with a reason the officers and the agency see (``clee.workflows.in_service``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from clee.accounts.access import acting_user
from clee.core.errors import ServiceError
from clee.core.forms import PortalForm, radio_field, text_field
from clee.core.paging import paginate
from clee.core.wording import count_text
from clee.portals.staff.pages import APPROVE, DENY, review_errors, shown_lines, staff_only
from clee.portals.staff.selectors import record_split
from clee.training.access import access_held_record
from clee.workflows.in_service import held_session, held_session_preview, held_sessions, held_training_decide


class HeldDecisionForm(PortalForm):
    decision = radio_field(
        "Decision",
        [(APPROVE, "Approve it as the agency's in-service course for that day"), (DENY, "Refuse it")],
    )
    reason = text_field(
        "Reason",
        max_length=500,
        rows=3,
        required=False,
        help_text="The officers and the agency see it. Required to refuse, and to approve training "
        "the rules will not count.",
    )


@staff_only
@require_GET
def held(request: HttpRequest) -> HttpResponse:
    sessions = held_sessions()
    return render(request, "portals/staff/held.html", paginate(request, sessions, per_page=50))


@staff_only
@require_http_methods(["GET", "POST"])
def held_review(request: HttpRequest, record_id: int) -> HttpResponse:
    user = acting_user(request)
    record = access_held_record(user, record_id)
    records = list(held_session(record))
    form = HeldDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        approve = form.cleaned_data["decision"] == APPROVE
        try:
            decided = held_training_decide(
                record=record, approve=approve, reason=form.cleaned_data["reason"], acting_user=user
            )
        except ServiceError as error:
            form.refuse(error)
        else:
            what = count_text(len(decided), "officer")
            verb = "approved as an in-service course" if approve else "refused"
            messages.success(request, f"“{record.description}” for {what} {verb}.")
            return redirect("staff:held")
    effects = held_session_preview(record=record, acting_user=user)
    context: dict[str, Any] = {
        "record": record,
        "rows": [(held, effects.get(held.officer_id)) for held in records],
        "lines": shown_lines(record_split(record.pk)),
        "form": form,
        "errors": review_errors(form),
        "not_counting": [effect.staff_note for effect in effects.values() if not effect.counts_fully],
    }
    return render(request, "portals/staff/held_review.html", context)
