from django.apps import AppConfig


class ProvidersConfig(AppConfig):
    name = "clee.providers"
    label = "providers"
