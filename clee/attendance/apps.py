from django.apps import AppConfig


class AttendanceConfig(AppConfig):
    name = "clee.attendance"
    label = "attendance"
    verbose_name = "Same-day attendance"
