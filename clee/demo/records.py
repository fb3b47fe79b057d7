"""The demo state's records and requests: each officer's training records for every period,
make-up training after a period, credit requests with their documents, extensions and
exemptions."""

from __future__ import annotations

import bisect
import datetime as dt
import time
from collections.abc import Sequence
from decimal import Decimal

from clee.accounts.models import User
from clee.compliance.models import Exemption, Extension
from clee.compliance.recognized import recognition_issue
from clee.compliance.records import training_records_add
from clee.core.actions import AuditAction
from clee.core.choices import ProviderCredit, Source
from clee.demo import catalog
from clee.demo.courses import Catalog
from clee.demo.plans import (
    CREATED,
    CURRENT,
    EXEMPTION_REASONS,
    EXTENSION_EXPLANATIONS,
    NEED_MINIMUM,
    PREVIOUS,
    SHORT_PROFILES,
    UNLISTED_SOURCE,
    _CourseInfo,
    _Makeup,
    _OfficerPlan,
    _Year,
)
from clee.training.models import CreditRequest, RequestDocument
from clee.training.services import LineSpec, RecordEntry

# Documents each kind of request carries (the required ones of workflows.credit_requests, and more).
_REQUEST_DOCUMENTS: dict[str, tuple[str, ...]] = {
    "out_of_state": ("certificate", "affirmation", "agenda"),
    "college": ("transcript", "agenda"),
    "military": ("certificate", "statement"),
    "instruction": ("agenda",),
}


