"""The demo accounts: one per role, all with the same published password.

They exist only in a database the demo state was loaded into; the login page lists them only
when ``settings.DEMO_MODE`` is on (never in production, where it defaults to off).
"""

from __future__ import annotations

from dataclasses import dataclass

from clee.accounts.models import User

# Printed by `manage.py demo_state` and shown on the demo login page; set only by the demo loader.
DEMO_PASSWORD = "clee-demo-password"

# The account the loader acts as: it cannot sign in (inactive, unusable password).
LOADER_USERNAME = "demo-loader"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    description: str

    @property
    def role_label(self) -> str:
        return str(User.Role(self.role).label)


DEMO_ACCOUNTS = (
    DemoAccount("demo.officer", User.Role.OFFICER, "an officer a few hours short this period"),
    DemoAccount("demo.agency", User.Role.AGENCY_ADMIN, "administrator of a mid-sized police department"),
    DemoAccount("demo.provider", User.Role.PROVIDER, "staff of a licensed training academy"),
    DemoAccount("demo.staff", User.Role.POST_STAFF, "POST program staff (signs in to the back office too)"),
    DemoAccount("demo.director", User.Role.DIRECTOR, "the Director's designee (reads the back office)"),
)


@dataclass(frozen=True)
class ListedAccount:
    username: str
    password: str
    role_label: str
    description: str


def demo_accounts_listed() -> list[ListedAccount]:
    """The demo accounts present in this database, with what each one is linked to."""
    users = {
        user.username: user
        for user in User.objects.filter(username__in=[a.username for a in DEMO_ACCOUNTS]).select_related(
            "officer", "agency", "provider"
        )
    }
    listed = []
    for account in DEMO_ACCOUNTS:
        user = users.get(account.username)
        if user is None:
            continue
        linked = user.officer or user.agency or user.provider
        description = f"{account.description}: {linked}" if linked else account.description
        listed.append(ListedAccount(account.username, DEMO_PASSWORD, account.role_label, description))
    return listed
