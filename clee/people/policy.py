"""Who may invite whom, and whose account each person may manage.

Nobody grants a role above their own or acts outside their organisation: an agency's
administrators invite and manage the administrators of that agency, a provider's staff the staff
of that provider; POST staff invite agencies' administrators, providers' staff and POST staff,
and manage every account but the Director's (and the back office's superusers).
"""

from __future__ import annotations

from clee.accounts.models import User

Role = User.Role


def grantable_roles(user: User) -> tuple[str, ...]:
    """The roles ``user`` may invite someone to, within their own organisation."""
    if not user.is_active:
        return ()
    if user.role == Role.POST_STAFF:
        return (Role.AGENCY_ADMIN, Role.PROVIDER, Role.POST_STAFF)
    if user.role == Role.AGENCY_ADMIN and user.agency_id is not None:
        return (Role.AGENCY_ADMIN,)
    if user.role == Role.PROVIDER and user.provider_id is not None:
        return (Role.PROVIDER,)
    return ()


def manages_people(user: User) -> bool:
    return bool(grantable_roles(user))


def may_manage(user: User, account: User) -> bool:
    """True when ``user`` may see ``account`` among their people, deactivate and reactivate it."""
    if not user.is_active:
        return False
    if user.role == Role.POST_STAFF:
        return account.role != Role.DIRECTOR and not account.is_superuser
    if user.role == Role.AGENCY_ADMIN and user.agency_id is not None:
        return account.role == Role.AGENCY_ADMIN and account.agency_id == user.agency_id
    if user.role == Role.PROVIDER and user.provider_id is not None:
        return account.role == Role.PROVIDER and account.provider_id == user.provider_id
    return False


def may_invite_to(user: User, *, role: str, agency_id: int | None, provider_id: int | None) -> bool:
    """True when ``user`` may invite someone as ``role`` of that agency or provider."""
    if role not in grantable_roles(user):
        return False
    if user.role == Role.AGENCY_ADMIN:
        return agency_id == user.agency_id
    if user.role == Role.PROVIDER:
        return provider_id == user.provider_id
    return True
