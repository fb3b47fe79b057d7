from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "clee.core"
    label = "core"
    verbose_name = "Audit and shared records"
