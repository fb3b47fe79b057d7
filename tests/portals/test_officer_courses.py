"""Courses that close my gap: upcoming approved offerings ranked by the rules engine, by how many
of the officer's missing hours each would close, not by keywords or length."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from clee.portals.officer.ranking import rank_offerings, upcoming_offerings
from clee.providers.models import Course, Offering, Provider
from tests.portals.test_officer_support import (
    COMPLIANT_LINES,
    NO_TECHNICAL_LINES,
    client_of,
    course_with_offering,
    give_record,
    offering_of,
)

pytestmark = pytest.mark.django_db

D = Decimal


def titles(response: Any) -> list[str]:
    return [item.course.title for item in response.context["page_obj"].object_list]


def test_a_short_course_in_the_missing_area_outranks_a_long_one_in_a_full_area(world: dict[str, Any]) -> None:
    # Alice has 22 hours and no Technical Studies: 2 hours short, both technical.
    give_record(world["officer"], world["period"], NO_TECHNICAL_LINES)
    provider = world["provider"]
    # Ranked by hours or by a match on "legal"/"studies", this 16-hour course would come first;
    # it adds hours to an area that is already full and closes nothing.
    course_with_offering(
        provider, "LS-16", "Legal studies intensive", [("legal_studies", "", D(16), {})], days_ahead=3
    )
    course_with_offering(
        provider, "TS-1", "Radio procedure", [("technical_studies", "", D(1), {})], days_ahead=5
    )
    course_with_offering(
        provider,
        "TS-2",
        "Report writing",
        [("technical_studies", "", D(2), {})],
        days_ahead=20,
    )
    response = client_of("alice").get("/officer/courses/")
    assert titles(response) == ["Report writing", "Radio procedure", "Legal studies intensive"]
    assert [item.closes for item in response.context["page_obj"].object_list] == [D(2), D(1), D(0)]
    page = response.content.decode()
    assert "You need 2 more hours: 2 hours of Technical Studies." in page
    assert "For the 2023 reporting period." in page
    assert "closes 2 of your 2 missing hours" in page
    assert "closes 1 of your 2 missing hours" in page
    assert "closes none of your missing hours" in page
    assert "Closes your gap" in page


def test_topic_hours_inside_a_course_close_a_topic_gap(world: dict[str, Any]) -> None:
    # 24 hours with everything but implicit bias: 1 hour short, of implicit bias.
    lines = list(COMPLIANT_LINES)
    lines[2] = type(lines[2])(
        core_area="interpersonal_perspectives", hours=D(6), topics={"racial_profiling": 1, "de_escalation": 1}
    )
    give_record(world["officer"], world["period"], lines)
    provider = world["provider"]
    course_with_offering(
        provider, "IP-8", "Community relations", [("interpersonal_perspectives", "", D(8), {})]
    )
    course_with_offering(
        provider,
        "LS-2",
        "Legal update with bias module",
        [("legal_studies", "", D(2), {"implicit_bias": 1.0})],
        days_ahead=30,
    )
    response = client_of("alice").get("/officer/courses/")
    assert titles(response) == ["Legal update with bias module", "Community relations"]
    assert response.context["ranking"].missing == D(1)


def test_a_computer_based_course_cannot_close_the_live_firearms_hours(world: dict[str, Any]) -> None:
    lines = [line for line in COMPLIANT_LINES if line.subject != "firearms"]
    lines.append(type(lines[0])(core_area="legal_studies", hours=D(6)))
    give_record(world["officer"], world["period"], lines)  # 24 hours, no firearms: 2 short
    provider = world["provider"]
    course_with_offering(
        provider,
        "FA-ONLINE",
        "Firearms theory online",
        [("skill_development", "firearms", D(2), {})],
        delivery="computer_based",
        days_ahead=2,
    )
    course_with_offering(
        provider,
        "FA-LIVE",
        "Range qualification",
        [("skill_development", "firearms", D(2), {})],
        days_ahead=9,
    )
    response = client_of("alice").get("/officer/courses/")
    assert titles(response) == ["Range qualification", "Firearms theory online"]
    assert [item.closes for item in response.context["page_obj"].object_list] == [D(2), D(0)]


def test_ties_go_to_the_earlier_then_the_shorter_course(world: dict[str, Any]) -> None:
    give_record(world["officer"], world["period"], NO_TECHNICAL_LINES)
    provider = world["provider"]
    course_with_offering(
        provider, "T-LATE", "Technical, later", [("technical_studies", "", D(2), {})], days_ahead=40
    )
    course_with_offering(
        provider,
        "T-LONG",
        "Technical, long",
        [("technical_studies", "", D(2), {}), ("legal_studies", "", D(6), {})],
        days_ahead=10,
    )
    course_with_offering(
        provider, "T-SHORT", "Technical, short", [("technical_studies", "", D(2), {})], days_ahead=10
    )
    response = client_of("alice").get("/officer/courses/")
    assert titles(response) == ["Technical, short", "Technical, long", "Technical, later"]


def test_only_upcoming_offerings_of_approved_courses_are_candidates(world: dict[str, Any]) -> None:
    provider = world["provider"]
    offering_of(world["course"], days_ahead=-1)  # started yesterday
    today = offering_of(world["course"], days_ahead=0)
    course_with_offering(
        provider, "PEND-1", "Awaiting review", [("legal_studies", "", D(2), {})], status=Course.Status.PENDING
    )
    lapsed = course_with_offering(provider, "OLD-1", "Approval lapsed", [("legal_studies", "", D(2), {})])
    Course.objects.filter(pk=lapsed.course_id).update(approved_until=timezone.localdate())
    assert list(upcoming_offerings(timezone.localdate())) == [today]


def test_a_compliant_officer_is_told_so_and_may_still_browse(world: dict[str, Any]) -> None:
    give_record(world["officer"], world["period"], COMPLIANT_LINES)
    offering_of(world["course"], days_ahead=14, location="Jefferson City Academy, Room 2")
    response = client_of("alice").get("/officer/courses/")
    page = response.content.decode()
    assert "You meet the 2023 requirement: no course is needed." in page
    assert "Legal update and de-escalation" in page
    assert "Jefferson City Academy, Room 2" in page
    assert "missing hours" not in page


def test_an_officer_with_no_record_yet_needs_every_hour(world: dict[str, Any]) -> None:
    offering_of(world["course"], days_ahead=14)
    response = client_of("alice").get("/officer/courses/")
    assert response.context["ranking"].missing == D(24)
    assert "closes 4 of your 24 missing hours" in response.content.decode()


def test_hundreds_of_offerings_are_ranked_in_one_batch_with_a_few_queries(
    world: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    give_record(world["officer"], world["period"], NO_TECHNICAL_LINES)
    provider = Provider.objects.create(
        number="LP-0100", name="Ozark Regional Academy", kind="licensed", credit_class="approved",
        approved_from=dt.date(2015, 1, 1),
    )  # fmt: skip
    areas = ["legal_studies", "technical_studies", "interpersonal_perspectives"]
    offerings = []
    for index in range(120):
        offering = course_with_offering(
            provider, f"C-{index:03d}", f"Course {index}", [(areas[index % 3], "", D(1 + index % 4), {})],
            days_ahead=1 + index % 60,
        )  # fmt: skip
        offerings.append(offering)
        for extra in (70, 140):
            offering_of(offering.course, days_ahead=extra + index % 30)
    assert Offering.objects.count() == 360
    client = client_of("alice")
    with django_assert_max_num_queries(20):
        response = client.get("/officer/courses/")
    ranked = response.context["ranking"].offerings
    assert len(ranked) == 360
    assert ranked[0].closes == D(2)
    assert all(a.closes >= b.closes for a, b in itertools.pairwise(ranked))
    assert {r.closes for r in ranked if r.course.portions.first().core_area != "technical_studies"} == {D(0)}


def test_the_ranking_is_the_engines_answer_for_the_officer_with_the_course_added(
    world: dict[str, Any],
) -> None:
    give_record(world["officer"], world["period"], NO_TECHNICAL_LINES)
    offering = course_with_offering(
        world["provider"], "TS-2", "Report writing", [("technical_studies", "", D(2), {})]
    )
    ranking = rank_offerings(world["officer"], world["period"], [offering])
    assert ranking is not None
    assert (ranking.missing, ranking.status, ranking.offerings[0].closes) == (D(2), "deficient", D(2))


def test_an_exempt_officer_is_told_nothing_is_required(world: dict[str, Any]) -> None:
    from clee.compliance.services import exemption_grant
    from tests.portals.test_officer_support import recompute

    exemption_grant(
        officer=world["officer"], period=world["period"], reason="Military leave", acting_user=world["erin"]
    )
    recompute(world["officer"], world["period"])
    offering_of(world["course"], days_ahead=14)
    response = client_of("alice").get("/officer/courses/")
    assert response.context["ranking"].status == "exempt"
    assert "You are exempt for 2023: nothing is required of you." in response.content.decode()
