"""Make-up training: POST staff apply training completed after a deficient period to it; it then
counts there only, never twice. The state is the hand-built one of ``test_oversight_statewide``:
Dan Dorsey is 14 hours short for 2023 (10 hours, no firearms, no de-escalation)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from clee.compliance.decisions import license_decide, license_reactivate
from clee.compliance.makeup import makeup_preview, training_apply_to_period
from clee.compliance.models import ComplianceResult
from clee.compliance.recompute import compliance_recompute
from clee.compliance.records import training_records_add
from clee.compliance.scenarios import officer_period_scenario
from clee.compliance.services import ensure_period
from clee.core.audit import events_for
from clee.core.errors import ServiceError
from clee.officers.models import LicenseStatus, Officer
from clee.training.models import TrainingRecord
from tests.portals.test_oversight_statewide import PERSONAS, build_state, client_of, lines, record

pytestmark = pytest.mark.django_db

MAKEUP_DAY = dt.date(2024, 4, 10)
LATER_DAY = dt.date(2024, 9, 1)


@pytest.fixture
def state(world: dict[str, Any]) -> dict[str, Any]:
    """Dan short for 2023; in 2024 he completed 14 hours in April (what 2023 lacks) and 24 in
    September (all 2024 needs)."""
    state = build_state(world)
    state["period_2024"] = ensure_period(2024)
    added = training_records_add(
        entries=[
            record(state["dan"], lines(total=14, firearms=2), MAKEUP_DAY),
            record(state["dan"], lines(total=24, firearms=2), LATER_DAY),
        ],
        actor=state["erin"],
    )
    state["april"], state["september"] = TrainingRecord.objects.filter(pk__in=added.record_ids).order_by(
        "completed_on"
    )
    compliance_recompute(period=state["period_2024"], officer_ids=[state["dan"].pk])
    return state


def result(state: dict[str, Any], key: str, year: int) -> ComplianceResult:
    return ComplianceResult.objects.get(officer=state[key], period__year=year)


def url(state: dict[str, Any], key: str = "dan", year: int = 2023) -> str:
    return f"/staff/makeup/{year}/{state[key].pk}/"


def apply(state: dict[str, Any], *records: TrainingRecord, reason: str = "Shown in April 2024") -> None:
    training_apply_to_period(
        officer=state["dan"],
        period=state["period"],
        record_ids=[r.pk for r in records],
        reason=reason,
        acting_user=state["erin"],
    )


def test_the_queue_lists_officers_short_for_an_ended_period_with_later_training(
    state: dict[str, Any],
) -> None:
    response = client_of("erin").get("/staff/makeup/")
    assert response.status_code == 200
    listed = [(r.officer.first_name, r.period.year) for r in response.context["page_obj"].object_list]
    # Ivy and Kai are short for 2023 too, but have no training after it.
    assert listed == [("Dan", 2023)]
    assert f'href="{url(state)}"' in response.content.decode()


def test_the_preview_shows_every_period_the_move_touches_and_writes_nothing(state: dict[str, Any]) -> None:
    client = client_of("erin")
    page = client.get(url(state))
    assert page.status_code == 200
    assert [value for value, _ in page.context["form"].fields["records"].choices] == [
        str(state["april"].pk),
        str(state["september"].pk),
    ]
    response = client.post(
        url(state), {"records": [state["april"].pk], "reason": "Shown in April", "preview": "1"}
    )
    assert response.status_code == 200
    changes = {change.year: change for change in response.context["preview"].periods}
    assert changes[2023].before is not None
    assert changes[2023].before.status == "deficient"
    assert changes[2023].after.status == "compliant"
    assert changes[2024].after.status == "compliant"
    assert not changes[2024].worse
    assert TrainingRecord.objects.filter(applied_to_year__isnull=False).count() == 0
    assert result(state, "dan", 2023).status == "deficient"


def test_the_preview_warns_when_the_later_period_would_fall_short(state: dict[str, Any]) -> None:
    changes = makeup_preview(state["dan"], state["period"], [state["september"]], acting_user=state["erin"])
    after = {change.year: change for change in changes.periods}
    assert after[2023].after.status == "compliant"
    assert after[2024].worse
    assert after[2024].after.additional_hours_needed == 10
    response = client_of("erin").post(
        url(state), {"records": [state["september"].pk], "reason": "x", "preview": "1"}
    )
    assert "which would then be deficient, 10 hours short" in response.content.decode()


def test_applied_training_counts_in_the_deficient_period_only(
    state: dict[str, Any], django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    client = client_of("erin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(state),
            {"records": [state["april"].pk], "reason": "April 2024 course makes up 2023", "apply": "1"},
        )
    run_worker()
    assert response.status_code == 302
    assert response["Location"] == "/staff/makeup/"
    april = TrainingRecord.objects.get(pk=state["april"].pk)
    assert april.applied_to_year == 2023
    assert result(state, "dan", 2023).status == "compliant"
    # 2024 keeps only September's 24 hours: the April hours are not counted twice.
    assert result(state, "dan", 2024).counted_hours == 24
    event = events_for(april).get(action="training.apply_to_period")
    assert (event.action, event.actor) == ("training.apply_to_period", state["erin"])
    assert "April 2024 course makes up 2023" in event.summary
    # The officer's transcripts say where the record counts.
    dan = Client()
    dan.force_login(_officer_account(state["dan"]))
    in_2023 = dan.get("/officer/transcript/?year=2023").content.decode()
    assert "Make-up training:" in in_2023
    in_2024 = dan.get("/officer/transcript/?year=2024").content.decode()
    assert "POST applied it to the 2023 period as make-up training" in in_2024
    # Done: Dan leaves the queue.
    assert client.get("/staff/makeup/").context["paginator"].count == 0


def _officer_account(officer: Officer) -> Any:
    from clee.accounts.models import User

    return User.objects.create_user(username="dan", password="x" * 20, role="officer", officer=officer)


def test_the_exported_scenario_of_the_period_gives_the_stored_result(
    state: dict[str, Any], django_capture_on_commit_callbacks: Any, tmp_path: Path, run_worker: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        apply(state, state["april"])
    run_worker()
    scenario = officer_period_scenario(state["dan"].pk, state["period"])
    # The record keeps its real date and says which period it is applied to (the contract's
    # ``applied_to``); the recognized list POST keeps comes with it.
    applied = [c for c in scenario["credits"] if "applied_to" in c]
    assert applied
    assert {c["applied_to"] for c in applied} == {"2023"}
    assert {c["date"] for c in applied} == {"2024-04-10"}
    assert scenario["recognized_sources"][0]["reference"].startswith("seed 000")
    path = tmp_path / "dan-2023.json"
    path.write_text(json.dumps(scenario))
    run = subprocess.run(
        [str(Path(sys.executable).parent / "clee"), "check", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    checked = json.loads(run.stdout)
    stored = result(state, "dan", 2023)
    assert checked["status"] == stored.status == "compliant"
    assert checked["counted_hours"] == float(stored.counted_hours)
    assert checked["pack"] == stored.pack == "MO-2023-v1"
    # In 2024, the year it was completed in, the same record counts no more (an hour counts once).
    later = officer_period_scenario(state["dan"].pk, ensure_period(2024))
    moved = [c for c in later["credits"] if c.get("applied_to") == "2023"]
    assert moved
    path.write_text(json.dumps(later))
    run = subprocess.run(
        [str(Path(sys.executable).parent / "clee"), "check", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    not_counted = {n["id"]: n["reason"] for n in json.loads(run.stdout)["not_counted"]}
    assert {not_counted[c["id"]] for c in moved} == {"applied to the 2023 reporting period"}


def test_make_up_training_lets_the_director_reactivate(
    state: dict[str, Any], django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    frank = state["frank"]
    inactivation = license_decide(
        officer=state["dan"], period=state["period"], inactivate=True, reason="None shown", acting_user=frank
    )
    with pytest.raises(ServiceError, match="not shown yet for 2023"):
        license_reactivate(inactivation=inactivation, reason="Asked", acting_user=frank)
    with django_capture_on_commit_callbacks(execute=True):
        apply(state, state["april"])
    run_worker()
    license_reactivate(inactivation=inactivation, reason="April 2024 training applied", acting_user=frank)
    assert Officer.objects.get(pk=state["dan"].pk).license_status == LicenseStatus.ACTIVE


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("twice", "already applied to the 2023 period"),
        ("within", "only training completed after the period makes it up"),
        ("pending", "only accepted training is applied"),
        ("no reason", "a reason is required"),
        ("nothing", "choose at least one record"),
        ("compliant", "is not short for 2023"),
        ("not ended", "has not ended"),
        ("someone else's", "is not one of Dan Dorsey's"),
    ],
)
def test_what_cannot_be_applied_is_refused_and_nothing_is_written(
    state: dict[str, Any], case: str, message: str
) -> None:
    period, officer, chosen, reason = state["period"], state["dan"], [state["april"].pk], "Make-up"
    today = None
    if case == "twice":
        apply(state, state["april"])
    elif case == "within":
        chosen = [TrainingRecord.objects.filter(officer=officer, completed_on__year=2023).get().pk]
    elif case == "pending":
        TrainingRecord.objects.filter(pk=state["april"].pk).update(status="pending")
    elif case == "no reason":
        reason = "  "
    elif case == "nothing":
        chosen = []
    elif case == "compliant":
        officer = state["alice"]
    elif case == "not ended":
        today = dt.date(2023, 12, 1)
    elif case == "someone else's":
        chosen = [TrainingRecord.objects.filter(officer=state["ben"]).first().pk]  # type: ignore[union-attr]
    before = list(TrainingRecord.objects.order_by("id").values_list("id", "applied_to_year"))
    with pytest.raises(ServiceError, match=message):
        training_apply_to_period(
            officer=officer,
            period=period,
            record_ids=chosen,
            reason=reason,
            acting_user=state["erin"],
            today=today,
        )
    assert list(TrainingRecord.objects.order_by("id").values_list("id", "applied_to_year")) == before


def test_only_post_staff_apply_training(state: dict[str, Any]) -> None:
    with pytest.raises(ServiceError, match="only POST staff"):
        training_apply_to_period(
            officer=state["dan"],
            period=state["period"],
            record_ids=[state["april"].pk],
            reason="Make-up",
            acting_user=state["bob"],
        )
    # Everyone else first: erin's own post applies the record.
    for username in sorted(PERSONAS, key=lambda name: name == "erin"):
        client = client_of(username)
        expected = 200 if username == "erin" else 404
        assert client.get("/staff/makeup/").status_code == expected, username
        assert client.get(url(state)).status_code == expected, username
        posted = client.post(url(state), {"records": [state["april"].pk], "reason": "x", "apply": "1"})
        assert posted.status_code == (302 if username == "erin" else 404), username
        if username != "erin":
            assert TrainingRecord.objects.get(pk=state["april"].pk).applied_to_year is None


def test_a_period_without_a_shortfall_is_a_404(state: dict[str, Any]) -> None:
    client = client_of("erin")
    assert client.get(url(state, "alice")).status_code == 404
    assert client.get(url(state, "dan", 2024)).status_code == 404


def test_the_form_says_what_is_missing(state: dict[str, Any]) -> None:
    response = client_of("erin").post(url(state), {"apply": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose at least one record to apply." in page
    assert "Give the reason for applying the training." in page
    assert TrainingRecord.objects.filter(applied_to_year__isnull=False).count() == 0
