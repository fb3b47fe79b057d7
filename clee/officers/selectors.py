"""Reads about officers that several pages share."""

from __future__ import annotations

from clee.officers.models import Officer


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
