"""``manage.py lockout_lift USERNAME --reason TEXT``: lift the sign-in lock on a username before
it ends by itself, once the person is known to be who they say (a phone call, a ticket). The
failures that set it stay in the audit trail; the lifting is audited with the reason."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clee.accounts.lockout import locked_until
from clee.accounts.services import lockout_lift
from clee.core.errors import ServiceError


class Command(BaseCommand):
    help = "Lift the sign-in lock on a username early (audited with the reason)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="why, for the audit trail (e.g. a ticket number)")

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"]
        if locked_until(username) is None:
            self.stdout.write(f"{username} is not locked; nothing to lift.")
            return
        try:
            lockout_lift(username=username, reason=options["reason"], acting_user=None)
        except ServiceError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"The lock on {username} is lifted.")
