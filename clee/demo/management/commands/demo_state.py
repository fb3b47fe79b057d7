"""``manage.py demo_state``: load the synthetic demo state and print the demo accounts."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clee.core.errors import ServiceError
from clee.demo.accounts import demo_accounts_listed
from clee.demo.plans import DEFAULT_SEED, DemoSize
from clee.demo.services import demo_state_load, demo_state_loaded, demo_state_refusal


class Command(BaseCommand):
    help = (
        "Load a synthetic state as of today (agencies, officers, providers, courses, the current "
        "period in progress and the years behind it, pending requests, the Director's queue) and "
        "one account per role. Everything in it is invented."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--once",
            action="store_true",
            help="do nothing but print the accounts if the demo state is already loaded",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="the same seed gives the same state"
        )
        parser.add_argument("--officers", type=int, default=DemoSize.officers, help="how many officers")
        parser.add_argument("--agencies", type=int, default=DemoSize.agencies, help="how many agencies")

    def handle(self, *args: Any, **options: Any) -> None:
        loaded = demo_state_loaded()
        refusal = demo_state_refusal()
        if loaded is not None and options["once"]:
            data = loaded.data
            self.stdout.write(
                f"The demo state is already loaded (seed {data.get('seed')}, "
                f"{data.get('officers')} officers, {data.get('agencies')} agencies, "
                f"loaded {loaded.created_at:%Y-%m-%d})."
            )
        elif refusal is not None and options["once"]:
            # `make run` goes on serving whatever this database holds.
            self.stderr.write(f"The demo state is not loaded: {refusal}.")
        elif refusal is not None:
            raise CommandError(refusal)
        else:
            self._load(options)
        self._print_accounts()

    def _load(self, options: dict[str, Any]) -> None:
        size = DemoSize(officers=options["officers"], agencies=options["agencies"])
        self.stdout.write(
            f"Loading the demo state: {size.officers} officers, {size.agencies} agencies, "
            f"seed {options['seed']} ..."
        )
        progress = self.stdout.write if options["verbosity"] >= 2 else None
        try:
            summary = demo_state_load(seed=options["seed"], size=size, progress=progress)
        except ServiceError as error:
            raise CommandError(error.message) from error
        counts = ", ".join(f"{value:,} {key}" for key, value in summary.counts.items())
        self.stdout.write(
            self.style.SUCCESS(f"Loaded in {summary.seconds:.1f} s as of {summary.as_of}")
            + f": the {summary.year} reporting period in progress (records up to today), "
            f"{summary.year - 1} and before behind it.\n{counts}.\nStored results:"
        )
        for year, statuses in summary.periods.items():
            shown = ", ".join(f"{value:,} {key}" for key, value in sorted(statuses.items()))
            self.stdout.write(f"  {year}: {shown}")
        self.stdout.write(f"{summary.extended} officers have an extension for {summary.year}.")

    def _print_accounts(self) -> None:
        accounts = demo_accounts_listed()
        if not accounts:
            return
        width = max(len(a.username) for a in accounts)
        self.stdout.write("\nDemo accounts (username / password / role):")
        for account in accounts:
            self.stdout.write(
                f"  {account.username:<{width}}  {account.password}  "
                f"{account.role_label}: {account.description}"
            )
