from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "clee.demo"
    label = "demo"
    verbose_name = "Demo state"
