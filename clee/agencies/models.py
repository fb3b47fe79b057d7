"""Law enforcement agencies."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

from clee.core.models import TimeStamped


class Agency(TimeStamped):
    class Type(models.TextChoices):
        POLICE = "police", "Police department"
        SHERIFF = "sheriff", "Sheriff's office"
        STATE = "state", "State agency"
        UNIVERSITY = "university", "University police"
        OTHER = "other", "Other"

    # FBI Originating Agency Identifier: two-letter state code and seven characters.
    ori = models.CharField(
        "ORI",
        max_length=9,
        unique=True,
        validators=[RegexValidator(r"^[A-Z]{2}[A-Z0-9]{7}$", "An ORI is 2 letters and 7 letters or digits.")],
    )
    name = models.CharField(max_length=200)
    agency_type = models.CharField(max_length=20, choices=Type.choices, default=Type.POLICE)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return f"{self.name} ({self.ori})"
