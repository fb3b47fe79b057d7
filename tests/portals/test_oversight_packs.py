"""Rule packs as POST staff and the Director read them, and the rule-change impact preview: a
draft pack evaluated against every officer of a period, compared with the installed pack."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from clee.compliance import impact as impact_module
from clee.compliance.impact import (
    draft_pack_read,
    impact_preview_cancel,
    impact_preview_request,
    impact_preview_run,
    pack_impact,
)
from clee.compliance.models import ComplianceResult, ImpactPreview
from clee.compliance.rulebooks import period_pack
from clee.core.models import AuditEvent
from clee.officers.models import Officer
from clee.rules import PackError
from clee.rules.pack import PACKS_DIR
from tests.portals.test_oversight_statewide import build_state, client_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def state(world: dict[str, Any]) -> dict[str, Any]:
    """The hand-built state of ``test_oversight_statewide``."""
    return build_state(world)


# The shipped rule book: a draft is a whole book (a one-period pack file is read too).
PACK_2023 = (PACKS_DIR / "mo.yaml").read_text(encoding="utf-8")
FIREARMS_MINIMUM = (
    "  - key: firearms\n    label: Skill Development – Firearms\n"
    "    where: {core_area: skill_development, subject: firearms, delivery: live}\n"
    "    minimum:\n      - value: 2\n"
)


def firearms_raised_to(hours: int) -> str:
    """The rule book with the firearms minimum raised to ``hours``."""
    assert FIREARMS_MINIMUM in PACK_2023
    return PACK_2023.replace(FIREARMS_MINIMUM, FIREARMS_MINIMUM.replace("value: 2", f"value: {hours}"))


def upload(text: str, name: str = "draft-2023.yaml") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="application/yaml")


# Pack pages ---------------------------------------------------------------------------------


def test_the_packs_page_lists_every_installed_pack_with_its_period(world: dict[str, Any]) -> None:
    response = client_of("erin").get("/state/packs/")
    assert response.status_code == 200
    # The periods on record (2023 here) and next year's, under the rules in force.
    years = [row.year for row in response.context["rows"]]
    assert years == [str(timezone.localdate().year + 1), "2023"]
    page = response.content.decode()
    assert "<h1>Rule packs</h1>" in page
    assert 'href="/state/packs/2023/"' in page
    assert "Skill Development – Firearms 2" in page
    assert "Computer-based hours ≤ 22" in page
    row_2023 = next(row for row in response.context["rows"] if row.year == "2023")
    assert row_2023.period == world["period"]


def test_a_pack_shows_each_value_with_its_dates_and_citation(world: dict[str, Any]) -> None:
    response = client_of("frank").get("/state/packs/2023/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Rule pack 2023</h1>" in page
    assert "March 15, 2024" in page  # the grace deadline
    assert "11 CSR 75-15.080; seed 001 (compliance shown by March 15 of the following year)" in page
    assert "seed 001 (2 hours of Skill Development in Firearms, live and hands-on)" in page
    assert "core area: Skill Development; delivery: live; subject: firearms" in page
    assert "Jan 1, 2017 to (open)" in page
    assert "Recognized sources Jan 1, 2021 to Dec 31, 2023: AR, CA, CT" in page
    assert "Licensed on or after the first day of the reporting period" in page
    requirements = {r["key"]: r for r in response.context["requirements"]}
    assert requirements["firearms"]["value"] == 2.0
    assert requirements["firearms"]["reference"].startswith("11 CSR 75-15.020")
    assert [c["key"] for c in response.context["caps"]] == ["computer_based", "college"]


def test_a_pack_of_an_unknown_year_is_not_found(world: dict[str, Any]) -> None:
    client = client_of("erin")
    assert client.get("/state/packs/1999/").status_code == 404
    assert client.get("/state/packs/..%2Fsecrets/").status_code == 404


# The impact preview: the service -----------------------------------------------------------


def test_raising_the_firearms_minimum_to_four_hours_makes_exactly_the_officers_with_two_or_three_short(
    state: dict[str, Any],
) -> None:
    draft = draft_pack_read(content=firearms_raised_to(4).encode(), name="draft.yaml", period=state["period"])
    impact = pack_impact(period=state["period"], draft=draft, draft_name="draft.yaml")
    # Alice (2 h), Ben (3 h) and Gus (2 h) were compliant; Dan, Ivy, Jon, Kai and Mo (no
    # record yet) were short already.
    newly = {entry.officer_id for entry in impact.newly_short_officers}
    assert newly == {state["alice"].pk, state["ben"].pk, state["gus"].pk}
    assert (impact.officers, impact.deficient_now, impact.deficient_draft) == (13, 5, 8)
    assert (impact.newly_short, impact.no_longer_short) == (3, 0)
    alice = next(e for e in impact.newly_short_officers if e.officer_id == state["alice"].pk)
    assert alice.hours_needed == 2.0
    assert alice.requirements == ["Skill Development – Firearms"]
    firearms = next(r for r in impact.requirements if r.key == "firearms")
    assert (firearms.required_now, firearms.required_draft) == (2.0, 4.0)
    # Dan and Mo (no firearms) were short already; Ivy, Jon and Kai have 2 h; Alice, Ben and
    # Gus join.
    assert (firearms.short_now, firearms.short_draft) == (2, 8)


def test_the_impact_is_counted_per_agency_and_sorted_by_change(state: dict[str, Any]) -> None:
    draft = draft_pack_read(content=firearms_raised_to(4).encode(), name="draft.yaml", period=state["period"])
    impact = pack_impact(period=state["period"], draft=draft)
    rows = [(a.name, a.officers, a.deficient_now, a.deficient_draft, a.newly_short) for a in impact.agencies]
    assert rows == [
        # Alice and Ben newly short; Dan, Ivy and Mo already.
        ("Riverton Police Department", 7, 3, 5, 2),
        # Gus; Pat's commission ended (not commissioned now).
        ("Not commissioned by any agency", 2, 0, 1, 1),
        ("Hollis County Sheriff's Office", 5, 2, 2, 0),
    ]


def test_lowering_a_minimum_shows_the_officers_no_longer_short(state: dict[str, Any]) -> None:
    lowered = PACK_2023.replace("    minimum:\n      - value: 24\n", "    minimum:\n      - value: 12\n")
    draft = draft_pack_read(content=lowered.encode(), name="lower.yaml", period=state["period"])
    impact = pack_impact(period=state["period"], draft=draft)
    # Ivy (22 h) and Jon (20 h) meet every minimum of the draft; Dan (no firearms), Kai (10 h)
    # and Mo (nothing) do not.
    assert (impact.deficient_now, impact.deficient_draft, impact.no_longer_short) == (5, 3, 2)


def test_the_draft_is_never_stored_as_the_periods_pack(state: dict[str, Any]) -> None:
    before = list(ComplianceResult.objects.order_by("pk").values_list("status", "additional_hours_needed"))
    draft = draft_pack_read(content=firearms_raised_to(4).encode(), name="draft.yaml", period=state["period"])
    pack_impact(period=state["period"], draft=draft)
    assert (
        next(r for r in period_pack(state["period"]).requirements if r.key == "firearms").minimum.value == 2
    )
    assert (
        list(ComplianceResult.objects.order_by("pk").values_list("status", "additional_hours_needed"))
        == before
    )


def test_the_preview_reports_progress_batch_by_batch_and_stops_when_cancelled(state: dict[str, Any]) -> None:
    draft = draft_pack_read(content=firearms_raised_to(4).encode(), name="draft.yaml", period=state["period"])
    seen: list[int] = []
    whole = pack_impact(
        period=state["period"], draft=draft, progress=lambda count: seen.append(count) or True
    )
    assert sum(seen) == whole.officers == 13
    # Cancelled after the first batch (a CHUNK of officers): more officers than one batch.
    Officer.objects.bulk_create(
        Officer(
            license_number=f"X{n:07d}",
            first_name="Extra",
            last_name=f"Officer {n}",
            date_of_birth=dt.date(1990, 1, 1),
            licensed_on=dt.date(2010, 1, 1),
        )
        for n in range(impact_module.CHUNK)
    )
    with pytest.raises(impact_module.PreviewCancelledError):
        pack_impact(period=state["period"], draft=draft, progress=lambda count: False)


def test_a_malformed_draft_is_refused_with_the_key_path_and_the_reason(world: dict[str, Any]) -> None:
    broken = firearms_raised_to(4).replace("      - value: 4\n", "      - value: four\n")
    with pytest.raises(PackError) as refused:
        draft_pack_read(content=broken.encode(), name="my-draft.yaml", period=world["period"])
    assert str(refused.value) == (
        "my-draft.yaml: requirements[5].minimum[0].value: must be a number of hours (0 or more), got 'four'"
    )


# The impact preview: the page --------------------------------------------------------------


def test_the_impact_page_queues_the_preview_shows_its_progress_then_the_preview(
    state: dict[str, Any], django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    client = client_of("erin")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/state/packs/impact/", {"period": state["period"].pk, "draft": upload(firearms_raised_to(4))}
        )
    assert response.status_code == 302
    assert response["Location"] == "/state/packs/impact/"
    preview = ImpactPreview.objects.get()
    assert (preview.status, preview.requested_by, preview.officers_total) == ("queued", state["erin"], 13)
    # Nothing was evaluated in the request: the page follows the queued preview, polling.
    waiting = client.get("/state/packs/impact/")
    assert "impact" not in waiting.context
    html = waiting.content.decode()
    assert "waiting for a worker" in html
    assert f'hx-get="/state/packs/impact/{preview.pk}/progress/"' in html
    assert 'hx-trigger="every 2s"' in html
    assert client.get(f"/state/packs/impact/{preview.pk}/progress/").get("HX-Refresh") is None
    run_worker()
    preview.refresh_from_db()
    assert (preview.status, preview.officers_done) == ("done", 13)
    assert client.get(f"/state/packs/impact/{preview.pk}/progress/")["HX-Refresh"] == "true"
    page = client.get("/state/packs/impact/")
    impact = page.context["impact"]
    assert (impact.deficient_now, impact.deficient_draft, impact.newly_short) == (5, 8, 3)
    assert [row["officer"].first_name for row in page.context["newly_short"]] == ["Alice", "Ben", "Gus"]
    assert page.context["newly_short"][0]["agencies"] == "Riverton Police Department"
    html = page.content.decode()
    assert "draft-2023.yaml against the 2023 officers" in html
    assert "+3" in html  # the statewide change
    assert client.session["oversight.impact"] == {"preview": preview.pk}
    assert "value: 4" in preview.draft_text
    # The period's pack is unchanged: the installed pack still asks 2 firearms hours.
    assert (
        next(r for r in period_pack(state["period"]).requirements if r.key == "firearms").minimum.value == 2
    )


def test_a_preview_is_cancelled_by_the_person_who_asked_and_no_one_else(
    state: dict[str, Any], django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    erin, frank = client_of("erin"), client_of("frank")
    with django_capture_on_commit_callbacks(execute=True):
        erin.post(
            "/state/packs/impact/", {"period": state["period"].pk, "draft": upload(firearms_raised_to(4))}
        )
    preview = ImpactPreview.objects.get()
    # Another statewide user cannot see or cancel it: the same 404 as for a missing preview.
    assert frank.post(f"/state/packs/impact/{preview.pk}/cancel/").status_code == 404
    assert frank.get(f"/state/packs/impact/{preview.pk}/progress/").status_code == 404
    assert erin.post(f"/state/packs/impact/{preview.pk}/cancel/").status_code == 302
    preview.refresh_from_db()
    assert (preview.status, preview.cancel_requested) == ("cancelled", True)
    run_worker()  # the queued job finds it cancelled and does nothing
    preview.refresh_from_db()
    assert (preview.status, preview.result) == ("cancelled", None)
    assert "was cancelled" in erin.get("/state/packs/impact/").content.decode()
    assert AuditEvent.objects.filter(action="rules.impact_preview_cancel", actor=state["erin"]).count() == 1


def test_a_running_preview_stops_at_its_next_batch_once_cancelled(state: dict[str, Any]) -> None:
    preview = impact_preview_request(
        period=state["period"],
        content=firearms_raised_to(4).encode(),
        name="d.yaml",
        acting_user=state["erin"],
    )
    Officer.objects.bulk_create(
        Officer(
            license_number=f"X{n:07d}",
            first_name="Extra",
            last_name=f"Officer {n}",
            date_of_birth=dt.date(1990, 1, 1),
            licensed_on=dt.date(2010, 1, 1),
        )
        for n in range(impact_module.CHUNK)
    )
    calls: list[int] = []
    record = impact_module.impact_preview_progress

    def cancelled_during_the_first_batch(preview_id: int, count: int) -> bool:
        # The person cancels while the first batch is evaluated (the page's Cancel button).
        calls.append(count)
        impact_preview_cancel(preview=preview, acting_user=state["erin"])
        return record(preview_id, count)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(impact_module, "impact_preview_progress", cancelled_during_the_first_batch)
        assert impact_preview_run(preview_id=preview.pk) == {"cancelled": preview.pk}
    preview.refresh_from_db()
    assert (preview.status, preview.officers_done, calls) == (
        "cancelled",
        impact_module.CHUNK,
        [impact_module.CHUNK],
    )
    assert preview.result is None


def test_the_kept_draft_can_be_run_again_and_discarded(
    state: dict[str, Any], django_capture_on_commit_callbacks: Any, run_worker: Any
) -> None:
    client = client_of("frank")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/state/packs/impact/", {"period": state["period"].pk, "draft": upload(firearms_raised_to(4))}
        )
        rerun = client.post("/state/packs/impact/", {"rerun": "1"})
    assert rerun.status_code == 302
    # The first is cancelled by the second: one preview at a time per person.
    cancelled = ImpactPreview.objects.order_by("pk").values_list("status", "cancel_requested")
    assert list(cancelled) == [("cancelled", True), ("queued", False)]
    run_worker()
    assert client.get("/state/packs/impact/").context["impact"].newly_short == 3
    discarded = client.post("/state/packs/impact/discard/")
    assert discarded.status_code == 302
    assert "oversight.impact" not in client.session
    assert "impact" not in client.get("/state/packs/impact/").context


def test_the_impact_page_shows_the_loaders_message_for_a_malformed_draft(state: dict[str, Any]) -> None:
    broken = PACK_2023.replace("  - key: firearms\n", "  - kee: firearms\n")
    response = client_of("erin").post(
        "/state/packs/impact/", {"period": state["period"].pk, "draft": upload(broken)}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The draft was not loaded" in html
    assert (
        "This draft cannot be used: draft-2023.yaml: requirements[5].kee: is not a key of a rule book here"
        in html
    )
    assert 'aria-invalid="true"' in html
    assert "impact" not in response.context


def test_the_impact_page_refuses_a_draft_that_is_not_yaml_or_for_another_period(
    state: dict[str, Any],
) -> None:
    client = client_of("erin")
    period = state["period"].pk
    not_yaml = client.post("/state/packs/impact/", {"period": period, "draft": upload("jurisdiction: [MO\n")})
    assert "draft-2023.yaml: is not valid YAML at line 2, column 1" in not_yaml.content.decode()
    other_state = PACK_2023.replace("jurisdiction: MO", "jurisdiction: KS")
    refused = client.post("/state/packs/impact/", {"period": period, "draft": upload(other_state)})
    assert "jurisdiction: the file is for KS" in refused.content.decode()
    wrong_type = client.post(
        "/state/packs/impact/", {"period": period, "draft": upload(PACK_2023, "pack.pdf")}
    )
    assert "Choose a YAML file (.yaml or .yml)" in wrong_type.content.decode()
    binary = client.post(
        "/state/packs/impact/", {"period": period, "draft": SimpleUploadedFile("x.yaml", b"\xff\xfe\x00bad")}
    )
    assert "is not a YAML text file (UTF-8)" in binary.content.decode()
    assert "oversight.impact" not in client.session


def test_a_draft_larger_than_256_kb_is_refused(state: dict[str, Any]) -> None:
    padded = PACK_2023 + "# " + "x" * (256 * 1024) + "\n"
    response = client_of("erin").post(
        "/state/packs/impact/", {"period": state["period"].pk, "draft": upload(padded)}
    )
    assert response.status_code == 200
    assert re.search(
        r"The file is 2\d\d KB; a draft rule pack may be at most 256 KB", response.content.decode()
    )
    with pytest.raises(PackError, match="may be at most 256 KB"):
        draft_pack_read(content=padded.encode(), name="big.yaml", period=state["period"])


def test_the_impact_form_needs_its_csrf_token(state: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="erin", password="correct horse battery staple")
    response = client.post("/state/packs/impact/", {"period": state["period"].pk, "draft": upload(PACK_2023)})
    assert response.status_code == 403


def test_the_impact_preview_is_hidden_from_everyone_but_post_staff_and_the_director(
    state: dict[str, Any],
) -> None:
    for username in ("alice", "bob", "carol", "dave"):
        client = client_of(username)
        draft = upload(firearms_raised_to(4))
        assert (
            client.post("/state/packs/impact/", {"period": state["period"].pk, "draft": draft}).status_code
            == 404
        )
        assert client.post("/state/packs/impact/discard/").status_code == 404


def test_the_preview_counts_hours_short_as_the_engine_does(state: dict[str, Any]) -> None:
    draft = draft_pack_read(content=firearms_raised_to(5).encode(), name="d.yaml", period=state["period"])
    impact = pack_impact(period=state["period"], draft=draft)
    cara = ComplianceResult.objects.get(officer=state["cara"], period=state["period"])
    assert (cara.status, cara.additional_hours_needed) == ("compliant", Decimal(0))
    entry = next(e for e in impact.newly_short_officers if e.officer_id == state["cara"].pk)
    assert entry.hours_needed == 1.0  # 4 firearms hours of 5


def test_a_preview_kept_in_an_unknown_shape_is_dropped(state: dict[str, Any]) -> None:
    client = client_of("erin")
    session = client.session
    session["oversight.impact"] = {"period": 2023, "name": "old.yaml", "draft": "", "impact": {"year": 2023}}
    session.save()
    response = client.get("/state/packs/impact/")
    assert response.status_code == 200
    assert "impact" not in response.context
    assert "oversight.impact" not in client.session
