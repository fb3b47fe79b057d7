"""The demo state's catalog: approved courses with their portions and offerings, the courses
each officer's plan picks for a period, the upcoming offerings, and the recognized out-of-state
list and courses.

Named ``courses`` because ``clee.demo.catalog`` holds the catalog's data (titles, hours,
areas) this module loads."""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import math
from collections import Counter
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from django.conf import settings

from clee.accounts.models import User
from clee.compliance.models import RecognizedSource
from clee.compliance.recognized import recognized_source_add
from clee.core.actions import AuditAction
from clee.core.choices import ProviderCredit
from clee.demo import catalog
from clee.demo.loader_base import LoaderBase
from clee.demo.plans import (
    AREA_NEED,
    DEMO_RECOGNITION_REFERENCE,
    DEMO_RECOGNIZED,
    NEED_MINIMUM,
    OUT_OF_STATE_WINDOW,
    TOPIC_NEEDS,
    _CourseInfo,
    _covers,
    _initials,
    _OfficerPlan,
)
from clee.providers.models import (
    Course,
    CourseDocument,
    CoursePortion,
    Offering,
    OfferingInstructor,
    Provider,
    RecognizedCourse,
)
from clee.training.services import LineSpec


class Catalog(LoaderBase):
    def _courses(self) -> None:
        rng = self.rng
        staff, provider_user = self.users[User.Role.POST_STAFF], self.users[User.Role.PROVIDER]
        placed: list[tuple[Provider, catalog.CourseTemplate, str]] = []
        for i, template in enumerate(catalog.ACADEMY_COURSES):
            placed.append((self.academies[i % len(self.academies)], template, "approved"))
        placed += [(self.online, template, "approved") for template in catalog.ONLINE_COURSES]
        firearms = catalog.IN_SERVICE_COURSES[0]
        for provider in self.in_service.values():
            others = rng.sample(catalog.IN_SERVICE_COURSES[1:], 2)
            placed += [
                (provider, t, "approved") for t in ([firearms, others[0]] if rng.random() < 0.7 else others)
            ]
        for provider, template in zip(self.out_of_state, catalog.OUT_OF_STATE_COURSES, strict=False):
            placed.append((provider, template, "expired"))
        pending = catalog.PENDING_COURSES
        placed += [(self.academies[0], pending[0], "pending"), (self.academies[0], pending[1], "pending")]
        placed += [(self.online, pending[2], "pending"), (self.academies[0], pending[3], "pending")]
        placed.append((self.academies[1], catalog.DENIED_COURSE, "denied"))

        courses: list[Course] = []
        numbers: Counter[int] = Counter()
        for provider, template, state in placed:
            numbers[provider.pk] += 1
            course = Course(
                provider=provider,
                number=f"{_initials(provider.name)}-{100 + numbers[provider.pk]}",
                title=template.title,
                hours=Decimal(template.hours),
                delivery=template.delivery,
                synopsis=template.synopsis
                or f"{template.title}: {template.hours} hours of continuing education.",
                learning_objectives="Apply current law, policy and practice in the field.",
            )
            submitter = provider_user if provider == self.academies[0] else None
            if state in ("approved", "expired", "denied"):
                if state == "approved":
                    # Approved before the first period shown: every record of the periods is valid.
                    first_day = dt.date(self.first_year - rng.randint(0, 4), 1, 1)
                    decided = first_day - dt.timedelta(days=rng.randint(10, 60))
                    course.status = Course.Status.APPROVED
                    course.approved_from = decided + dt.timedelta(days=rng.randint(1, 9))
                    course.approved_until = rng.choice(
                        [None, dt.date(self.today.year + 1, 12, 31), dt.date(self.today.year + 2, 12, 31)]
                    )
                elif state == "expired":
                    decided = OUT_OF_STATE_WINDOW[0] - dt.timedelta(days=rng.randint(10, 60))
                    course.status = Course.Status.APPROVED
                    course.approved_from, course.approved_until = OUT_OF_STATE_WINDOW
                else:
                    decided = self.today - dt.timedelta(days=rng.randint(5, 30))
                    course.status = Course.Status.DENIED
                    course.decision_reason = catalog.DENIED_REASON
                course.submitted_by = submitter
                course.submitted_at = self._moment(decided - dt.timedelta(days=rng.randint(14, 45)))
                course.decided_by = staff
                course.decided_at = self._moment(decided)
            else:
                course.status = Course.Status.PENDING
                course.submitted_by = submitter or self.loader
                course.submitted_at = self.now - dt.timedelta(
                    days=rng.randint(1, 25), hours=rng.randint(0, 12)
                )
            courses.append(course)
        Course.objects.bulk_create(courses)
        CoursePortion.objects.bulk_create(
            [
                CoursePortion(
                    course=course,
                    core_area=portion.core_area,
                    subject=portion.subject,
                    hours=Decimal(portion.hours),
                    topics=dict(portion.topics),
                )
                for course, (_, template, _) in zip(courses, placed, strict=True)
                for portion in template.portions
            ]
        )
        self._audit(AuditAction.COURSE_CREATE, courses, "course")
        self.counts["courses"] = len(courses)
        self.counts["approved courses"] = sum(1 for c in courses if c.status == Course.Status.APPROVED)
        self.counts["pending course submissions"] = sum(
            1 for c in courses if c.status == Course.Status.PENDING
        )

        course_documents = []
        for course in courses:
            if course.status not in (Course.Status.PENDING, Course.Status.DENIED):
                continue
            for kind, title in (
                (CourseDocument.Kind.SYNOPSIS, "Course synopsis"),
                (CourseDocument.Kind.SAMPLE_CERTIFICATE, "Sample certificate of completion"),
            ):
                document = self._document(
                    f"{course.number} {kind.label.lower()}.pdf",
                    f"{title}: {course.title}",
                    [course.provider.name, f"Course {course.number}, {course.hours} hours", course.synopsis],
                )
                course_documents.append(CourseDocument(course=course, kind=kind, document=document))
        CourseDocument.objects.bulk_create(course_documents)

        self.instructors = [
            plan.officer
            for plan in self.rng.sample(self.officer_plans, max(5, len(self.officer_plans) // 50))
            if plan.profile.startswith("compliant")
        ] or [self.officer_plans[0].officer]
        self._offerings(courses, placed)

    def _offerings(
        self, courses: list[Course], placed: list[tuple[Provider, catalog.CourseTemplate, str]]
    ) -> None:
        rng = self.rng
        offerings: list[Offering] = []
        self.course_infos: list[_CourseInfo] = []
        self.in_service_courses: dict[int, list[_CourseInfo]] = {}
        self.courses_by_id = {course.id: course for course in courses}
        for course, (provider, template, state) in zip(courses, placed, strict=True):
            if state != "approved":
                continue
            covers: Counter[str] = Counter()
            lines = []
            for portion in template.portions:
                if portion.core_area in AREA_NEED:
                    covers[AREA_NEED[portion.core_area]] += portion.hours
                if portion.subject == catalog.FIREARMS and template.delivery == catalog.LIVE:
                    covers["firearms"] += portion.hours
                for topic, topic_hours in portion.topics:
                    covers[topic] += topic_hours
                lines.append(
                    LineSpec(
                        core_area=portion.core_area,
                        subject=portion.subject,
                        hours=Decimal(portion.hours),
                        topics={topic: float(hours) for topic, hours in portion.topics},
                    )
                )
            info = _CourseInfo(
                id=course.id,
                title=course.title,
                hours=course.hours,
                delivery=course.delivery,
                credit_class=provider.credit_class,
                covers=dict(covers),
                lines=tuple(lines),
            )
            self.course_infos.append(info)
            if provider.kind == Provider.Kind.IN_SERVICE:
                self.in_service_courses.setdefault(provider.agency_id or 0, []).append(info)
            if course.delivery != catalog.LIVE:
                continue
            days = math.ceil(template.hours / 8)
            host = provider.agency.name if provider.agency else provider.name
            for year in self.years:
                last_start = year.last_day - dt.timedelta(days=days - 1)
                if last_start < year.starts + dt.timedelta(days=3):
                    continue  # a period just begun: no offering has ended yet
                for _ in range(
                    rng.randint(3, 8) if provider.kind == Provider.Kind.LICENSED else rng.randint(2, 4)
                ):
                    starts = self._day(year.starts + dt.timedelta(days=3), last_start)
                    where = rng.choice([host, f"{rng.choice(self.agency_town)} Community Center"])
                    offerings.append(self._offering(course, starts, days, where))
        Offering.objects.bulk_create(offerings, batch_size=2000)
        info_by_id = {info.id: info for info in self.course_infos}
        teaching = []
        for offering in offerings:
            held = info_by_id[offering.course_id].offerings.setdefault(offering.starts_on.year, [])
            bisect.insort(held, (offering.ends_on, offering.id))
            hours = self.courses_by_id[offering.course_id].hours
            for officer in rng.sample(self.instructors, min(len(self.instructors), rng.randint(1, 2))):
                teaching.append(
                    OfferingInstructor(
                        offering=offering,
                        officer=officer,
                        hours_taught=hours,
                    )
                )
        OfferingInstructor.objects.bulk_create(teaching, batch_size=2000)
        self._audit(AuditAction.OFFERING_CREATE, offerings, "offering")
        self.counts["offerings"] = len(offerings)

    def _pick(
        self,
        pool: Sequence[_CourseInfo],
        *,
        needs: Sequence[str] = (),
        avoid: frozenset[str] = frozenset(),
        max_total: float | None = None,
        min_total: float = 0.0,
        min_approved: float = 0.0,
        prefer_cbt: float = 0.2,
        min_cbt: float = 0.0,
    ) -> list[_CourseInfo]:
        """Courses from ``pool`` that cover ``needs`` (never a topic in ``avoid``), reach the
        hours asked, and stay within ``max_total``."""
        rng = self.rng
        # A course covering a topic to avoid is never a candidate; the rest are, once each (the
        # pool may name a course several times: it is the likelier choice).
        usable = [c for c in pool if not (avoid and avoid & c.covers.keys())]
        chosen: list[_CourseInfo] = []
        taken: set[int] = set()
        covered: Counter[str] = Counter()
        totals = {"hours": 0.0, "approved": 0.0, "cbt": 0.0}

        def candidates(test: Callable[[_CourseInfo], Any] | None = None) -> list[_CourseInfo]:
            room = math.inf if max_total is None else max_total - totals["hours"]
            return [c for c in usable if c.id not in taken and c.amount <= room and (test is None or test(c))]

        def add(found: list[_CourseInfo]) -> bool:
            if not found:
                return False
            online = [c for c in found if not c.live]
            live = [c for c in found if c.live]
            group = online if online and (not live or rng.random() < prefer_cbt) else live
            info = rng.choice(group)
            chosen.append(info)
            taken.add(info.id)
            covered.update(info.covers)
            totals["hours"] += info.amount
            totals["cbt"] += 0.0 if info.live else info.amount
            if info.credit_class == ProviderCredit.APPROVED:
                totals["approved"] += info.amount
            return True

        order = list(needs)
        rng.shuffle(order)
        for _ in range(3):
            for need in order:
                if covered[need] < NEED_MINIMUM[need]:
                    add(candidates(functools.partial(_covers, need=need)))
        while totals["approved"] < min_approved and add(
            candidates(lambda c: c.credit_class == ProviderCredit.APPROVED)
        ):
            pass
        while totals["cbt"] < min_cbt and add(candidates(lambda c: not c.live)):
            pass
        while totals["hours"] < min_total and add(candidates()):
            pass
        if max_total is not None:
            while add(candidates()):
                pass
        return chosen

    def _plan(self, plan: _OfficerPlan, profile: str) -> list[_CourseInfo]:
        """The courses an officer of ``profile`` takes in a year."""
        rng = self.rng
        pool = list(self.general_pool)
        for agency_index in plan.agencies:
            # The officer's own agency's in-service courses are the likeliest choice.
            pool += self.in_service_courses.get(self.agencies[agency_index].id, []) * 3
        online = [c for c in self.course_infos if not c.live and c.credit_class == ProviderCredit.APPROVED]
        firearms_live = [c for c in pool if c.live and c.covers.get("firearms")]
        every_need = list(NEED_MINIMUM)
        prefer = rng.choice([0.05, 0.2, 0.35])
        if profile == "compliant":
            return self._pick(
                pool, needs=every_need, min_total=rng.randint(24, 40), min_approved=8, prefer_cbt=prefer
            )
        if profile == "compliant_cbt":
            qualification = self._pick(firearms_live, needs=["firearms"], max_total=4)
            rest = self._pick(
                online, needs=[n for n in every_need if n != "firearms"], min_cbt=rng.randint(24, 28)
            )
            return qualification + rest
        if profile == "cbt_short":
            return self._pick(
                online, needs=[n for n in every_need if n != "firearms"], min_cbt=rng.randint(24, 28)
            )
        if profile == "nearly_total":
            return self._pick(
                pool, needs=every_need, max_total=24 - rng.randint(1, 4), min_approved=8, prefer_cbt=prefer
            )
        if profile == "nearly_topic":
            missing = frozenset([rng.choice(TOPIC_NEEDS)])
            needs = [n for n in every_need if n not in missing]
            return self._pick(pool, needs=needs, avoid=missing, min_total=rng.randint(24, 32), min_approved=8)
        if profile == "nearly_demo":
            needs = [n for n in every_need if n != catalog.DE]
            return self._pick(
                pool, needs=needs, avoid=frozenset([catalog.DE]), max_total=21, min_approved=8, prefer_cbt=0.1
            )
        if profile in ("deficient", "extended"):
            needs = rng.sample(every_need, rng.randint(0, 3))
            return self._pick(pool, needs=needs, max_total=rng.randint(0, 16), prefer_cbt=prefer)
        if profile == "exempt_upgrade":
            return self._pick(pool, needs=every_need, max_total=rng.randint(4, 24), prefer_cbt=prefer)
        return self._pick(pool, max_total=rng.randint(0, 6), prefer_cbt=prefer)

    def _upcoming_offerings(self) -> None:
        """Offerings of approved live courses in the months after today: what an officer short of
        hours can still sign up for (make-up training)."""
        rng = self.rng
        first, last = self.today + dt.timedelta(days=7), self.today + dt.timedelta(days=150)
        upcoming: list[Offering] = []
        live = [info for info in self.course_infos if info.live]
        for info in rng.sample(live, min(len(live), 60)):
            course = self.courses_by_id[info.id]
            days = math.ceil(float(course.hours) / 8)
            for _ in range(rng.randint(1, 2)):
                starts = self._day(first, last)
                if not course.approved_on(starts):
                    continue
                upcoming.append(
                    self._offering(course, starts, days, f"{rng.choice(self.agency_town)} Training Center")
                )
        Offering.objects.bulk_create(upcoming)
        self._audit(AuditAction.OFFERING_CREATE, upcoming, "offering")
        self.counts["upcoming offerings"] = len(upcoming)

    def _recognized_list(self) -> None:
        """POST staff renew the recognized out-of-state list for the recent years (the shipped
        list, seed 000, ends December 31, 2023): each source from the day after its last entry
        ends, until further notice, on a synthetic citation."""
        staff = self.users[User.Role.POST_STAFF]
        jurisdiction = settings.CLEE_JURISDICTION.upper()
        starts = dt.date(self.first_year, 1, 1)
        added = 0
        for code in DEMO_RECOGNIZED:
            entries = list(RecognizedSource.objects.filter(jurisdiction=jurisdiction, code=code))
            if any(entry.recognized_until is None for entry in entries):
                continue  # recognized until further notice already
            ends = [entry.recognized_until for entry in entries if entry.recognized_until is not None]
            since = max([starts, *(end + dt.timedelta(days=1) for end in ends)])
            recognized_source_add(
                code=code,
                recognized_from=since,
                recognized_until=None,
                reference=DEMO_RECOGNITION_REFERENCE,
                acting_user=staff,
            )
            added += 1
        self.counts["recognized out-of-state sources added"] = added

    def _recognized_courses(self) -> None:
        """POST's catalog of recognized out-of-state courses, recognized since seed 000's list
        began and still (the demo's list renews their sources)."""
        entries = [
            RecognizedCourse(
                source=source,
                provider_name=catalog.RECOGNIZED_SOURCE_PROVIDERS[source],
                number=f"{source[:2]}-{index:03d}",
                title=title,
                hours=Decimal(sum(hours for _, hours in split)),
                recommended_split=[
                    {"core_area": area, "subject": "", "hours": str(hours), "topics": {}}
                    for area, hours in split
                ],
                recognized_from=OUT_OF_STATE_WINDOW[0],
                recognized_until=None,
                notes="Recommended split; the reviewer decides from the agenda.",
            )
            for index, (source, title, split) in enumerate(catalog.RECOGNIZED_COURSES, start=1)
        ]
        RecognizedCourse.objects.bulk_create(entries)
        self._audit(AuditAction.RECOGNIZED_COURSE_CREATE, entries, "recognized course")
        self.counts["recognized out-of-state courses"] = len(entries)
