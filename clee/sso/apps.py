from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "clee.sso"
    label = "sso"
