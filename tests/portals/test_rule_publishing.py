"""Rule book versions published through the portal, without a release: POST staff prepare and
submit a draft, the Director publishes it, and decisions change from its effective date; a
malformed draft is refused naming the file, the key and the reason, and nothing is published."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from clee.compliance.calendar import calendar_advance
from clee.compliance.models import ComplianceResult, ReportingPeriod, RuleBookVersion
from clee.compliance.publishing import rule_book_draft_update
from clee.compliance.recompute import compliance_recompute
from clee.core.audit import events_for
from clee.core.errors import ServiceError
from clee.rules.pack import PACKS_DIR
from tests.portals.test_oversight_statewide import client_of

pytestmark = pytest.mark.django_db

SHIPPED = (PACKS_DIR / "mo.yaml").read_text(encoding="utf-8")
TOTAL = "    minimum:\n      - value: 24\n        from: 2017-01-01\n"


def total_from(year: int, hours: int) -> str:
    """The shipped book with the total minimum changed to ``hours`` from ``year`` on."""
    entry = (
        f"      - value: {hours}\n        from: {year}-01-01\n"
        f'        reference: "Test change: {hours} hours from {year}"\n'
    )
    start = SHIPPED.index(TOTAL)
    end = SHIPPED.index("  - key: approved_provider")
    return SHIPPED[:end] + entry + SHIPPED[end:] if start < end else SHIPPED


def new_draft(client: Client, text: str, name: str = "mo-draft.yaml") -> RuleBookVersion:
    response = client.post(
        "/state/packs/versions/new/",
        {"book": SimpleUploadedFile(name, text.encode(), content_type="application/yaml")},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return RuleBookVersion.objects.order_by("-id").first()  # type: ignore[return-value]


def submit(client: Client, draft: RuleBookVersion, effective: dt.date, reason: str = "Board decision") -> Any:
    return client.post(
        f"/state/packs/versions/{draft.pk}/submit/",
        {"effective_from": effective.isoformat(), "reason": reason},
    )


def alice_result(world: dict[str, Any]) -> ComplianceResult:
    return ComplianceResult.objects.get(officer=world["officer"], period=world["period"])


def test_a_version_published_through_the_portal_decides_from_its_effective_date(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    compliance_recompute(period=world["period"], officer_ids=[world["officer"].pk])
    assert alice_result(world).pack == "MO-2023-v1"
    erin, frank = client_of("erin"), client_of("frank")
    # Staff copy the version in force, edit it (here: 30 hours from 2023 on, a correction).
    copied = erin.post("/state/packs/versions/new/", {"copy": "1"})
    draft = RuleBookVersion.objects.get(status="draft")
    assert copied["Location"] == f"/state/packs/versions/{draft.pk}/edit/"
    assert draft.based_on is not None
    assert draft.based_on.number == 1
    saved = erin.post(f"/state/packs/versions/{draft.pk}/edit/", {"text": total_from(2023, 30)})
    assert saved.status_code == 302
    page = erin.get(f"/state/packs/versions/{draft.pk}/").content.decode()
    assert "Decides it differently" in page
    assert "+      - value: 30" in page  # the diff against version 1
    today = timezone.localdate()
    assert submit(erin, draft, today, "Correction of the 2023 total").status_code == 302
    draft.refresh_from_db()
    assert draft.status == "submitted"

    # Nothing decides anyone's result until the Director publishes.
    assert ReportingPeriod.objects.get(pk=world["period"].pk).pack_version == 1
    with django_capture_on_commit_callbacks(execute=True):
        published = frank.post(f"/state/packs/versions/{draft.pk}/publish/", follow=True)
    assert "MO rule book v2 is published, in force now" in published.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        run_worker()  # the recompute job publication enqueued
    draft.refresh_from_db()
    assert (draft.number, draft.status, draft.published_by, draft.effective_from) == (
        2,
        "published",
        world["frank"],
        today,
    )
    period = ReportingPeriod.objects.get(pk=world["period"].pk)
    assert period.pack_version == 2
    result = alice_result(world)
    assert result.pack == "MO-2023-v2"
    assert next(r for r in result.requirements if r["key"] == "total")["required"] == 30
    actions = list(events_for(draft).order_by("id").values_list("action", "actor__username"))
    assert actions == [
        ("rules.draft_create", "erin"),
        ("rules.draft_update", "erin"),
        ("rules.draft_submit", "erin"),
        ("rules.book_publish", "frank"),
    ]
    publish = events_for(draft).get(action="rules.book_publish")
    assert publish.data["periods_changed"] == ["2023"]
    assert "Correction of the 2023 total" in publish.summary
    assert events_for(period).filter(action="period.rules_change").exists()
    # A published version is never changed again.
    with pytest.raises(ServiceError, match="can no longer be edited"):
        rule_book_draft_update(draft=draft, content=SHIPPED, acting_user=world["erin"])
    listing = erin.get("/state/packs/").content.decode()
    assert "Correction of the 2023 total" in listing
    assert "MO-2023-v2" in listing


def test_a_version_effective_later_changes_nothing_until_its_day(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    erin, frank = client_of("erin"), client_of("frank")
    draft = new_draft(erin, total_from(2023, 30))
    today = timezone.localdate()
    effective = today + dt.timedelta(days=30)
    assert submit(erin, draft, effective).status_code == 302
    published = frank.post(f"/state/packs/versions/{draft.pk}/publish/", follow=True).content.decode()
    assert f"in force from {effective:%B} {effective.day}, {effective.year}" in published
    assert ReportingPeriod.objects.get(pk=world["period"].pk).pack_version == 1
    assert "comes into force on" in erin.get("/state/packs/").content.decode()
    noon = dt.datetime.combine(effective, dt.time(12), tzinfo=timezone.get_current_timezone())
    with time_machine.travel(noon, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            run = calendar_advance()
        assert run.rules == ["2023: v1 -> v2"]
        assert calendar_advance().rules == []  # once
    assert ReportingPeriod.objects.get(pk=world["period"].pk).pack_version == 2


def test_a_malformed_draft_is_refused_naming_the_file_the_key_and_the_reason(world: dict[str, Any]) -> None:
    erin = client_of("erin")
    broken = SHIPPED.replace("      - value: 24\n", "      - value: twenty-four\n", 1)
    draft = new_draft(erin, broken, "mo-2027.yaml")
    page = erin.get(f"/state/packs/versions/{draft.pk}/").content.decode()
    assert "This draft cannot be used" in page
    assert (
        "mo-2027.yaml: requirements[0].minimum[0].value: must be a number of hours (0 or more), "
        "got &#x27;twenty-four&#x27;"
    ) in page
    refused = submit(erin, draft, timezone.localdate())
    assert refused.status_code == 400
    assert (
        "This draft cannot be used: mo-2027.yaml: requirements[0].minimum[0].value"
        in refused.content.decode()
    )
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert not RuleBookVersion.objects.filter(status="published", number__gt=1).exists()
    # Not YAML at all.
    not_yaml = new_draft(erin, "jurisdiction: [MO\n", "oops.yaml")
    assert (
        "oops.yaml: is not valid YAML at line 2"
        in erin.get(f"/state/packs/versions/{not_yaml.pk}/").content.decode()
    )


def test_a_draft_that_changes_nothing_or_lacks_a_reason_or_a_date_is_not_submitted(
    world: dict[str, Any],
) -> None:
    erin = client_of("erin")
    same = new_draft(erin, SHIPPED)
    refused = submit(erin, same, timezone.localdate())
    assert "decides every period exactly as version 1 in force does" in refused.content.decode()
    changed = new_draft(erin, total_from(2030, 26))
    no_reason = submit(erin, changed, timezone.localdate(), reason=" ")
    assert no_reason.status_code == 400
    past = submit(erin, changed, timezone.localdate() - dt.timedelta(days=1))
    assert "The effective date must be today or later" in past.content.decode()
    changed.refresh_from_db()
    assert changed.status == "draft"


def test_the_director_returns_a_draft_with_a_note_staff_see(world: dict[str, Any]) -> None:
    erin, frank = client_of("erin"), client_of("frank")
    draft = new_draft(erin, total_from(2030, 26))
    submit(erin, draft, timezone.localdate() + dt.timedelta(days=10))
    frank.post(f"/state/packs/versions/{draft.pk}/return/", {"note": "Cite the board minutes."})
    draft.refresh_from_db()
    assert (draft.status, draft.returned_note) == ("draft", "Cite the board minutes.")
    assert "Cite the board minutes." in erin.get(f"/state/packs/versions/{draft.pk}/").content.decode()
    assert events_for(draft).filter(action="rules.draft_return", actor=world["frank"]).exists()


def test_staff_cannot_publish_and_the_director_cannot_prepare(world: dict[str, Any]) -> None:
    erin, frank = client_of("erin"), client_of("frank")
    draft = new_draft(erin, total_from(2030, 26))
    submit(erin, draft, timezone.localdate() + dt.timedelta(days=10))
    assert erin.post(f"/state/packs/versions/{draft.pk}/publish/").status_code == 404
    assert frank.get("/state/packs/versions/new/").status_code == 404
    assert frank.post(f"/state/packs/versions/{draft.pk}/submit/", {}).status_code == 404
    draft.refresh_from_db()
    assert draft.status == "submitted"


@pytest.mark.parametrize("username", ["alice", "bob", "carol", "dave"])
def test_nobody_outside_post_reaches_the_rules(world: dict[str, Any], username: str) -> None:
    draft = new_draft(client_of("erin"), total_from(2030, 26))
    client = client_of(username)
    for url in (
        "/state/packs/",
        "/state/packs/versions/new/",
        f"/state/packs/versions/{draft.pk}/",
        f"/state/packs/versions/{draft.pk}/rules.yaml",
        f"/state/packs/versions/{draft.pk}/edit/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/state/packs/versions/{draft.pk}/publish/").status_code == 404


def test_a_drafts_impact_is_previewed_on_a_period(
    world: dict[str, Any], django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    compliance_recompute(period=world["period"], officer_ids=[world["officer"].pk])
    erin = client_of("erin")
    draft = new_draft(erin, total_from(2023, 30))
    with django_capture_on_commit_callbacks(execute=True):
        response = erin.post(f"/state/packs/versions/{draft.pk}/impact/", {"period": world["period"].pk})
    assert response["Location"] == "/state/packs/impact/"
    # Kept with the draft version it previews.
    assert draft.impact_previews.get().status == "queued"
    run_worker()
    page = erin.get("/state/packs/impact/")
    assert page.context["impact"].officers == 1
    assert f"draft {draft.pk}" in page.content.decode()
    # The version's page keeps the preview's counts, for the Director too.
    version_page = client_of("frank").get(f"/state/packs/versions/{draft.pk}/").content.decode()
    assert "Last preview, on the 2023 officers" in version_page


def test_a_draft_says_which_periods_not_open_yet_it_changes(world: dict[str, Any]) -> None:
    erin = client_of("erin")
    page = erin.get(f"/state/packs/versions/{new_draft(erin, total_from(2030, 26)).pk}/").content.decode()
    assert "It changes the rules of periods not open yet: <strong>2030 on</strong>." in page
    copied = erin.post("/state/packs/versions/new/", {"copy": "1"})
    draft = RuleBookVersion.objects.order_by("-id").first()
    assert copied.status_code == 302
    assert draft is not None
    assert "\nversion: 1\n" not in draft.text  # the number is given on publication
    assert (
        "It changes no period not open yet."
        in erin.get(f"/state/packs/versions/{draft.pk}/").content.decode()
    )
