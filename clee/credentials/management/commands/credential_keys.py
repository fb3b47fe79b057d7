"""``manage.py credential_keys generate|ensure|list|withdraw KEY_ID --reason TEXT``: the program's
signing keys (docs/operations.md §8). Private keys are written to CLEE_CREDENTIAL_KEYS_DIR,
never to the database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clee.core.errors import ServiceError
from clee.credentials.keys import key_file, keys_directory, signing_key_generate, signing_key_withdraw
from clee.credentials.models import SigningKey


class Command(BaseCommand):
    help = "Generate, list or withdraw the keys verifiable credentials are signed with."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("generate", help="a new active key; the active one is retired (still published)")
        actions.add_parser("ensure", help="generate a key only when there is no active one (make run)")
        actions.add_parser("list", help="every key, its status and whether its private file is here")
        withdraw = actions.add_parser(
            "withdraw", help="stop publishing a key: what it signed no longer verifies"
        )
        withdraw.add_argument("key_id")
        withdraw.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "generate":
                key = signing_key_generate()
                self.stdout.write(f"{key.key_id} is the active signing key ({key_file(key.key_id)})")
            elif action == "ensure":
                active = SigningKey.objects.filter(status=SigningKey.Status.ACTIVE).first()
                if active is None or not key_file(active.key_id).exists():
                    active = signing_key_generate()
                self.stdout.write(f"{active.key_id} is the active signing key")
            elif action == "list":
                self._list()
            else:
                found = SigningKey.objects.filter(key_id=options["key_id"]).first()
                if found is None:
                    raise CommandError(f"no signing key {options['key_id']!r} (see `credential_keys list`)")
                signing_key_withdraw(key=found, reason=options["reason"])
                self.stdout.write(f"{found.key_id} withdrawn: no longer published")
        except ServiceError as error:
            raise CommandError(error.message) from error

    def _list(self) -> None:
        keys = list(SigningKey.objects.order_by("created_at"))
        if not keys:
            self.stdout.write("no signing key yet: run `manage.py credential_keys generate`")
            return
        self.stdout.write(f"private keys in {keys_directory()}")
        for key in keys:
            here = "file present" if key_file(key.key_id).exists() else "no file here"
            self.stdout.write(f"{key.key_id}  {key.status:<9}  {key.created_at:%Y-%m-%d}  {here}")
