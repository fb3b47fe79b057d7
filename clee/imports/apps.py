from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "clee.imports"
    label = "imports"
    verbose_name = "Rosters and onboarding files"
