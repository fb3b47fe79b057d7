"""The Director's pages: the queue of officers non-compliant after the grace deadline, the
decision on each license (inactivate with a reason, or keep; once), and reactivations once the
missing training is shown. The state is the hand-built one of ``test_oversight_statewide``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from clee.compliance.decisions import license_decide, license_reactivate
from clee.compliance.models import LicenseDecision
from clee.compliance.recompute import compliance_recompute
from clee.compliance.records import training_records_add
from clee.core.audit import events_for
from clee.core.errors import ServiceError
from clee.core.models import AuditEvent
from clee.officers.models import LicenseStatus, LicenseStatusChange, Officer
from clee.officers.services import commission_start
from tests.conftest import PASSWORD
from tests.portals.test_oversight_statewide import PERSONAS, build_state, client_of, lines, record

pytestmark = pytest.mark.django_db


@pytest.fixture
def state(world: dict[str, Any]) -> dict[str, Any]:
    """The hand-built state of ``test_oversight_statewide``."""
    return build_state(world)


def decide_url(state: dict[str, Any], key: str) -> str:
    return f"/director/decide/2023/{state[key].pk}/"


def inactivate(
    state: dict[str, Any], key: str, reason: str = "No training shown by April"
) -> LicenseDecision:
    return license_decide(
        officer=state[key], period=state["period"], inactivate=True, reason=reason, acting_user=state["frank"]
    )


def refreshed(officer: Officer) -> Officer:
    return Officer.objects.get(pk=officer.pk)


# The queue --------------------------------------------------------------------------------


def test_the_queue_lists_the_officers_non_compliant_after_the_grace_deadline(state: dict[str, Any]) -> None:
    response = client_of("frank").get("/director/")
    assert response.status_code == 200
    assert response.context["period"] == state["period"]
    # Jon's extension still runs; Mo has no 2023 result.
    assert [row.officer.first_name for row in response.context["rows"]] == ["Dan", "Ivy", "Kai"]
    page = response.content.decode()
    assert "<h1>License decisions</h1>" in page
    assert f'href="{decide_url(state, "dan")}"' in page
    assert "Extension ended June 1, 2024" in page
    assert (response.context["noncompliant"], response.context["awaiting"]) == (3, 3)


def test_a_decided_case_or_an_inactive_license_leaves_the_queue(state: dict[str, Any]) -> None:
    inactivate(state, "dan")
    license_decide(
        officer=state["ivy"], period=state["period"], inactivate=False, reason="", acting_user=state["frank"]
    )
    response = client_of("frank").get("/director/")
    assert [row.officer.first_name for row in response.context["rows"]] == ["Kai"]
    assert response.context["decided"] == {"inactivated": 1, "kept": 1, "reactivated": 0}
    assert [d.officer.first_name for d in response.context["recent"]] == ["Ivy", "Dan"]


def test_the_queue_is_empty_before_any_grace_deadline_passes(state: dict[str, Any]) -> None:
    period = state["period"]
    period.grace_deadline = state["today"]
    period.save(update_fields=["grace_deadline"])
    response = client_of("frank").get("/director/")
    assert response.status_code == 200
    assert response.context["period"] is None
    assert "No reporting period's grace deadline has passed yet" in response.content.decode()


def test_the_queue_finds_an_officer_by_name(state: dict[str, Any]) -> None:
    response = client_of("frank").get("/director/", {"q": "kemp"})
    assert [row.officer.first_name for row in response.context["rows"]] == ["Kai"]


# Deciding ---------------------------------------------------------------------------------


def test_the_director_inactivates_a_license_with_a_reason(state: dict[str, Any]) -> None:
    client = client_of("frank")
    page = client.get(decide_url(state, "dan"))
    assert page.status_code == 200
    assert "Inactivate Dan Dorsey's license?" in page.content.decode()
    response = client.post(
        decide_url(state, "dan"),
        {"decision": "inactivate", "reason": "No training shown; no reply to notices"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/director/?period=2023"
    dan = refreshed(state["dan"])
    assert dan.license_status == LicenseStatus.INACTIVE
    change = LicenseStatusChange.objects.filter(officer=dan).latest("id")
    assert (change.from_status, change.to_status, change.changed_by) == ("active", "inactive", state["frank"])
    assert change.effective_on == state["today"]
    assert change.reason == (
        "2023 CLEE requirement not met after the grace deadline: No training shown; no reply to notices"
    )
    decision = LicenseDecision.objects.get(officer=dan, period=state["period"])
    assert (decision.decision, decision.hours_short, decision.status_change) == (
        "inactivate",
        Decimal(14),
        change,
    )
    event = events_for(decision).get()
    assert (event.actor, event.action) == (state["frank"], "compliance.license_decide")
    assert "license inactivated: No training shown" in event.summary
    assert events_for(dan).filter(action="officer.license_status").exists()
    followed = client.get(response["Location"]).content.decode()
    assert "Dan Dorsey&#x27;s license is now inactive." in followed


def test_inactivating_needs_a_reason_and_writes_nothing_without_one(state: dict[str, Any]) -> None:
    response = client_of("frank").post(decide_url(state, "dan"), {"decision": "inactivate", "reason": "  "})
    assert response.status_code == 200
    page = response.content.decode()
    assert "The decision was not recorded" in page
    assert "A reason is required to inactivate a license" in page
    assert refreshed(state["dan"]).license_status == LicenseStatus.ACTIVE
    assert not LicenseDecision.objects.exists()
    assert not AuditEvent.objects.filter(action="compliance.license_decide").exists()


def test_a_decision_must_be_chosen(state: dict[str, Any]) -> None:
    response = client_of("frank").post(decide_url(state, "dan"), {"reason": "Something"})
    assert response.status_code == 200
    assert "Choose the decision." in response.content.decode()
    assert not LicenseDecision.objects.exists()


def test_the_director_keeps_a_license_active(state: dict[str, Any]) -> None:
    response = client_of("frank").post(
        decide_url(state, "ivy"), {"decision": "keep", "reason": "Two hours short; training booked for May"}
    )
    assert response.status_code == 302
    assert refreshed(state["ivy"]).license_status == LicenseStatus.ACTIVE
    decision = LicenseDecision.objects.get(officer=state["ivy"])
    assert (decision.decision, decision.status_change, decision.reason) == (
        "keep",
        None,
        "Two hours short; training booked for May",
    )
    assert events_for(decision).get().action == "compliance.license_decide"
    assert not LicenseStatusChange.objects.filter(officer=state["ivy"], to_status="inactive").exists()


def test_a_second_decision_on_the_same_case_is_refused(state: dict[str, Any]) -> None:
    client = client_of("frank")
    assert client.post(decide_url(state, "kai"), {"decision": "keep", "reason": ""}).status_code == 302
    again = client.post(decide_url(state, "kai"), {"decision": "inactivate", "reason": "Changed my mind"})
    assert again.status_code == 200
    page = again.content.decode()
    assert "Kai Kemp&#x27;s license was already decided for 2023: kept active on" in page
    assert refreshed(state["kai"]).license_status == LicenseStatus.ACTIVE
    assert LicenseDecision.objects.filter(officer=state["kai"]).count() == 1
    shown = client.get(decide_url(state, "kai")).content.decode()
    assert "Record the decision" not in shown
    assert "Kept active" in shown


def test_no_decision_before_the_grace_deadline_passes(state: dict[str, Any]) -> None:
    period = state["period"]
    period.grace_deadline = state["today"]
    period.save(update_fields=["grace_deadline"])
    with pytest.raises(ServiceError, match="has not passed yet"):
        inactivate(state, "dan")
    page = client_of("frank").get(decide_url(state, "dan")).content.decode()
    assert "has not passed: the officer may still show the training" in page
    assert "Record the decision" not in page


def test_no_decision_while_an_extension_runs(state: dict[str, Any]) -> None:
    with pytest.raises(ServiceError, match="has an extension until"):
        inactivate(state, "jon")
    page = client_of("frank").get(decide_url(state, "jon")).content.decode()
    assert "The officer's extension runs until" in page
    assert refreshed(state["jon"]).license_status == LicenseStatus.ACTIVE


def test_no_decision_on_an_officer_who_is_compliant(state: dict[str, Any]) -> None:
    with pytest.raises(ServiceError, match="is not non-compliant for 2023"):
        inactivate(state, "ben")
    response = client_of("frank").post(decide_url(state, "ben"), {"decision": "inactivate", "reason": "x"})
    assert "Ben Boyd is not non-compliant for 2023 (the result is compliant)" in response.content.decode()


def test_only_the_director_decides(state: dict[str, Any]) -> None:
    with pytest.raises(ServiceError, match="only the Director decides"):
        license_decide(
            officer=state["dan"],
            period=state["period"],
            inactivate=True,
            reason="x",
            acting_user=state["erin"],
        )
    assert not LicenseDecision.objects.exists()


def test_an_over_long_reason_is_refused_next_to_its_field(state: dict[str, Any]) -> None:
    response = client_of("frank").post(
        decide_url(state, "dan"), {"decision": "inactivate", "reason": "x" * 241}
    )
    assert 'id="id_reason_error"' in response.content.decode()
    assert not LicenseDecision.objects.exists()


def test_an_inactive_license_blocks_a_new_commission(state: dict[str, Any]) -> None:
    client_of("frank").post(
        decide_url(state, "dan"), {"decision": "inactivate", "reason": "No training shown"}
    )
    with pytest.raises(ServiceError, match="license is inactive: it must be active before a commission"):
        commission_start(
            officer=state["dan"], agency=state["agency_b"], start=state["today"], acting_user=state["carol"]
        )
    assert not state["dan"].commissions.filter(agency=state["agency_b"]).exists()


def test_the_decision_form_needs_its_csrf_token(state: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="frank", password=PASSWORD)
    response = client.post(decide_url(state, "dan"), {"decision": "inactivate", "reason": "x"})
    assert response.status_code == 403
    assert refreshed(state["dan"]).license_status == LicenseStatus.ACTIVE


# Reactivations ----------------------------------------------------------------------------


def make_up_training(state: dict[str, Any], key: str) -> None:
    """Records for the 2023 period entered late, and the result recomputed: now compliant."""
    training_records_add(
        entries=[record(state[key], lines(total=24, firearms=2), dt.date(2023, 11, 30))], actor=state["erin"]
    )
    compliance_recompute(period=state["period"], officer_ids=[state[key].pk])


def test_an_inactive_officer_appears_for_reactivation_once_the_training_is_shown(
    state: dict[str, Any],
) -> None:
    inactivate(state, "dan")
    client = client_of("frank")
    waiting = client.get("/director/reactivations/")
    assert waiting.context["paginator"].count == 0
    assert [d.officer.first_name for d in waiting.context["waiting"]] == ["Dan"]
    make_up_training(state, "dan")
    listed = client.get("/director/reactivations/")
    assert [decision.officer.first_name for decision, _ in listed.context["rows"]] == ["Dan"]
    assert listed.context["rows"][0][1].status == "compliant"
    assert listed.context["waiting_count"] == 0


def test_the_director_reactivates_a_license_with_a_reason(state: dict[str, Any]) -> None:
    inactivation = inactivate(state, "dan")
    make_up_training(state, "dan")
    client = client_of("frank")
    url = f"/director/reactivations/{inactivation.pk}/"
    assert "Reactivate Dan Dorsey's license" in client.get(url).content.decode()
    response = client.post(url, {"reason": "24 hours completed in November 2023, reported late"})
    assert response.status_code == 302
    assert response["Location"] == "/director/reactivations/"
    dan = refreshed(state["dan"])
    assert dan.license_status == LicenseStatus.ACTIVE
    reactivation = LicenseDecision.objects.get(officer=dan, decision="reactivate")
    assert reactivation.period == state["period"]
    assert reactivation.status_change is not None
    assert reactivation.status_change.to_status == "active"
    assert "missing training shown for 2023" in reactivation.status_change.reason
    assert events_for(reactivation).get().action == "compliance.license_reactivate"
    assert client.get("/director/reactivations/").context["paginator"].count == 0
    # Active again: an agency may commission the officer.
    commission_start(officer=dan, agency=state["agency_b"], start=state["today"], acting_user=state["carol"])


def test_reactivation_is_refused_while_the_training_is_missing(state: dict[str, Any]) -> None:
    inactivation = inactivate(state, "dan")
    with pytest.raises(ServiceError, match=r"not shown yet for 2023 \(14 hours short\)"):
        license_reactivate(inactivation=inactivation, reason="Asked nicely", acting_user=state["frank"])
    response = client_of("frank").post(
        f"/director/reactivations/{inactivation.pk}/", {"reason": "Asked nicely"}
    )
    assert response.status_code == 200
    assert "The missing training is not shown yet for 2023 (14 hours short)" in response.content.decode()
    assert refreshed(state["dan"]).license_status == LicenseStatus.INACTIVE


def test_reactivation_needs_a_reason_and_happens_once(state: dict[str, Any]) -> None:
    inactivation = inactivate(state, "dan")
    make_up_training(state, "dan")
    client = client_of("frank")
    url = f"/director/reactivations/{inactivation.pk}/"
    assert "Reason is required." in client.post(url, {"reason": ""}).content.decode()
    assert client.post(url, {"reason": "Training shown"}).status_code == 302
    again = client.post(url, {"reason": "Training shown"})
    assert "this inactivation is already undone" in again.content.decode()
    assert LicenseDecision.objects.filter(decision="reactivate").count() == 1


def test_only_an_inactivation_can_be_reactivated(state: dict[str, Any]) -> None:
    kept = license_decide(
        officer=state["ivy"], period=state["period"], inactivate=False, reason="", acting_user=state["frank"]
    )
    assert client_of("frank").get(f"/director/reactivations/{kept.pk}/").status_code == 404
    assert client_of("frank").get("/director/reactivations/999999/").status_code == 404


# Who may see these pages --------------------------------------------------------------------


def test_director_pages_answer_the_director_only(state: dict[str, Any]) -> None:
    inactivation = inactivate(state, "dan")
    urls = (
        "/director/",
        decide_url(state, "kai"),
        "/director/reactivations/",
        f"/director/reactivations/{inactivation.pk}/",
    )
    for url in urls:
        for username in PERSONAS:
            status = client_of(username).get(url).status_code
            assert status == (200 if username == "frank" else 404), (username, url, status)


def test_nobody_else_can_post_a_decision(state: dict[str, Any]) -> None:
    for username in ("alice", "bob", "carol", "dave", "erin"):
        response = client_of(username).post(
            decide_url(state, "dan"), {"decision": "inactivate", "reason": "x"}
        )
        assert response.status_code == 404
    assert refreshed(state["dan"]).license_status == LicenseStatus.ACTIVE


def test_a_case_that_does_not_exist_is_not_found(state: dict[str, Any]) -> None:
    client = client_of("frank")
    assert client.get("/director/decide/1999/1/").status_code == 404
    assert client.get(f"/director/decide/2023/{state['mo'].pk}/").status_code == 404  # no 2023 result
    assert client.get("/director/decide/2023/999999/").status_code == 404


def test_the_directors_access_helpers_refuse_anyone_else(world: dict[str, Any]) -> None:
    """The Director's helpers take the acting user: the same 404 as a missing case for anyone
    else, even if a view forgot its role check."""
    from django.http import Http404
    from django.utils import timezone

    from clee.compliance.access import access_case, access_inactivation

    officer, period = world["officer"], world["period"]
    compliance_recompute(period=period, officer_ids=[officer.pk])
    decision = LicenseDecision.objects.create(
        officer=officer,
        period=period,
        decision=LicenseDecision.Decision.INACTIVATE,
        reason="Short of the period's hours",
        hours_short=Decimal(2),
        decided_by=world["frank"],
        decided_at=timezone.now(),
    )
    assert access_case(world["frank"], period.year, officer.pk).officer == officer
    assert access_inactivation(world["frank"], decision.pk) == decision
    for name in ("alice", "bob", "dave", "erin"):
        with pytest.raises(Http404):
            access_case(world[name], period.year, officer.pk)
        with pytest.raises(Http404):
            access_inactivation(world[name], decision.pk)
