from django.apps import AppConfig


class NoticesConfig(AppConfig):
    name = "clee.notices"
    verbose_name = "Notices"