class Records(Catalog):
    """Training records, make-up training, credit requests and extensions; each officer's
    training is planned with the catalog's ``_plan`` and ``_pick`` it builds on."""

    def _records(self) -> None:
        """Each officer's training in each period shown, by the officer's profile for it. Every
        officer paces the year differently (finishing in the spring, the autumn or at the last
        minute); in the period in progress only what is dated up to today is on file."""
        rng = self.rng
        in_service = {info.id for infos in self.in_service_courses.values() for info in infos}
        self.general_pool = [info for info in self.course_infos if info.id not in in_service]
        entries: list[RecordEntry] = []
        started = time.perf_counter()
        demo_plan = self.officer_plans[self.demo_officer_index]
        for year in self.years:
            span = (year.ends - year.starts).days
            for plan in self.officer_plans:
                profile = plan.years.get(year.year)
                if profile is None:
                    continue
                finish = max(45, span - int(abs(rng.gauss(0, 80))))
                if plan is demo_plan and year.role == CURRENT:
                    # The demo officer keeps pace: most of the year's plan is done by today.
                    finish = max(45, (year.last_day - year.starts).days)
                for info in self._plan(plan, profile):
                    planned = year.starts + dt.timedelta(days=int(rng.random() * finish))
                    if planned > year.last_day:
                        continue  # later this year: not taken yet
                    offering_id, completed_on = self._offering_near(info, year, planned)
                    plan.hours[year.year] = plan.hours.get(year.year, 0.0) + float(info.hours)
                    entries.append(self._course_entry(plan, info, completed_on, offering_id))
        self.progress(f"  planning {len(entries):,} records: {time.perf_counter() - started:.1f} s")
        outcome = training_records_add(
            entries=entries, actor=self.loader, summary=f"training record {CREATED}"
        )
        self.counts["training records"] = len(outcome.record_ids)

    def _offering_near(self, info: _CourseInfo, year: _Year, day: dt.date) -> tuple[int | None, dt.date]:
        """The offering of the course that year that ended nearest ``day`` (and its date), or
        no offering and ``day`` itself (online courses; a year just begun)."""
        held = info.offerings.get(year.year)
        if not held:
            return None, day
        at = bisect.bisect_left(held, (day, 0))
        near = min(held[max(0, at - 1) : at + 1], key=lambda item: abs((item[0] - day).days))
        return near[1], near[0]

    @staticmethod
    def _course_entry(
        plan: _OfficerPlan, info: _CourseInfo, completed_on: dt.date, offering_id: int | None = None
    ) -> RecordEntry:
        return RecordEntry(
            officer_id=plan.officer.id,
            course_id=info.id,
            offering_id=offering_id,
            completed_on=completed_on,
            hours=info.hours,
            source=Source.COURSE,
            credit_class=info.credit_class,
            delivery=info.delivery,
            lines=info.lines,
        )

    def _makeup_training(self) -> None:
        """Officers short for a past period who took training after it: in its grace window
        (January 1 to March 15, 11 CSR 75-15.080(2)) or, later, to show the missing training
        after the grace deadline. Staff apply it to the period (``_makeup_applied``)."""
        rng = self.rng
        self.makeups: list[_Makeup] = []
        demo_plan = self.officer_plans[self.demo_officer_index]
        entries: list[RecordEntry] = []
        for year in self.years:
            if year.role == CURRENT:
                continue
            first = year.ends + dt.timedelta(days=1)
            last = self.today - dt.timedelta(days=1)
            if last < first:
                continue  # the grace window opens today: nothing taken yet
            deadline = year.period.grace_deadline
            short = [p for p in self.officer_plans if p.years.get(year.year) in SHORT_PROFILES]
            share = 0.3 if year.role == PREVIOUS else 0.2
            chosen = rng.sample(short, round(len(short) * share))
            if year.role == PREVIOUS and demo_plan not in chosen:
                chosen.append(demo_plan)
            for plan in chosen:
                after_open = last > deadline + dt.timedelta(days=7)
                grace = plan is demo_plan or not after_open or rng.random() < 0.7
                if grace:
                    window = (first, min(deadline, last))
                else:
                    window = (deadline + dt.timedelta(days=1), min(last, deadline + dt.timedelta(days=200)))
                missing = max(4.0, 24.0 - plan.hours.get(year.year, 0.0))
                courses = self._pick(
                    self.general_pool,
                    needs=list(NEED_MINIMUM),
                    min_total=missing + rng.randint(0, 3),
                    min_approved=4,
                    prefer_cbt=0.4,
                )
                if plan is demo_plan:
                    courses = self._pick(
                        self.general_pool, needs=[catalog.DE], min_total=missing, prefer_cbt=0.9
                    )
                made = [self._course_entry(plan, info, self._day(*window)) for info in courses]
                self.makeups.append(_Makeup(plan, year, grace, made))
                entries += made
        outcome = training_records_add(
            entries=entries, actor=self.loader, summary=f"training record {CREATED}"
        )
        self.counts["make-up training records"] = len(outcome.record_ids)

    def _request_documents(self, request: CreditRequest, kinds: Sequence[str]) -> list[RequestDocument]:
        officer, completed = request.officer, request.completed_on
        rows = []
        for kind in kinds:
            label = RequestDocument.Kind(kind).label
            document = self._document(
                f"{officer.last_name.lower()}-{kind}-{request.completed_on:%Y%m%d}.pdf",
                label,
                [
                    f"{officer.full_name}, license {officer.license_number}",
                    f"{request.title} ({request.provider_name or 'courses taught'})",
                    f"Completed {completed:%B} {completed.day}, {completed.year}",
                    "Demonstration document: invented for the CLEE demo state.",
                ],
            )
            rows.append(RequestDocument(request=request, kind=kind, document=document))
        return rows

    def _credit_requests(self) -> None:
        rng = self.rng
        plans = self.officer_plans
        staff = self.users[User.Role.POST_STAFF]
        demo_user = self.users[User.Role.OFFICER]
        # Approved in the last year: college, military and out-of-state credit on the record
        # (the out-of-state sources on the recognized list for their dates).
        compliant = [p for p in plans if p.profile == "compliant"]
        approved_plans = rng.sample(compliant, min(len(compliant), max(3, round(len(plans) * 0.016))))
        approved: list[tuple[CreditRequest, RecordEntry]] = []
        for k, plan in enumerate(approved_plans):
            kind = (CreditRequest.Kind.COLLEGE, CreditRequest.Kind.MILITARY, CreditRequest.Kind.OUT_OF_STATE)[
                k % 3
            ]
            completed_on = self._day(self.today - dt.timedelta(days=330), self.today - dt.timedelta(days=25))
            request = CreditRequest(
                officer=plan.officer,
                kind=kind,
                completed_on=completed_on,
                status=CreditRequest.Status.APPROVED,
                submitted_by=self.loader,
                decided_by=staff,
                decided_at=self._moment(completed_on + dt.timedelta(days=rng.randint(5, 19))),
            )
            state = ""
            if kind == CreditRequest.Kind.OUT_OF_STATE:
                source, title, split = rng.choice(catalog.RECOGNIZED_COURSES)
                request.title, request.state = title, source
                request.provider_name = catalog.RECOGNIZED_SOURCE_PROVIDERS[source]
                request.hours = Decimal(sum(h for _, h in split))
                request.decision_reason = "Approved with the recommended split (recognized source)."
                state, hours = source, request.hours
                credit_class, record_source = ProviderCredit.APPROVED, Source.OUT_OF_STATE
            else:
                college = kind == CreditRequest.Kind.COLLEGE
                title, split = rng.choice(catalog.COLLEGE_CLAIMS if college else catalog.MILITARY_CLAIMS)
                hours = Decimal(sum(h for _, h in split))
                request.title = title
                request.hours = None if college else hours
                request.semester_hours = hours / 2 if college else None
                request.provider_name = rng.choice(self.colleges if college else self.military).name
                request.decision_reason = (
                    "Approved as shown on the transcript." if college else "Eligible (Director)."
                )
                credit_class = ProviderCredit.APPROVED if college else ProviderCredit.LICENSED
                record_source = Source.COLLEGE if college else Source.MILITARY
            entry = RecordEntry(
                officer_id=plan.officer.id,
                completed_on=completed_on,
                hours=hours,
                source=record_source,
                credit_class=credit_class,
                delivery=catalog.LIVE,
                lines=tuple(LineSpec(core_area=a, hours=Decimal(h)) for a, h in split),
                description=request.title,
                state=state,
                semester_hours=request.semester_hours,
            )
            approved.append((request, entry))
        outcome = training_records_add(
            entries=[entry for _, entry in approved], actor=staff, summary="credit request approved"
        )
        for (request, _), record_id in zip(approved, outcome.record_ids, strict=True):
            request.record_id = record_id
        self.counts["training records"] += len(outcome.record_ids)

        # Awaiting review: every kind, from officers who are short (and instructors).
        short = [p for p in plans if p.profile in ("nearly_total", "nearly_topic", "deficient", "extended")]
        kinds = list(CreditRequest.Kind)
        pending_count = max(len(kinds), round(len(plans) * 0.015))
        chosen = rng.sample(short, min(len(short), pending_count - 1))
        pending: list[CreditRequest] = []
        demo_plan = plans[self.demo_officer_index]
        for k, plan in enumerate([demo_plan, *chosen]):
            kind = kinds[k % len(kinds)]
            officer = plan.officer
            if kind == CreditRequest.Kind.INSTRUCTION:
                officer = rng.choice(self.instructors)
            completed_on = self._day(self.today - dt.timedelta(days=120), self.today - dt.timedelta(days=3))
            request = CreditRequest(
                officer=officer,
                kind=kind,
                completed_on=completed_on,
                status=CreditRequest.Status.SUBMITTED,
                submitted_by=demo_user if plan is demo_plan else self.loader,
            )
            if kind == CreditRequest.Kind.OUT_OF_STATE:
                source, request.title, split = rng.choice(catalog.RECOGNIZED_COURSES)
                request.state, request.provider_name = source, catalog.RECOGNIZED_SOURCE_PROVIDERS[source]
                request.hours = Decimal(sum(h for _, h in split))
                request.details = "Attended while assigned to a multi-state task force."
            elif kind == CreditRequest.Kind.COLLEGE:
                request.title = rng.choice(catalog.COLLEGE_CLAIMS)[0]
                request.semester_hours = Decimal(3)
                request.provider_name = rng.choice(self.colleges).name
                request.details = "Three-credit course, grade B or better."
            elif kind == CreditRequest.Kind.MILITARY:
                title, split = rng.choice(catalog.MILITARY_CLAIMS)
                request.title, request.hours = title, Decimal(sum(h for _, h in split))
                request.provider_name = rng.choice(self.military).name
                request.details = "Completed during annual training."
            else:
                info = rng.choice([c for c in self.course_infos if c.live])
                request.title, request.hours = f"Taught: {info.title}", info.hours
                request.details = "Lead instructor for the whole course."
            pending.append(request)
        # One from a source the recognized list does not name for its date: never refused,
        # it reaches staff marked with the reason.
        state, provider_name, title = UNLISTED_SOURCE
        completed_on = self._day(self.today - dt.timedelta(days=90), self.today - dt.timedelta(days=5))
        pending.append(
            CreditRequest(
                officer=rng.choice(chosen or [demo_plan]).officer,
                kind=CreditRequest.Kind.OUT_OF_STATE,
                title=title,
                completed_on=completed_on,
                hours=Decimal(8),
                state=state,
                provider_name=provider_name,
                details="Two-day seminar across the state line, certified by that state's POST.",
                status=CreditRequest.Status.SUBMITTED,
                submitted_by=self.loader,
                recognition_issue=recognition_issue(state, completed_on)[:300],
            )
        )
        for request in pending:
            if request.kind == CreditRequest.Kind.OUT_OF_STATE and not request.recognition_issue:
                request.recognition_issue = recognition_issue(request.state, request.completed_on)[:300]
        requests = [request for request, _ in approved] + pending
        CreditRequest.objects.bulk_create(requests)
        documents: list[RequestDocument] = []
        for request in requests:
            documents += self._request_documents(request, _REQUEST_DOCUMENTS[str(request.kind)])
        RequestDocument.objects.bulk_create(documents)
        self._audit(AuditAction.TRAINING_CREDIT_REQUEST_SUBMIT, requests, "credit request")
        self.counts["credit requests awaiting review"] = len(pending)
        self.counts["credit requests approved"] = len(approved)
        self.counts["out-of-state requests not on the recognized list"] = sum(
            1 for request in pending if request.recognition_issue
        )

    def _extensions(self) -> None:
        rng = self.rng
        staff = self.users[User.Role.POST_STAFF]
        extensions = []
        exemptions = []
        for year in self.years:
            for plan in self.officer_plans:
                profile = plan.years.get(year.year)
                if profile == "extended":
                    reason = rng.choice([Extension.Reason.MEDICAL, Extension.Reason.MILITARY])
                    decided = self._day(
                        min(year.starts + dt.timedelta(days=60), year.last_day), year.last_day
                    )
                    extensions.append(
                        Extension(
                            officer=plan.officer,
                            period=year.period,
                            kind=Extension.Kind.EXTENSION,
                            reason=reason,
                            explanation=EXTENSION_EXPLANATIONS[reason],
                            new_deadline=dt.date(year.year + 1, rng.choice([6, 9]), 30),
                            status=Extension.Status.GRANTED,
                            requested_by=self.loader,
                            decided_by=staff,
                            decided_at=self._moment(decided),
                        )
                    )
                elif profile == "exempt_manual":
                    exemptions.append(
                        Exemption(
                            officer=plan.officer,
                            period=year.period,
                            reason=rng.choice(EXEMPTION_REASONS),
                            granted_by=staff,
                        )
                    )
        deficient = [p for p in self.officer_plans if p.profile == "deficient"]
        for plan in rng.sample(deficient, min(len(deficient), max(1, len(self.officer_plans) // 300))):
            extensions.append(
                Extension(
                    officer=plan.officer,
                    period=self.current.period,
                    kind=Extension.Kind.EXTENSION,
                    reason=Extension.Reason.MEDICAL,
                    explanation="Awaiting a decision: on light duty for months.",
                    requested_by=self.loader,
                )
            )
        Extension.objects.bulk_create(extensions)
        Exemption.objects.bulk_create(exemptions)
        self._audit(AuditAction.COMPLIANCE_EXTENSION, extensions, "extension")
        self._audit(AuditAction.COMPLIANCE_EXEMPTION_GRANT, exemptions, "exemption")
        self.counts["extensions granted"] = sum(1 for e in extensions if e.status == Extension.Status.GRANTED)
        self.counts["exemptions granted"] = len(exemptions)
