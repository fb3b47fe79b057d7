"""What a provider's staff may open: their own provider's courses, offerings, rosters and
uploads. Each helper returns the object or raises the same 404 for "missing" and "not yours"."""

from __future__ import annotations

from django.http import Http404

from clee.accounts.access import NOT_FOUND
from clee.accounts.models import User
from clee.providers.models import Course, Offering, Provider, RosterUpload
from clee.providers.rosters import uploads_kept_since
from clee.training.models import ImportBatch


def access_provider(user: User) -> Provider:
    """The provider the account works for (404 for an account linked to none)."""
    if user.role != User.Role.PROVIDER or user.provider_id is None:
        raise Http404(NOT_FOUND)
    return Provider.objects.get(pk=user.provider_id)


def access_course(user: User, course_id: int) -> Course:
    """One of the provider's courses."""
    provider = access_provider(user)
    course = Course.objects.select_related("provider").filter(pk=course_id, provider=provider).first()
    if course is None:
        raise Http404(NOT_FOUND)
    return course


def access_offering(user: User, offering_id: int) -> Offering:
    """An offering of one of the provider's courses."""
    provider = access_provider(user)
    offering = (
        Offering.objects.select_related("course__provider")
        .filter(pk=offering_id, course__provider=provider)
        .first()
    )
    if offering is None:
        raise Http404(NOT_FOUND)
    return offering


def access_roster_batch(user: User, batch_id: int) -> ImportBatch:
    """A roster the provider sent."""
    provider = access_provider(user)
    batch = (
        ImportBatch.objects.select_related("submitted_by")
        .filter(pk=batch_id, provider=provider, kind=ImportBatch.Kind.ROSTER)
        .first()
    )
    if batch is None:
        raise Http404(NOT_FOUND)
    return batch


def access_roster_upload(user: User, upload_id: int) -> RosterUpload:
    """A roster this account uploaded for this provider and has not confirmed yet (nor let
    expire); a colleague's upload is not yours to confirm."""
    provider = access_provider(user)
    upload = (
        RosterUpload.objects.select_related("provider")
        .filter(pk=upload_id, provider=provider, uploaded_by=user, created_at__gte=uploads_kept_since())
        .first()
    )
    if upload is None:
        raise Http404(NOT_FOUND)
    return upload
