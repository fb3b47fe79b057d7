"""``manage.py mfa_reset USERNAME --reason TEXT``: remove every second factor of an account
(authenticator apps, passkeys, recovery codes) for a person who lost them all, once their
identity is confirmed. They set up a new one at their next sign-in. The audit row names the
reason; the actor is the system (the operator's shell)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clee.accounts.models import User
from clee.security.services import second_factors_reset


class Command(BaseCommand):
    help = "Remove all second factors of an account that lost them (it sets up a new one at sign-in)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="why, for the audit trail (e.g. a ticket number)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"no account named {options['username']}")
        if not options["reason"].strip():
            raise CommandError("give a reason for the audit trail")
        removed = second_factors_reset(user=user, reason=options["reason"].strip(), acting_user=None)
        self.stdout.write(f"Removed {removed} second factor(s) of {user.username}.")
