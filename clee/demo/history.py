"""The demo state's history: every period's compliance results, make-up training applied by
staff, the notice calendar's past steps, the Director's decisions, and the rule book draft
awaiting the Director."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone

from clee.accounts.models import User
from clee.compliance.decisions import license_decide
from clee.compliance.makeup import makeup_candidates, training_apply_to_period
from clee.compliance.models import ComplianceResult, LicenseDecision
from clee.compliance.publishing import rule_book_draft_create, rule_book_submit
from clee.compliance.recompute import compliance_recompute
from clee.compliance.rulebooks import version_in_force
from clee.compliance.selectors import decision_queue
from clee.core.actions import AuditAction
from clee.core.audit import record_events, record_events_by_id
from clee.core.errors import ServiceError
from clee.demo.loader_base import LoaderBase
from clee.demo.plans import (
    CREATED,
    DRAFT_REFERENCE,
    INACTIVATE_REASON,
    KEEP_REASONS,
    MAKEUP_REASON,
    PREVIOUS,
    _draft_text,
    _Year,
)
from clee.notices.models import Notice
from clee.notices.services import notice_calendar, notices_prepare
from clee.officers.models import Officer


class History(LoaderBase):
    def _results(self) -> None:
        for year in self.years:
            compliance_recompute(period=year.period)

    def _makeup_applied(self) -> None:
        """POST staff applied make-up training of closed periods: most of what was taken in the
        grace window, none of what came later yet (waiting in the staff's queue). In a grace
        window still open, nothing is applied yet: staff can do it."""
        rng = self.rng
        staff = self.users[User.Role.POST_STAFF]
        touched: set[int] = set()
        applied = 0
        for makeup in self.makeups:
            year = makeup.year
            if not self._closed(year) or not makeup.grace:
                continue
            if year.role == PREVIOUS and makeup.plan.profile != "nearly_demo" and rng.random() < 0.25:
                continue  # still in the staff's queue
            officer = makeup.plan.officer
            result = ComplianceResult.objects.filter(officer=officer, period=year.period).first()
            if result is None or result.status != ComplianceResult.Status.DEFICIENT:
                continue  # the later training was not needed after all
            wanted = {(e.course_id, e.completed_on) for e in makeup.entries}
            records = [
                r.pk
                for r in makeup_candidates(officer, year.period)
                if (r.course_id, r.completed_on) in wanted
            ]
            last = max(e.completed_on for e in makeup.entries)
            day = min(self.today - dt.timedelta(days=1), last + dt.timedelta(days=rng.randint(3, 20)))
            training_apply_to_period(
                officer=officer,
                period=year.period,
                record_ids=records,
                reason=MAKEUP_REASON,
                acting_user=staff,
                today=day,
            )
            touched.add(officer.pk)
            applied += len(records)
        # Results now (the service recomputes after the commit): the Director's queue reads them.
        for year in self.years:
            compliance_recompute(period=year.period, officer_ids=touched)
        self.counts["make-up records applied by staff"] = applied

    def _history(self) -> None:
        """What happened between the first period shown and today, in order: each notice step
        prepared on its date (and recorded as sent then), and the Director's decisions after
        each grace deadline. A step due today or later is left to the notice job."""
        events: list[tuple[dt.date, int, Callable[[], None]]] = []
        steps = sorted(
            {day for y in self.years for day in notice_calendar(y.period).values() if day < self.today}
        )
        for day in steps:
            events.append((day, 0, functools.partial(self._notices_on, day)))
        for index, (day, decide) in enumerate(self._decisions()):
            events.append((day, 1 + index, decide))
        self.kept: list[LicenseDecision] = []
        for _, _, event in sorted(events, key=lambda item: (item[0], item[1])):
            event()
        self._flush_kept()

    def _notices_on(self, day: dt.date) -> None:
        self._flush_kept()  # the Director's list leaves out the officers decided on
        moment = timezone.make_aware(dt.datetime.combine(day, dt.time(6, 0)))
        runs = notices_prepare(today=day, now=moment)
        queued = list(Notice.objects.filter(status=Notice.Status.QUEUED).values_list("pk", flat=True))
        Notice.objects.filter(pk__in=queued).update(status=Notice.Status.SENT, attempts=1, sent_at=moment)
        record_events_by_id(
            actor=self.loader,
            action=AuditAction.NOTICES_SENT,
            model=Notice,
            ids=queued,
            summary="notice recorded as sent on its date by the demo state loader (no email was sent)",
        )
        self.counts["notice steps prepared"] += len(runs)
        self.counts["notices recorded as sent"] += len(queued)

    def _decisions(self) -> list[tuple[dt.date, Callable[[], None]]]:
        """The Director's decisions on closed periods: all of those of the earlier periods, part
        of the latest one's (more as months pass since its deadline)."""
        rng = self.rng
        closed = [y for y in self.years if self._closed(y)]
        commissioned = {p.officer.pk for p in self.officer_plans if p.agencies}
        decisions: list[tuple[dt.date, Callable[[], None]]] = []
        for year in closed:
            deadline = year.period.grace_deadline
            queue = list(
                decision_queue(year.period, self.today).select_related("officer").order_by("officer_id")
            )
            share = 1.0 if year is not closed[-1] else min(0.9, (self.today - deadline).days / 300)
            for result in sorted(rng.sample(queue, round(len(queue) * share)), key=lambda r: r.officer_id):
                first = max(deadline, result.extended_until or deadline) + dt.timedelta(days=2)
                last = min(self.today - dt.timedelta(days=1), first + dt.timedelta(days=240))
                if last < first:
                    continue
                inactivate = result.officer_id not in commissioned and rng.random() < 0.8
                reason = INACTIVATE_REASON if inactivate else rng.choice(KEEP_REASONS)
                day = self._day(first, last)
                decisions.append(
                    (day, functools.partial(self._decide, result.officer, year, inactivate, reason, day))
                )
        return decisions

    def _decide(self, officer: Officer, year: _Year, inactivate: bool, reason: str, day: dt.date) -> None:
        """An inactivation through the Director's service (it changes the license); a decision to
        keep the license written as the loader writes its other rows, with its audit row."""
        if officer.pk in self.inactivated:
            return  # inactivated for an earlier period: nothing left to decide
        director = self.users[User.Role.DIRECTOR]
        self.counts["Director's decisions"] += 1
        if not inactivate:
            result = ComplianceResult.objects.get(officer=officer, period=year.period)
            self.kept.append(
                LicenseDecision(
                    officer=officer,
                    period=year.period,
                    decision=LicenseDecision.Decision.KEEP,
                    reason=reason,
                    hours_short=result.additional_hours_needed,
                    decided_by=director,
                    decided_at=self._moment(day),
                )
            )
            return
        decision = license_decide(
            officer=officer,
            period=year.period,
            inactivate=True,
            reason=reason,
            acting_user=director,
            today=day,
        )
        # Dated when it was made, not when the demo was loaded.
        LicenseDecision.objects.filter(pk=decision.pk).update(decided_at=self._moment(day))
        self.inactivated.add(officer.pk)

    def _flush_kept(self) -> None:
        if not self.kept:
            return
        LicenseDecision.objects.bulk_create(self.kept)
        record_events(
            actor=self.users[User.Role.DIRECTOR],
            action=AuditAction.COMPLIANCE_LICENSE_DECIDE,
            targets=list(self.kept),
            summary=f"license kept active after the grace deadline (decision {CREATED})",
        )
        self.counts["audit rows"] += len(self.kept)
        self.kept = []

    def _rule_book_draft(self) -> None:
        """A change to the rules POST staff prepared and submitted, awaiting the Director: live
        firearms hours raised from next year (invented, like everything in the demo)."""
        staff = self.users[User.Role.POST_STAFF]
        jurisdiction = settings.CLEE_JURISDICTION.upper()
        in_force = version_in_force(jurisdiction, self.today)
        if in_force is None:
            raise ServiceError(f"there is no rule book in force for {jurisdiction}: the demo state needs one")
        year = self.today.year + 1
        draft = rule_book_draft_create(
            jurisdiction=jurisdiction,
            content=_draft_text(in_force.text, year),
            source_name=f"{jurisdiction.lower()}-firearms-{year}.yaml",
            based_on=in_force,
            acting_user=staff,
        )
        rule_book_submit(
            draft=draft,
            effective_from=dt.date(year, 1, 1),
            reason=f"{DRAFT_REFERENCE}, from the {year} period.",
            acting_user=staff,
            today=self.today,
        )
        self.counts["rule book drafts awaiting the Director"] = 1
