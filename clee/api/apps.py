from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "clee.api"
    label = "api"
