"""What every part of the demo state loader shares: the attributes the loader sets as it goes
and the small helpers (a place, a day, a moment, an audit row, a document, an offering, the
periods shown).

``clee.demo.services._Loader`` combines the loader's parts (``People``, ``Catalog``,
``Records``, ``History``), each a subclass of ``LoaderBase``."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable, Sequence

from django.db import models
from django.utils import timezone

from clee.accounts.models import User
from clee.agencies.models import Agency
from clee.compliance.models import LicenseDecision
from clee.core.actions import AuditAction
from clee.core.audit import record_events
from clee.core.documents import document_store
from clee.core.models import Document
from clee.demo import names
from clee.demo.pdf import tiny_pdf
from clee.demo.plans import CREATED, DemoSize, _CourseInfo, _Makeup, _OfficerPlan, _Year
from clee.officers.models import Officer
from clee.providers.models import Course, Offering, Provider


class LoaderBase:
    """The demo state loader's shared state and small helpers; its parts subclass it."""

    # Set by _Loader.__init__.
    rng: random.Random
    seed: int
    size: DemoSize
    today: dt.date
    first_year: int
    now: dt.datetime
    progress: Callable[[str], None]
    counts: Counter[str]
    places: list[str]
    password_hash: str
    inactivated: set[int]
    # Set by _Loader.load.
    loader: User
    years: list[_Year]
    # Set by the People steps.
    agency_weights: list[float]
    agency_town: list[str]
    agencies: list[Agency]
    officer_plans: list[_OfficerPlan]
    admin_agency: int
    demo_officer_index: int
    academies: list[Provider]
    online: Provider
    in_service: dict[int, Provider]
    out_of_state: list[Provider]
    colleges: list[Provider]
    military: list[Provider]
    users: dict[str, User]
    # Set by the Catalog steps.
    instructors: list[Officer]
    course_infos: list[_CourseInfo]
    in_service_courses: dict[int, list[_CourseInfo]]
    courses_by_id: dict[int, Course]
    # Set by the Records steps.
    general_pool: list[_CourseInfo]
    makeups: list[_Makeup]
    # Set by the History steps.
    kept: list[LicenseDecision]

    # -- small helpers -------------------------------------------------------------------

    def _place_names(self) -> list[str]:
        pairs = [
            head + tail
            for head in names.PLACE_HEADS
            for tail in names.PLACE_TAILS
            if tail not in head.lower() and head.lower()[-1] != tail[0]
        ]
        self.rng.shuffle(pairs)
        return pairs

    def _place(self) -> str:
        return self.places.pop()

    def _day(self, first: dt.date, last: dt.date) -> dt.date:
        if last <= first:
            return first
        return first + dt.timedelta(days=self.rng.randint(0, (last - first).days))

    def _moment(self, day: dt.date) -> dt.datetime:
        moment = dt.datetime.combine(day, dt.time(9 + self.rng.randint(0, 7), self.rng.randint(0, 59)))
        return min(timezone.make_aware(moment), self.now)

    def _audit(self, action: AuditAction, targets: Sequence[models.Model], what: str) -> None:
        record_events(actor=self.loader, action=action, targets=list(targets), summary=f"{what} {CREATED}")
        self.counts["audit rows"] += len(targets)

    def _document(self, name: str, title: str, lines: Sequence[str]) -> Document:
        self.counts["documents"] += 1
        return document_store(content=tiny_pdf(title, lines), original_name=name, actor=self.loader)

    def _offering(self, course: Course, starts: dt.date, days: int, where: str) -> Offering:
        """An offering of ``days`` days from ``starts``, somewhere on a street of the place."""
        return Offering(
            course=course,
            starts_on=starts,
            ends_on=starts + dt.timedelta(days=days - 1),
            location=f"{where}, {self.rng.choice(names.STREETS)}",
        )

    @property
    def current(self) -> _Year:
        return self.years[-1]

    @property
    def previous(self) -> _Year:
        return self.years[-2]

    def _closed(self, year: _Year) -> bool:
        return bool(self.today > year.period.grace_deadline)
