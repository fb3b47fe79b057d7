"""manage.py import_file KIND FILE [--as USERNAME] [--provider NUMBER | --agency ORI] [--dry-run]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from clee.agencies.models import Agency
from clee.core.errors import ServiceError
from clee.imports.services import KINDS, import_apply, import_preview
from clee.imports.tables import table_from_upload
from clee.providers.models import Provider


class Command(BaseCommand):
    help = (
        "Check a roster or onboarding file (CSV or XLSX) and apply it all-or-nothing; "
        "--dry-run only reports. Prints every row error as 'row N, field: reason' and exits "
        "non-zero when there is one. Columns: docs/imports.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS, help="what the file holds")
        parser.add_argument("file", type=Path, help="the CSV or XLSX file")
        parser.add_argument("--as", dest="username", help="the account acting (audit trail); default: system")
        scope = parser.add_mutually_exclusive_group()
        scope.add_argument("--provider", help="a roster's provider, by POST provider number")
        scope.add_argument("--agency", help="an in-service roster's (or a commission file's) agency, by ORI")
        parser.add_argument("--dry-run", action="store_true", help="check and preview; write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}") from None
        actor = self._actor(options["username"])
        provider, agency = self._provider(options["provider"]), self._agency(options["agency"])
        if options["kind"] == "roster" and provider is None and agency is None and actor is not None:
            # A provider's or an agency administrator's own roster needs no --provider/--agency.
            if actor.role == "provider":
                provider = actor.provider
            elif actor.role == "agency_admin":
                agency = actor.agency
        run = import_preview if options["dry_run"] else import_apply
        try:
            report = run(
                kind=options["kind"],
                table=table_from_upload(content, path.name),
                actor=actor,
                provider=provider,
                agency=agency,
            )
        except ServiceError as error:
            raise CommandError(error.message) from None

        if report.earlier_batch_at is not None:
            applied_at = timezone.localtime(report.earlier_batch_at)
            self.stdout.write(
                f"note: this same file was applied on {applied_at:%Y-%m-%d %H:%M} "
                f"(batch {report.earlier_batch_id}); rows on file are not added again"
            )
        if options["verbosity"] >= 2:
            for outcome in report.to_add:
                self.stdout.write(
                    f"row {outcome.row}: {'added' if report.applied else 'to add'}: {outcome.summary}"
                )
            for outcome in report.already_present:
                self.stdout.write(f"row {outcome.row}: already on file: {outcome.summary}")
        for row_error in report.errors:
            self.stderr.write(str(row_error))
        prefix = "dry run: " if options["dry_run"] else ""
        self.stdout.write(prefix + report.headline())
        if report.errors:
            raise CommandError(
                f"{len(report.errors)} error{'s' if len(report.errors) != 1 else ''} in {path.name}; "
                + ("nothing would be written" if options["dry_run"] else "nothing was written")
            )
        if report.applied and report.batch is not None:
            self.stdout.write(self.style.SUCCESS(f"applied as import batch {report.batch.pk}"))

    def _actor(self, username: str | None) -> Any:
        if username is None:
            return None
        user_model = get_user_model()
        try:
            return user_model.objects.get(username=username, is_active=True)
        except user_model.DoesNotExist:
            raise CommandError(f"no active account named {username!r}") from None

    def _provider(self, number: str | None) -> Provider | None:
        if number is None:
            return None
        try:
            return Provider.objects.get(number=number.strip())
        except Provider.DoesNotExist:
            raise CommandError(f"no provider numbered {number!r}") from None

    def _agency(self, ori: str | None) -> Agency | None:
        if ori is None:
            return None
        try:
            return Agency.objects.get(ori=ori.strip().upper())
        except Agency.DoesNotExist:
            raise CommandError(f"no agency with ORI {ori!r}") from None
