"""What a provider's staff may open: their own provider's courses, offerings and roster
uploads; what POST staff may open: every provider, course and catalog entry.

Each helper returns the object or raises the same 404 for "missing" and "not yours" (a wrong
role included)."""

from __future__ import annotations

from django.http import Http404

from clee.accounts.access import NOT_FOUND, access_as_post_staff
from clee.accounts.models import User
from clee.providers.models import Course, Offering, Provider, RecognizedCourse, RosterUpload
from clee.providers.rosters import uploads_kept_since


def access_own_provider(user: User) -> Provider:
    """The provider the account works for (404 for an account linked to none)."""
    if user.role != User.Role.PROVIDER or user.provider_id is None:
        raise Http404(NOT_FOUND)
    return Provider.objects.get(pk=user.provider_id)


def access_own_course(user: User, course_id: int) -> Course:
    """One of the provider's courses."""
    provider = access_own_provider(user)
    course = Course.objects.select_related("provider").filter(pk=course_id, provider=provider).first()
    if course is None:
        raise Http404(NOT_FOUND)
    return course


def access_own_offering(user: User, offering_id: int) -> Offering:
    """An offering of one of the provider's courses."""
    provider = access_own_provider(user)
    offering = (
        Offering.objects.select_related("course__provider")
        .filter(pk=offering_id, course__provider=provider)
        .first()
    )
    if offering is None:
        raise Http404(NOT_FOUND)
    return offering


def access_own_roster_upload(user: User, upload_id: int) -> RosterUpload:
    """A roster this account uploaded for this provider and has not confirmed yet (nor let
    expire); a colleague's upload is not yours to confirm."""
    provider = access_own_provider(user)
    upload = (
        RosterUpload.objects.select_related("provider")
        .filter(pk=upload_id, provider=provider, uploaded_by=user, created_at__gte=uploads_kept_since())
        .first()
    )
    if upload is None:
        raise Http404(NOT_FOUND)
    return upload


def access_course(user: User, course_id: int) -> Course:
    """A course (any status) with its provider, for POST staff."""
    return access_as_post_staff(
        user, Course.objects.select_related("provider", "submitted_by", "decided_by"), course_id
    )


def access_provider(user: User, provider_id: int) -> Provider:
    """A provider with its agency, for POST staff."""
    return access_as_post_staff(user, Provider.objects.select_related("agency"), provider_id)


def access_catalog_entry(user: User, entry_id: int) -> RecognizedCourse:
    """An entry of the catalog of recognized out-of-state courses, for POST staff."""
    return access_as_post_staff(user, RecognizedCourse.objects.all(), entry_id)
