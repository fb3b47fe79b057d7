"""Choices shared by several apps, named as the rules engine names them."""

from __future__ import annotations

from django.db import models


class CoreArea(models.TextChoices):
    LEGAL_STUDIES = "legal_studies", "Legal Studies"
    TECHNICAL_STUDIES = "technical_studies", "Technical Studies"
    INTERPERSONAL_PERSPECTIVES = "interpersonal_perspectives", "Interpersonal Perspectives"
    SKILL_DEVELOPMENT = "skill_development", "Skill Development"


class Subject(models.TextChoices):
    NONE = "", "—"
    FIREARMS = "firearms", "Firearms"


class Topic(models.TextChoices):
    RACIAL_PROFILING = "racial_profiling", "Racial profiling"
    IMPLICIT_BIAS = "implicit_bias", "Implicit bias"
    DE_ESCALATION = "de_escalation", "De-escalation"


class Delivery(models.TextChoices):
    LIVE = "live", "Live, in person"
    COMPUTER_BASED = "computer_based", "Computer-based"


class ProviderCredit(models.TextChoices):
    """The class of credit a record earns (the rule packs' ``provider_class``)."""

    APPROVED = "approved", "Approved provider"
    LICENSED = "licensed", "Licensed provider"


class Source(models.TextChoices):
    COURSE = "course", "Course"
    INSTRUCTION = "instruction", "Hours taught"
    COLLEGE = "college", "College course"
    MILITARY = "military", "Military training"
    OUT_OF_STATE = "out_of_state", "Out-of-state course"
