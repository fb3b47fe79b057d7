"""Reads about officers that several pages share."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef
from django.db.models.functions import Coalesce

from clee.officers.models import Commission, Officer


def officer_by_license(license_number: str, last_name: str) -> Officer | None:
    """The officer holding ``license_number`` whose last name is ``last_name`` (case and extra
    spaces ignored), or None. The last name is a check against a mistyped license number: a
    wrong pair finds nobody, so the page cannot be used to learn whose a license number is."""
    number = license_number.strip().upper()
    officer = Officer.objects.filter(license_number=number).first() if number else None
    if officer is None:
        return None
    wanted = " ".join(last_name.split()).casefold()
    if not wanted or " ".join(officer.last_name.split()).casefold() != wanted:
        return None
    return officer


def officer_by_identity(license_number: str, last_name: str, date_of_birth: dt.date) -> Officer | None:
    """The officer holding ``license_number`` whose last name and date of birth are these, or
    None (a wrong part of the three finds nobody, and says not which)."""
    officer = officer_by_license(license_number, last_name)
    return officer if officer is not None and officer.date_of_birth == date_of_birth else None


def agency_sees(agency: Any, *, officer: str = "officer_id", day: str = "completed_on") -> Exists:
    """For a query of an officer's rows (records, credit requests): whether ``agency`` may see
    the row, because it commissions the officer now and the row's ``day`` falls in the part of
    the record it sees (from its commission's start, or from earlier when POST staff opened
    it). ``officer`` and ``day`` name the row's fields."""
    return Exists(
        Commission.objects.filter(agency=agency, end__isnull=True, officer_id=OuterRef(officer))
        .annotate(visible_from=Coalesce("history_from", "start"))
        .filter(visible_from__lte=OuterRef(day))
    )
