"""``manage.py create_staff USERNAME [--email E] [--director]``: a back-office account.

The password is asked twice on a terminal, or read from the environment variable
``CLEE_STAFF_PASSWORD`` (for scripts; never on the command line, where ``ps`` shows it).
"""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from clee.accounts.models import User
from clee.accounts.services import staff_account_create
from clee.core.errors import ServiceError

PASSWORD_VARIABLE = "CLEE_STAFF_PASSWORD"


class Command(BaseCommand):
    help = "Create a POST staff (or Director) account that can sign in to the back office at /admin/."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--director", action="store_true", help="the Director's account (reads the back office)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get(PASSWORD_VARIABLE) or self.ask_password()
        role = User.Role.DIRECTOR if options["director"] else User.Role.POST_STAFF
        try:
            user = staff_account_create(
                username=options["username"],
                email=options["email"],
                password=password,
                role=role,
                acting_user=None,
            )
        except ServiceError as error:
            raise CommandError(error.message) from error
        self.stdout.write(f"Created {user.get_role_display()} account {user.username}: sign in at /admin/")

    def ask_password(self) -> str:
        if not os.isatty(0):
            raise CommandError(f"no terminal to ask the password on: set {PASSWORD_VARIABLE}")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("the two passwords differ")
        return password
