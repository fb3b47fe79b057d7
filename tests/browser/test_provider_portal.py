"""The provider's portal in a browser: a roster with a bad row, fixed and recorded; a course
submitted with its documents; offerings with their instructors; every page checked for
accessibility and kept as a screenshot, on a desktop and at phone width."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from clee.demo.pdf import tiny_pdf
from clee.officers.models import Officer
from clee.providers.models import Course, Offering
from clee.providers.offerings import InstructorSpec
from clee.training.models import TrainingRecord
from clee.workflows.instructor_credit import offering_save_and_credit

pytestmark = pytest.mark.django_db(transaction=True)

PDF = tiny_pdf("A synthetic certificate", ["Completed: 4 hours"])
HEADER = "License Number,Last Name,Course Number,Completion Date,Hours"


def write(folder: Path, name: str, content: str | bytes) -> str:
    path = folder / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return str(path)


def test_a_providers_roster_upload_with_a_bad_row(
    world: dict[str, Any], signed_in: Callable[..., Any], look: Callable[..., None], tmp_path: Path
) -> None:
    page = signed_in(world["dave"])
    page.get_by_role("link", name="Rosters", exact=True).click()
    page.wait_for_url("**/provider/rosters/")
    look(page, "provider-rosters")

    bad = write(
        tmp_path,
        "march.csv",
        f"{HEADER}\nP1000001,Avery,CMA-101,2023-03-14,\nP1000099,Avery,CMA-101,2023-03-15,\n",
    )
    page.locator("#id_file").set_input_files(bad)
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url("**/provider/rosters/uploads/*/")
    expect(page.get_by_role("heading", name="1 error in 1 row: nothing can be recorded yet")).to_be_visible()
    error_row = page.get_by_role("row").filter(has_text="no officer has license number P1000099")
    assert error_row.get_by_role("rowheader").inner_text() == "3"
    assert "license_number" in error_row.inner_text()
    assert page.get_by_role("button", name="Record the completions").count() == 0
    look(page, "provider-roster-preview-errors")

    fixed = write(
        tmp_path,
        "march-fixed.csv",
        f"{HEADER}\nP1000001,Avery,CMA-101,2023-03-14,\nP1000001,Avery,CMA-101,2023-03-15,2\n",
    )
    page.locator("#id_file").set_input_files(fixed)
    page.get_by_role("button", name="Upload and preview").click()
    page.wait_for_url("**/provider/rosters/uploads/*/")
    expect(page.get_by_role("heading", name="Record 2 completions")).to_be_visible()
    look(page, "provider-roster-preview-clean")
    page.get_by_role("button", name="Record the completions").click()
    page.wait_for_url("**/provider/rosters/*/")
    expect(page.get_by_text("march-fixed.csv: 2 completions recorded, 0 already on file.")).to_be_visible()
    look(page, "provider-roster-recorded")

    records = TrainingRecord.objects.filter(officer=world["officer"], course=world["course"])
    assert sorted(r.completed_on for r in records) == [dt.date(2023, 3, 14), dt.date(2023, 3, 15)]
    assert all(r.import_batch is not None for r in records)


def test_a_provider_submits_a_course_with_documents(
    world: dict[str, Any], signed_in: Callable[..., Any], look: Callable[..., None], tmp_path: Path
) -> None:
    page = signed_in(world["dave"])
    look(page, "provider-courses")
    page.get_by_role("link", name="Submit a course for approval").click()
    page.wait_for_url("**/provider/courses/new/")
    look(page, "provider-course-new")

    page.get_by_label("Course title").fill("Crisis intervention and de-escalation")
    page.get_by_label("Course number").fill("CMA-220")
    page.get_by_label("Course hours").fill("6")
    page.get_by_label("Synopsis").fill("Recognizing a crisis; slowing an encounter down; words that calm.")
    page.get_by_label("Learning objectives").fill(
        "Name the signs of a crisis.\nUse three de-escalation techniques."
    )
    first = page.locator("#split-row-1")
    first.get_by_label("Core area").select_option("interpersonal_perspectives")
    first.get_by_label("Hours", exact=True).fill("4")
    first.get_by_label("De-escalation hours").fill("3")
    # A firearms row outside Skill Development, refused next to its subject.
    second = page.locator("#split-row-2")
    second.get_by_label("Core area").select_option("technical_studies")
    second.get_by_label("Subject").select_option("firearms")
    second.get_by_label("Hours", exact=True).fill("2")
    page.locator("#id_instructor_record").set_input_files(write(tmp_path, "instructors.pdf", PDF))
    page.locator("#id_sample_certificate").set_input_files(write(tmp_path, "certificate.pdf", PDF))
    page.get_by_role("button", name="Submit for approval").click()
    alert = page.locator("#form-errors")
    assert "Firearms is a subject of Skill Development only" in alert.inner_text()
    look(page, "provider-course-new-errors")

    second = page.locator("#split-row-2")
    second.get_by_label("Core area").select_option("skill_development")
    # Another row, through htmx, for nothing but to show it comes.
    rows = page.locator("#split-rows > fieldset")
    before = rows.count()
    page.get_by_role("button", name="Add a row").click()
    # A locator, not wait_for_function: the page's Content-Security-Policy allows no eval.
    expect(rows).to_have_count(before + 1)
    assert page.locator("#id_portions-TOTAL_FORMS").input_value() == str(before + 1)
    page.locator("#id_instructor_record").set_input_files(write(tmp_path, "instructors.pdf", PDF))
    page.locator("#id_sample_certificate").set_input_files(write(tmp_path, "certificate.pdf", PDF))
    page.get_by_role("button", name="Submit for approval").click()
    page.wait_for_url("**/provider/courses/*/")
    expect(page.get_by_role("heading", name="Awaiting POST's review")).to_be_visible()
    assert page.get_by_role("link", name="instructors.pdf (opens in a new tab)").count() >= 1
    look(page, "provider-course-detail")

    course = Course.objects.get(number="CMA-220")
    assert course.status == Course.Status.PENDING
    assert [(p.core_area, p.subject, p.hours) for p in course.portions.all()] == [
        ("interpersonal_perspectives", "", Decimal(4)),
        ("skill_development", "firearms", Decimal(2)),
    ]
    assert sorted(course.documents.values_list("kind", flat=True)) == [
        "instructor_record",
        "sample_certificate",
    ]

    page.get_by_role("link", name="Withdraw it").click()
    look(page, "provider-course-withdraw")
    page.get_by_role("button", name="Withdraw the course").click()
    page.wait_for_url(f"**/provider/courses/{course.pk}/")
    course.refresh_from_db()
    assert course.status == Course.Status.WITHDRAWN


def test_offerings_and_their_instructors(
    world: dict[str, Any], signed_in: Callable[..., Any], look: Callable[..., None]
) -> None:
    teacher = Officer.objects.create(
        license_number="P2000002",
        first_name="Grace",
        last_name="Brooks",
        date_of_birth=dt.date(1980, 6, 9),
        licensed_on=dt.date(2005, 3, 1),
    )
    offering_save_and_credit(
        offering=Offering(
            course=world["course"],
            starts_on=dt.date(2023, 5, 1),
            ends_on=dt.date(2023, 5, 2),
            location="Academy range",
        ),
        instructors=[InstructorSpec(officer_id=teacher.pk, hours_taught=Decimal(3))],
        acting_user=world["dave"],
    )
    page = signed_in(world["dave"])
    page.get_by_role("link", name="Offerings", exact=True).click()
    page.wait_for_url("**/provider/offerings/")
    look(page, "provider-offerings")

    page.get_by_role("link", name="Schedule an offering").click()
    page.wait_for_url("**/provider/offerings/new/")
    page.get_by_label("Course").select_option(label="CMA-101 Legal update and de-escalation")
    page.get_by_label("First day").fill("2023-06-12")
    page.get_by_label("Last day").fill("2023-06-12")
    page.get_by_label("Place").fill("Riverton community center, 4 Oak Street")
    first = page.locator("#instructor-row-1")
    first.get_by_label("License number").fill("P2000002")
    first.get_by_label("Hours taught").fill("2")
    look(page, "provider-offering-new")
    page.get_by_role("button", name="Schedule the offering").click()
    page.wait_for_url("**/provider/offerings/*/")
    expect(page.get_by_text("2 h credited")).to_be_visible()
    look(page, "provider-offering-detail")

    assert TrainingRecord.objects.filter(officer=teacher, source="instruction").count() == 2


def test_the_providers_pages_at_phone_width(
    world: dict[str, Any], signed_in: Callable[..., Any], look: Callable[..., None]
) -> None:
    page = signed_in(world["dave"], phone=True)
    pages = {
        "provider-courses-phone": "/provider/",
        "provider-course-detail-phone": f"/provider/courses/{world['course'].pk}/",
        "provider-course-new-phone": "/provider/courses/new/",
        "provider-offerings-phone": "/provider/offerings/",
        "provider-rosters-phone": "/provider/rosters/",
    }
    for name, url in pages.items():
        page.goto(url)
        look(page, name)
        # Nothing wider than the phone: no sideways scrolling.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, name
