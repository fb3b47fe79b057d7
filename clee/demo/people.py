"""The demo state's organisations and people: agencies, officers with their licenses and
commissions (and the profile each officer's periods follow), providers of every class, and one
account per role."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from clee.accounts.models import User
from clee.agencies.models import Agency
from clee.core.actions import AuditAction
from clee.core.choices import ProviderCredit
from clee.demo import names
from clee.demo.accounts import DEMO_ACCOUNTS
from clee.demo.loader_base import LoaderBase
from clee.demo.plans import (
    CURRENT,
    EARLIER,
    OUT_OF_STATE_SOURCES,
    OUT_OF_STATE_WINDOW,
    PAST_SHARES,
    PROFILE_SHARES,
    _allocate,
    _OfficerPlan,
)
from clee.officers.models import Commission, LicenseStatus, LicenseStatusChange, LicenseUpgrade, Officer
from clee.providers.models import Provider


class People(LoaderBase):
    def _agencies(self) -> None:
        rng = self.rng
        kinds = [Agency.Type.POLICE, Agency.Type.SHERIFF, Agency.Type.STATE, Agency.Type.UNIVERSITY]
        kinds.append(Agency.Type.OTHER)
        weights = {"police": 0.56, "sheriff": 0.26, "state": 0.05, "university": 0.07, "other": 0.06}
        size_factor = {"police": 1.0, "sheriff": 1.3, "state": 4.0, "university": 0.4, "other": 0.3}
        chosen = kinds + rng.choices(kinds, weights=[weights[k] for k in kinds], k=self.size.agencies - 5)
        state_names = list(names.STATE_AGENCIES)
        rng.shuffle(state_names)
        oris: set[str] = set()
        agencies: list[Agency] = []
        self.agency_weights: list[float] = []
        self.agency_town: list[str] = []
        for kind in chosen:
            town = self._place()
            if kind == Agency.Type.POLICE:
                name = f"{town} Police Department"
            elif kind == Agency.Type.SHERIFF:
                name = f"{town} County Sheriff's Office"
            elif kind == Agency.Type.STATE:
                name = state_names.pop() if state_names else f"State Investigations Bureau, {town} Region"
            elif kind == Agency.Type.UNIVERSITY:
                name = rng.choice(
                    [f"{town} State University Police", f"University of {town} Police Department"]
                )
            else:
                name = rng.choice(
                    [
                        f"{town} Airport Police",
                        f"{town} School District Police",
                        f"{town} County Prosecutor's Investigators",
                        f"{town} Park Rangers",
                    ]
                )
            ori = f"MO{rng.randint(1, 229):03d}{rng.randint(0, 9999):04d}"
            while ori in oris:
                ori = f"MO{rng.randint(1, 229):03d}{rng.randint(0, 9999):04d}"
            oris.add(ori)
            agencies.append(Agency(ori=ori, name=name, agency_type=kind))
            self.agency_weights.append(rng.lognormvariate(0, 0.9) * size_factor[kind])
            self.agency_town.append(town)
        self.agencies = Agency.objects.bulk_create(agencies)
        self._audit(AuditAction.AGENCY_CREATE, self.agencies, "agency")
        self.counts["agencies"] = len(self.agencies)

    def _officers(self) -> None:
        rng = self.rng
        count = self.size.officers
        profiles = _allocate(count, PROFILE_SHARES)
        rng.shuffle(profiles)
        numbers = sorted(rng.sample(range(1_000_000, 10_000_000), count))
        rng.shuffle(numbers)
        cumulative = []
        running = 0.0
        for weight in self.agency_weights:
            running += weight
            cumulative.append(running)
        agency_indexes = range(len(self.agencies))
        plans: list[_OfficerPlan] = []
        commissions: list[tuple[int, int, dt.date, dt.date | None]] = []  # officer, agency, start, end
        for index, (profile, number) in enumerate(zip(profiles, numbers, strict=True)):
            first, last = rng.choice(names.FIRST_NAMES), rng.choice(names.LAST_NAMES)
            if profile == "exempt_new":
                licensed_on = self._day(self.current.starts, self.today)
                basic_on: dt.date | None = licensed_on - dt.timedelta(days=rng.randint(3, 20))
            else:
                years_ago = min(rng.randint(1, 32), rng.randint(1, 32))
                licensed_on = self._day(
                    dt.date(self.today.year - years_ago, 1, 1), dt.date(self.today.year - years_ago, 12, 31)
                )
                basic_on = (
                    licensed_on - dt.timedelta(days=rng.randint(5, 60)) if rng.random() < 0.85 else None
                )
            born = licensed_on - dt.timedelta(days=rng.randint(21, 40) * 365 + rng.randint(0, 364))
            officer = Officer(
                license_number=f"P{number:07d}",
                first_name=first,
                last_name=last,
                date_of_birth=born,
                email=f"{first}.{last}.{number % 10_000:04d}@example.test".lower(),
                licensed_on=licensed_on,
                basic_training_completed_on=basic_on,
            )
            employment = rng.random() if profile != "exempt_new" else 0.5
            primary = rng.choices(agency_indexes, cum_weights=cumulative)[0]
            current: list[int] = []
            if employment < 0.08:
                # Not commissioned now; the license stays active (it expires after five years).
                start = self._day(licensed_on, licensed_on + dt.timedelta(days=60))
                end = self._day(
                    max(start, self.today - dt.timedelta(days=4 * 365)), self.today - dt.timedelta(days=30)
                )
                commissions.append((index, primary, start, max(start, end)))
            else:
                start = self._day(licensed_on, min(self.today, licensed_on + dt.timedelta(days=3650)))
                if (start - licensed_on).days > 400 and rng.random() < 0.5:
                    earlier = rng.choice(
                        [i for i in (primary - 1, primary + 1) if 0 <= i < len(self.agencies)]
                    )
                    first_start = licensed_on + dt.timedelta(days=rng.randint(0, 60))
                    commissions.append(
                        (index, earlier, first_start, start - dt.timedelta(days=rng.randint(1, 45)))
                    )
                commissions.append((index, primary, start, None))
                current.append(primary)
                if employment > 0.93:
                    second = rng.choices(agency_indexes, cum_weights=cumulative)[0]
                    if second != primary:
                        commissions.append((index, second, self._day(start, self.today), None))
                        current.append(second)
            plans.append(_OfficerPlan(profile, current, officer))
        self._past_profiles(plans)
        self._choose_demo_officer(plans, commissions)
        self.officer_plans = plans
        officers = Officer.objects.bulk_create([plan.officer for plan in plans], batch_size=2000)
        LicenseStatusChange.objects.bulk_create(
            [
                LicenseStatusChange(
                    officer=officer,
                    from_status="",
                    to_status=LicenseStatus.ACTIVE,
                    effective_on=officer.licensed_on,
                    reason="licensed",
                    changed_by=self.loader,
                )
                for officer in officers
            ],
            batch_size=2000,
        )
        upgrades = LicenseUpgrade.objects.bulk_create(
            [
                LicenseUpgrade(
                    officer=plan.officer,
                    upgraded_on=self._day(year.starts, year.last_day),
                    description="Class B to Class A peace officer license",
                )
                for year in self.years
                for plan in plans
                if plan.years.get(year.year) == "exempt_upgrade"
            ]
        )
        rows = Commission.objects.bulk_create(
            [
                Commission(officer=plans[o].officer, agency=self.agencies[a], start=start, end=end)
                for o, a, start, end in commissions
            ],
            batch_size=2000,
        )
        self._audit(AuditAction.OFFICER_CREATE, officers, "officer licensed")
        self._audit(AuditAction.OFFICER_LICENSE_UPGRADE, [u.officer for u in upgrades], "license upgrade")
        self._audit(AuditAction.COMMISSION_START, rows, "commission")
        self.counts.update(officers=len(officers), commissions=len(rows))

    def _past_profiles(self, plans: list[_OfficerPlan]) -> None:
        """Each officer's profile for every period shown: none before the year of the license,
        exempt in it, otherwise drawn from the shares of a whole period behind."""
        for plan in plans:
            licensed = plan.officer.licensed_on.year
            for year in self.years:
                if year.year < licensed:
                    continue
                if year.year == licensed:
                    plan.years[year.year] = "exempt_new"
                elif year.role == CURRENT:
                    plan.years[year.year] = plan.profile
                else:
                    labels, weights = zip(*PAST_SHARES[year.role], strict=True)
                    plan.years[year.year] = self.rng.choices(labels, weights=weights)[0]

    def _choose_demo_officer(
        self, plans: list[_OfficerPlan], commissions: list[tuple[int, int, dt.date, dt.date | None]]
    ) -> None:
        """A mid-sized police department for the agency account, and in it an officer a few
        hours short for the officer account."""
        sizes = Counter(a for plan in plans for a in plan.agencies)
        target = max(8.0, 1.5 * len(plans) / len(self.agencies))
        police = [i for i, a in enumerate(self.agencies) if a.agency_type == Agency.Type.POLICE] or list(
            range(len(self.agencies))
        )
        self.admin_agency = min(police, key=lambda i: (abs(sizes[i] - target), i))
        # Licensed before every period shown, so each of them has a story.
        candidates = [
            i
            for i, plan in enumerate(plans)
            if plan.profile == "nearly_total"
            and plan.agencies
            and plan.officer.licensed_on.year < self.first_year
        ]
        inside = [i for i in candidates if self.admin_agency in plans[i].agencies]
        chosen = (inside or candidates or [i for i, plan in enumerate(plans) if plan.agencies])[0]
        plan = plans[chosen]
        if self.admin_agency not in plan.agencies:
            # Move the officer to the chosen agency (nothing is written yet).
            start = next(c[2] for c in commissions if c[0] == chosen and c[3] is None)
            commissions[:] = [c for c in commissions if not (c[0] == chosen and c[3] is None)]
            commissions.append((chosen, self.admin_agency, start, None))
            plan.agencies = [self.admin_agency]
        # A few hours short this period; short last period too, and took training after it
        # (in its grace window) to make it up; compliant before.
        plan.profile = "nearly_demo"
        for year in self.years:
            plan.years[year.year] = "nearly_demo" if year.role != EARLIER else "compliant"
        self.demo_officer_index = chosen

    def _providers(self) -> None:
        rng = self.rng
        providers: list[Provider] = []

        def add(kind: str, name: str, credit: str, prefix: str, **fields: Any) -> Provider:
            number = f"{prefix}-{sum(1 for p in providers if p.kind == kind) + 1:04d}"
            provider = Provider(number=number, name=name, kind=kind, credit_class=credit, **fields)
            providers.append(provider)
            return provider

        approved, licensed = ProviderCredit.APPROVED, ProviderCredit.LICENSED
        regions = list(names.REGIONS)
        rng.shuffle(regions)
        self.academies = [
            add(
                Provider.Kind.LICENSED,
                f"{regions[i % len(regions)]} Regional Law Enforcement Academy",
                approved,
                "LP",
                approved_from=dt.date(self.first_year - rng.randint(5, 25), 1, 1),
            )
            for i in range(max(2, min(6, self.size.agencies // 20)))
        ]
        self.online = add(
            Provider.Kind.LICENSED,
            f"{self._place()} Online Police Training, LLC",
            approved,
            "LP",
            approved_from=dt.date(self.first_year - rng.randint(2, 8), 1, 1),
        )
        largest = sorted(range(len(self.agencies)), key=lambda i: -self.agency_weights[i])
        self.in_service: dict[int, Provider] = {}
        for index in largest[: max(1, round(len(self.agencies) * 0.07))]:
            agency = self.agencies[index]
            self.in_service[index] = add(
                Provider.Kind.IN_SERVICE,
                f"{agency.name} Training Unit",
                licensed,
                "IS",
                agency=agency,
                approved_from=dt.date(self.first_year - rng.randint(1, 8), 1, 1),
                approved_until=dt.date(self.today.year + rng.randint(0, 2), 12, 31),
            )
        self.out_of_state = [
            add(
                Provider.Kind.OUT_OF_STATE,
                f"{self._place()} Public Safety Institute ({state_name})",
                approved,
                "OS",
                state=state,
                approved_from=OUT_OF_STATE_WINDOW[0],
                approved_until=OUT_OF_STATE_WINDOW[1],
            )
            for state, state_name in OUT_OF_STATE_SOURCES
        ]
        self.colleges = [
            add(Provider.Kind.COLLEGE, name, approved, "CO", approved_from=dt.date(2000, 1, 1))
            for name in (
                f"{self._place()} Community College",
                f"{regions[-1]} State University",
                f"{self._place()} Technical College",
            )
        ]
        self.military = [
            add(Provider.Kind.MILITARY, name, licensed, "MIL", approved_from=dt.date(2010, 1, 1))
            for name in (
                f"Fort {self._place()} Military Police School",
                f"{self._place()} Air National Guard Security Forces Squadron",
            )
        ]
        Provider.objects.bulk_create(providers)
        self._audit(AuditAction.PROVIDER_CREATE, providers, "provider")
        self.counts["providers"] = len(providers)

    def _accounts(self) -> None:
        rng = self.rng
        demo_officer = self.officer_plans[self.demo_officer_index].officer
        links: dict[str, dict[str, Any]] = {
            User.Role.OFFICER: {
                "officer": demo_officer,
                "first_name": demo_officer.first_name,
                "last_name": demo_officer.last_name,
            },
            User.Role.AGENCY_ADMIN: {"agency": self.agencies[self.admin_agency]},
            User.Role.PROVIDER: {"provider": self.academies[0]},
            # The back office admits staff accounts of these two roles (clee.core.admin_site).
            User.Role.POST_STAFF: {"is_staff": True},
            User.Role.DIRECTOR: {"is_staff": True},
        }
        users = []
        for account in DEMO_ACCOUNTS:
            fields = {
                "first_name": rng.choice(names.FIRST_NAMES),
                "last_name": rng.choice(names.LAST_NAMES),
                **links[account.role],
            }
            users.append(
                User(
                    username=account.username,
                    email=f"{account.username}@example.test",
                    role=account.role,
                    password=self.password_hash,
                    **fields,
                )
            )
        User.objects.bulk_create(users)
        self.users = {user.role: user for user in users}
        self._audit(AuditAction.ACCOUNT_CREATE, users, "demo account")
